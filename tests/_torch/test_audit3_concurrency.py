"""Threads sharing a network with an explainer: the hooks skxai puts on the user's modules act
on the explainer's own passes only.

A web server that serves ``net(x)`` from one thread while another thread explains the same
network ran its predictions through the explainer's hooks: the trailing softmax bypassed
(logits served as probabilities), guided backprop's and DeepSHAP's ReLU rules changed the
other thread's gradients or failed its pass (``IndexError: pop from empty list``, "DeepLIFT
rules need a batch ..."), a CAM's layer capture recorded the other thread's activations.

The user's pass is run deterministically *inside* the explainer's pass (while its hooks are
registered): a hook of the network's first ReLU starts it in another thread and waits for it.
"""

import copy
import threading
from unittest import mock

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import skxai  # noqa: E402
from tests._nets import one_torch_thread, seeded_float64  # noqa: E402, F401


class _Probe:
    """A forward hook of the network's first ReLU (registered before the explainer's own, so it
    runs between their pre- and post-hooks). While ``armed``, every pass of the explainer (in
    the main thread) waits there for one pass of ``net`` over ``x`` run by another thread, whose
    outputs (or error) are recorded."""

    def __init__(self, net, relu):
        self.armed = False
        self.net = net
        self.x = None
        self.seen = []
        relu.register_forward_hook(self)

    def __call__(self, module, inp, out):
        if self.armed and threading.current_thread() is threading.main_thread():

            def serve():
                try:
                    self.seen.append(_user_pass(self.net, self.x))
                except Exception as exc:  # recorded: the user's thread must not fail
                    self.seen.append(exc)

            t = threading.Thread(target=serve)
            t.start()
            t.join(timeout=60)


def _user_pass(net, x):
    """The user's own predictions and saliency (input gradient of the first output's sum)."""
    x = x.clone().requires_grad_(True)
    out = net(x)
    (grad,) = torch.autograd.grad(out[:, 0].sum(), x)
    return out.detach(), grad


def _mlp():
    net = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 3), nn.Softmax(dim=1))
    net = seeded_float64(net, seed=3).eval()
    return net, _Probe(net, net[1])


def _cnn():
    net = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 5, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 3), nn.Softmax(dim=1),
    )  # fmt: skip
    net = seeded_float64(net, seed=4).eval()
    return net, _Probe(net, net[1])


_MLP_CASES = {
    "gradient_logits": lambda net: skxai.GradientExplainer(net, response_method="decision_function"),
    "integrated_gradients_logits": lambda net: skxai.IntegratedGradientsExplainer(
        net, response_method="decision_function", n_steps=8
    ),
    "guided_backprop": lambda net: skxai.GuidedBackpropExplainer(net),
    "deconvolution": lambda net: skxai.DeconvolutionExplainer(net),
    "deepshap": lambda net: skxai.DeepShapExplainer(net),
}

_CNN_CASES = {
    "gradcam": lambda net: skxai.GradCamExplainer(net, target_layer="2"),
    "gradcam_default_layer": lambda net: skxai.GradCamExplainer(net),
    "ablationcam": lambda net: skxai.AblationCamExplainer(net, target_layer="2"),
    "scorecam": lambda net: skxai.ScoreCamExplainer(net, target_layer="2"),
    "guided_gradcam": lambda net: skxai.GuidedGradCamExplainer(net, target_layer="2"),
}


def _check(net, probe, make, X, x_user, arm_at_fit=False):
    want = _user_pass(net, x_user)  # probabilities and their plain gradient
    ref = make(net).fit(X[:6])
    expected = ref.transform(X[6:9])
    probe.x = x_user
    probe.seen.clear()
    explainer = make(net)
    probe.armed = arm_at_fit
    explainer.fit(X[:6])
    probe.armed = True
    got = explainer.transform(X[6:9])
    probe.armed = False
    assert probe.seen, "the probe did not run"
    for seen in probe.seen:
        if isinstance(seen, Exception):
            raise AssertionError(f"the user's forward in another thread failed: {seen!r}") from seen
        # the same rows in batches of other sizes: round-off of the kernels only
        for a, b in zip(seen, want, strict=True):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(got, expected)
    # nothing of the explainer is left on the network (the probe's hook only)
    assert sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in net.modules()) == 1


