"""Gradient explainers on networks the earlier audits did not try (second audit)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from skxai.gradient import DeepShapExplainer  # noqa: E402
from tests._nets import one_torch_thread  # noqa: E402, F401


class _SequenceFirst(nn.Module):
    """A per-position projection, then a tanh applied in the (seq, batch, features) layout."""

    def __init__(self, seq_len=4):
        super().__init__()
        self.proj = nn.Linear(3, 4)
        self.act = nn.Tanh()
        self.out = nn.Linear(4 * seq_len, 2)

    def forward(self, x):  # x: (batch, seq, 3)
        h = self.act(self.proj(x).transpose(0, 1))  # (seq, batch, 4)
        return self.out(h.transpose(0, 1).reshape(x.shape[0], -1))


class _FlattenedPositions(nn.Module):
    """The same network with the positions folded into the batch axis: (batch * seq, features)."""

    def __init__(self, seq_len=4):
        super().__init__()
        self.proj = nn.Linear(3, 4)
        self.act = nn.Tanh()
        self.out = nn.Linear(4 * seq_len, 2)

    def forward(self, x):
        n, length, d = x.shape
        h = self.act(self.proj(x.reshape(n * length, d)))
        return self.out(h.reshape(n, -1))


def test_deepshap_refuses_an_activation_off_the_batch_axis():
    # the rules pair rows of the first axis (samples against references); on a sequence-first
    # tensor they paired positions of a sequence instead: efficiency gaps of 0.03..0.14 on
    # values that looked like any others
    torch.manual_seed(0)
    X = np.random.RandomState(0).normal(size=(10, 4, 3))
    net = _SequenceFirst().double().train()
    net.proj.bias.requires_grad_(False)
    with pytest.raises(ValueError, match=r"\['act'\].*first axis"):
        DeepShapExplainer(net, target=1, max_background=4, random_state=0).fit(X)
    # the user's network as it was: modes, flags, no hooks left behind
    assert all(m.training for m in net.modules())
    assert [p.requires_grad for p in net.parameters()] == [True, False, True, True]
    assert all(p.grad is None for p in net.parameters())
    assert not any(m._forward_hooks or m._forward_pre_hooks or m._backward_hooks for m in net.modules())


def test_deepshap_accepts_positions_folded_into_the_batch_and_is_efficient():
    torch.manual_seed(0)
    net = _FlattenedPositions().double()
    X = np.random.RandomState(0).normal(size=(10, 4, 3))
    ds = DeepShapExplainer(net, target=1, max_background=4, random_state=0).fit(X)
    exp = ds.explain(X[:3])
    with torch.no_grad():
        f = net(torch.as_tensor(X[:3]))[:, 1].numpy()
        base = net(torch.as_tensor(ds.background_))[:, 1].mean().item()
    np.testing.assert_allclose(exp.values.reshape(3, -1).sum(axis=1), f - base, atol=1e-12)


@pytest.mark.parametrize("bag", [False, True])
def test_embedding_fed_the_input_is_named_in_a_value_error(bag):
    # an nn.Embedding that takes the input itself met the float copy the explainers make, and
    # fit raised torch's "Expected tensor for argument #1 'indices' ... (while checking
    # arguments for embedding)" from deep inside the forward pass
    from skxai.gradient import GradientExplainer

    torch.manual_seed(0)
    emb = nn.EmbeddingBag(10, 4) if bag else nn.Embedding(10, 4)
    net = nn.Sequential(emb, nn.Flatten(), nn.Linear(4 if bag else 12, 2))
    X = np.random.RandomState(0).randint(0, 10, size=(8, 3))
    with pytest.raises(ValueError, match=r"indices of nn\.Embedding module\(s\) \['0'\].*target_layer='0'"):
        GradientExplainer(net, target=0).fit(X)
    with pytest.raises(ValueError, match=r"nn\.Embedding module\(s\) \['0'\]"):
        DeepShapExplainer(net, target=0).fit(X)
    # the error of the network's own forward on other grounds is left alone
    with pytest.raises(RuntimeError, match="mat1 and mat2"):
        GradientExplainer(nn.Linear(5, 2), target=0).fit(np.zeros((3, 4)))


@pytest.mark.parametrize("batch_size", [256, 3])
def test_a_sequence_first_target_layer_is_refused_by_name(batch_size):
    # attributing to a (seq, batch, features) layer crashed inside: "extra 'targets' ... has 5
    # entries for 4 samples", "The size of tensor a (4) must match the size of tensor b (5)",
    # "Sizes of tensors must match except in dimension 0" (with several chunks)
    from skxai.gradient import GradientExplainer, IntegratedGradientsExplainer

    torch.manual_seed(0)
    net = _SequenceFirst().double()
    X = np.random.RandomState(0).normal(size=(10, 4, 3))
    for cls in (GradientExplainer, IntegratedGradientsExplainer):
        with pytest.raises(ValueError, match="target_layer='act'.*first axis is not the batch"):
            cls(net, target=1, target_layer="act", batch_size=batch_size).fit(X)
    # a batch-first layer of the same network is attributed as before (autograd by hand)
    exp = GradientExplainer(net, target=1, target_layer="proj", batch_size=batch_size).fit(X).explain(X[:5])
    h = net.proj(torch.as_tensor(X[:5])).detach().requires_grad_(True)
    out = net.out(net.act(h.transpose(0, 1)).transpose(0, 1).reshape(5, -1))
    (expected,) = torch.autograd.grad(out[:, 1].sum(), h)
    np.testing.assert_allclose(exp.values, expected.numpy(), rtol=1e-12)


@pytest.mark.parametrize("act", [nn.GELU, nn.LeakyReLU, nn.SiLU])
def test_backprop_rules_warn_on_activations_they_do_not_reach(act):
    # the rules act at nn.ReLU modules only: on a GELU / LeakyReLU / SiLU network guided
    # backpropagation and deconvolution returned the plain gradient without a word
    import warnings

    from skxai.gradient import DeconvolutionExplainer, GradientExplainer, GuidedBackpropExplainer

    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 6), act(), nn.Linear(6, 2)).double()
    X = np.random.RandomState(0).normal(size=(8, 5))
    plain = GradientExplainer(net, target=1).fit(X).transform(X)
    for cls in (GuidedBackpropExplainer, DeconvolutionExplainer):
        with pytest.warns(UserWarning, match=rf"nn\.ReLU modules only \(0 here\).*'1 \({act.__name__}\)'"):
            values = cls(net, target=1).fit(X).transform(X)
        np.testing.assert_array_equal(values, plain)  # what the warning says
    # a ReLU network ending in an output sigmoid has nothing to warn about
    relu_net = nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 2), nn.Sigmoid()).double()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GuidedBackpropExplainer(relu_net, target=1).fit(X).transform(X)


class _FunctionalDropout(nn.Module):
    """F.dropout without training=self.training: active in evaluation mode too."""

    def __init__(self, training=None):
        super().__init__()
        self.a = nn.Linear(5, 16)
        self.b = nn.Linear(16, 2)
        self.fixed = training

    def forward(self, x):
        h = torch.relu(self.a(x))
        training = self.training if self.fixed is None else self.fixed
        return self.b(torch.nn.functional.dropout(h, 0.5, training=training))


def test_a_network_that_samples_in_eval_mode_is_warned_about():
    # F.dropout(x, p) keeps sampling in evaluation mode: two transform calls differed by 0.23
    # and Integrated Gradients' completeness gaps were 0.1..0.4, without a word
    import warnings

    from skxai.gradient import GradientExplainer

    torch.manual_seed(0)
    X = np.random.RandomState(0).normal(size=(8, 5)).astype(np.float32)
    with pytest.warns(UserWarning, match="outputs differ between two passes.*F.dropout"):
        GradientExplainer(_FunctionalDropout(training=True), target=1).fit(X)
    # the idiom training=self.training is deterministic in evaluation mode: nothing to say
    net = _FunctionalDropout().train()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex = GradientExplainer(net, target=1).fit(X)
        np.testing.assert_array_equal(ex.transform(X[:2]), ex.transform(X[:2]))
    assert net.training
