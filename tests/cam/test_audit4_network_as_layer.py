"""``target_layer`` given the network itself is refused by saying so.

A CAM given ``target_layer=net`` (the explained network, not one of its layers) recorded the
root's name, ``""``, and failed with "layer must be a submodule name (str), got ''.": neither the
parameter nor what was wrong with it. The message now says the layer is the network itself and
lists the layers to choose from.
"""

import numpy as np
import pytest

from skxai import GradCamExplainer, ScoreCamExplainer
from tests.cam.test_audit4_single_position_layer import _net

X = np.random.RandomState(0).normal(size=(2, 2, 7, 6)).astype(np.float32)


@pytest.mark.parametrize("cls", [GradCamExplainer, ScoreCamExplainer])
@pytest.mark.parametrize("as_name", [False, True])
def test_the_network_itself_is_not_a_layer(cls, as_name):
    net = _net()
    with pytest.raises(ValueError, match=r"the network itself.*\['0', '1', '2', '3', '4'\]"):
        cls(net, target_layer="" if as_name else net).fit(X).transform(X)