@pytest.mark.parametrize("name", sorted(_MLP_CASES))
def test_other_threads_forward_does_not_see_explainer_hooks_mlp(name):
    net, probe = _mlp()
    X = np.random.RandomState(0).normal(size=(9, 5))
    _check(net, probe, _MLP_CASES[name], X, torch.as_tensor(X[:3]))


@pytest.mark.parametrize("name", sorted(_CNN_CASES))
def test_other_threads_forward_does_not_see_explainer_hooks_cnn(name):
    net, probe = _cnn()
    X = np.random.RandomState(1).normal(size=(9, 2, 6, 6))
    _check(net, probe, _CNN_CASES[name], X, torch.as_tensor(X[:3]))


def test_other_threads_forward_during_fit_tracing():
    """fit traces the network (DeepSHAP's checks, a CAM's default layer) with hooks too."""
    net, probe = _mlp()
    X = np.random.RandomState(2).normal(size=(9, 5))
    _check(net, probe, _MLP_CASES["deepshap"], X, torch.as_tensor(X[:3]), arm_at_fit=True)
    net, probe = _cnn()
    X = np.random.RandomState(3).normal(size=(9, 2, 6, 6))
    _check(net, probe, _CNN_CASES["gradcam_default_layer"], X, torch.as_tensor(X[:3]), arm_at_fit=True)


def test_copy_of_the_network_made_during_an_explanation_keeps_no_live_hook():
    """A deep copy of the network taken while an explanation runs (a model_randomization_test,
    a search's clone) holds the explainer's hooks; once the explanation is over they must do
    nothing there, also in the explainer's own thread (the copy's softmax was bypassed for good:
    logits served as probabilities)."""
    import copy

    net = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1))
    net = seeded_float64(net, seed=5).eval()
    X = np.random.RandomState(4).normal(size=(9, 5))
    x = torch.as_tensor(X[:3])
    with torch.no_grad():
        want = net(x)
    explainer = skxai.GradientExplainer(net, response_method="decision_function").fit(X[:6])
    copies = []
    net[1].register_forward_hook(lambda m, inp, out: copies.append(copy.deepcopy(net)) if not copies else None)
    explainer.transform(X[6:9])
    assert copies
    with torch.no_grad():
        got = copies[0](x)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("how", ["clone", "model_randomization_test"])
def test_copies_taken_by_another_thread_hold_the_users_modes_and_flags(how):
    """``clone`` (a search's candidates, data_randomization_test) and model_randomization_test
    deep-copy the network. Taken by another thread while an explanation runs, the copy held the
    explanation's evaluation mode and frozen parameters for good (and its hooks): the copy is now
    taken when the network's turn comes, as the user left it."""
    from sklearn.base import clone

    from skxai.metrics import model_randomization_test

    net = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 3))
    net = seeded_float64(net, seed=6).train()
    net[0].bias.requires_grad_(False)  # the user's own mixture of flags
    user = ([m.training for m in net.modules()], [p.requires_grad for p in net.parameters()])
    X = np.random.RandomState(5).normal(size=(9, 5))
    explainer = skxai.GradientExplainer(net).fit(X[:6])
    A0 = explainer.transform(X[6:8])  # given: the test's first call no longer waits for the pass
    got, threads = [], []

    def copy_it():
        if how == "clone":
            got.append(clone(explainer).estimator)
        else:
            seen = []
            real = copy.deepcopy

            def recording(obj, *args, **kwargs):
                out = real(obj, *args, **kwargs)
                if obj is explainer:
                    seen.append(out.estimator_)
                return out

            with mock.patch.object(copy, "deepcopy", recording):
                model_randomization_test(explainer, X[6:8], layers=["3"], mode="independent", attributions=A0)
            got.extend(seen)

    def start(module, inp, out):
        if not threads and threading.current_thread() is threading.main_thread():
            threads.append(threading.Thread(target=copy_it))
            threads[0].start()
            threads[0].join(timeout=1.0)  # the copy waits for this pass (it never did before)

    net[1].register_forward_hook(start)
    explainer.transform(X[6:9])
    threads[0].join(timeout=60)
    assert got
    for copied in got:
        assert [m.training for m in copied.modules()] == user[0]
        assert [p.requires_grad for p in copied.parameters()] == user[1]


def test_hooks_still_act_on_data_parallel_replicas_in_their_threads():
    """nn.DataParallel runs one replica of the network per GPU in threads of its own
    (parallel_apply); the replicas share the hooks of the explained network, and the explainer's
    pass is theirs: the hooks act there (simulated on the CPU: a replica called in another thread)."""
    from skxai._torch._model import HookSet

    net = nn.Sequential(nn.Identity(), nn.ReLU())  # no parameters: torch's replicate() shares those
    seen = []
    with HookSet() as hooks:
        hooks.forward(net[1], lambda m, inp, out: seen.append("replica" if m._is_replica else "user"))
        replica = net._replicate_for_data_parallel()
        replica._modules = {k: v._replicate_for_data_parallel() for k, v in net._modules.items()}
        x = torch.zeros(1, 3)
        for module in (replica, net):  # a replica of the explained pass, then a user's own pass
            t = threading.Thread(target=module, args=(x,))
            t.start()
            t.join(timeout=60)
    assert seen == ["replica"]


def test_explaining_a_network_and_its_submodule_from_two_threads_restores_the_users_state():
    """Explainers of a network and of one of its submodules (a feature extractor) took turns on
    different locks: the submodule's explainer, entering while the network's ran and leaving
    after it, recorded the network's evaluation mode and frozen parameters as the user's and
    put them back last, so the user's backbone was left in evaluation mode, every parameter
    frozen."""
    backbone = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Dropout(0.2))
    net = seeded_float64(nn.Sequential(backbone, nn.Linear(8, 3)), seed=7).train()
    user = ([m.training for m in net.modules()], [p.requires_grad for p in net.parameters()])
    X = np.random.RandomState(6).normal(size=(9, 5))
    whole = skxai.GradientExplainer(net).fit(X[:6])
    part = skxai.GradientExplainer(backbone, target=0).fit(X[:6])
    expected = part.transform(X[6:9])
    got, threads = [], []
    part_inside, whole_done = threading.Event(), threading.Event()

    def in_part(module, inp, out):  # the submodule's pass stays open until the network's is over
        if threads and threading.current_thread() is threads[0]:
            part_inside.set()
            whole_done.wait(timeout=60)

    def start(module, inp, out):
        if not threads and threading.current_thread() is threading.main_thread():
            threads.append(threading.Thread(target=lambda: got.append(part.transform(X[6:9]))))
            threads[0].start()
            part_inside.wait(timeout=1.0)  # (now it waits for the network's explanation to end)

    backbone[0].register_forward_hook(in_part)
    net[1].register_forward_hook(start)
    whole.transform(X[6:9])
    whole_done.set()
    threads[0].join(timeout=60)
    np.testing.assert_array_equal(got[0], expected)
    assert [m.training for m in net.modules()] == user[0]
    assert [p.requires_grad for p in net.parameters()] == user[1]


def test_hooks_still_act_on_forward_passes_run_inside_a_backward_pass():
    """Activation checkpointing runs parts of the forward again during the backward pass, which
    autograd runs in a device thread of its own for CUDA tensors: the explainer's hooks act
    there (simulated: a backward pass, in another thread, whose node runs the module)."""
    from skxai._torch._model import HookSet

    relu = nn.ReLU()
    seen = []

    class _Recompute(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            relu(grad)  # a forward run by autograd, as checkpointing does
            return grad

    def backward_pass():
        x = torch.ones(2, requires_grad=True)
        _Recompute.apply(x).sum().backward()

    with HookSet() as hooks:
        hooks.forward(relu, lambda m, inp, out: seen.append(threading.current_thread() is threading.main_thread()))
        t = threading.Thread(target=backward_pass)
        t.start()
        t.join(timeout=60)
        t = threading.Thread(target=relu, args=(torch.ones(2),))  # a user's own pass: left alone
        t.start()
        t.join(timeout=60)
    assert seen == [False]
