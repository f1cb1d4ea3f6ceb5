"""utils.receptive_field and utils.blocks.lffd: the recurrence against gradients of real torch models,
the LFFD v1 numbers against the authors' configuration, bad input, the widget and the checker."""

import numpy as np
import pytest
import torch
import torch.nn as nn
from hypothesis import given, settings
from hypothesis import strategies as st

from utils.blocks.lffd import LFFD, BranchOutput, LFFDBackbone, chain_specs
from utils.checks.receptive_field import check_receptive_field
from utils.data.detector_facts import LFFD_V1_BRANCHES
from utils.receptive_field import conv_specs, measured_receptive_field, receptive_fields, rf_box
from utils.widgets.faces import lffd_branch_fields, receptive_field_explorer


def test_known_values():
    assert receptive_fields([3, 3], [2, 2]) == [(3, 2, 1.0), (7, 4, 3.0)]
    assert receptive_fields([3, 3, 3], [1, 1, 1], [1, 1, 1])[-1] == (7, 1, 0.0)
    assert receptive_fields([3], [1], [0], [2])[-1].rf == 5  # dilation 2: a 3x3 kernel spans 5 pixels
    assert receptive_fields([], []) == []
    # VGG-16's conv5_3 has a receptive field of 196 pixels and a jump of 16.
    k = [3, 3, 2, 3, 3, 2, 3, 3, 3, 2, 3, 3, 3, 2, 3, 3, 3]
    s = [1, 1, 2, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1]
    assert receptive_fields(k, s)[-1][:2] == (196, 16)


def test_lffd_branches_match_the_released_configuration():
    fields = lffd_branch_fields()
    assert [f.rf for f in fields] == list(LFFD_V1_BRANCHES["rf"])
    assert [f.jump for f in fields] == list(LFFD_V1_BRANCHES["stride"])
    assert [f.start for f in fields] == list(LFFD_V1_BRANCHES["centre_start"])


def test_lffd_shapes_and_parameters():
    model = LFFD(width=1 / 16, head_width=128)
    with torch.no_grad():
        out = model(torch.zeros(1, 3, 640, 640))
    assert [tuple(score.shape[-2:]) for score, _ in out] == [(n, n) for n in LFFD_V1_BRANCHES["feature_map_640"]]
    assert all(score.shape[1] == 2 and box.shape[1] == 4 for score, box in out)
    full = LFFD()
    assert sum(p.numel() for p in full.parameters()) == 2290608  # ~9 MB in float32, the paper's model size
    assert not any(isinstance(m, nn.BatchNorm2d) for m in full.modules())


@pytest.mark.parametrize("branch", range(8))
def test_lffd_fields_against_gradients(branch):
    # Thin version (2-4 channels): same receptive fields, cheap gradients.
    backbone = LFFDBackbone(width=1 / 32)
    fields = lffd_branch_fields()
    m = measured_receptive_field(BranchOutput(backbone, branch), 700)
    assert m["rf"] == (fields[branch].rf,) * 2
    np.testing.assert_allclose(m["box"], rf_box(fields[branch], *m["unit"]))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([1, 2, 3, 5]), st.sampled_from([1, 2, 3]), st.integers(0, 2),
                          st.sampled_from([1, 2])), min_size=1, max_size=5))
def test_random_stacks_against_gradients(layers):
    kernels, strides, paddings, dilations = map(list, zip(*layers))
    paddings = [min(p, (k - 1) * d) for p, k, d in zip(paddings, kernels, dilations)]
    fields = receptive_fields(kernels, strides, paddings, dilations)
    size = fields[-1].rf + 4 * fields[-1].jump + 8
    net = nn.Sequential(*[nn.Sequential(nn.Conv2d(1, 1, k, s, p, d), nn.ReLU())
                          for k, s, p, d in zip(kernels, strides, paddings, dilations)])
    m = measured_receptive_field(net, size, in_channels=1)
    # The centre unit must not see the zero padding, or its field is cut at the border.
    box = rf_box(fields[-1], *m["unit"])
    if box[0] >= 0 and box[2] <= size:
        assert m["rf"] == (fields[-1].rf,) * 2
        np.testing.assert_allclose(m["box"], box)


def test_conv_specs_reads_a_sequential():
    net = nn.Sequential(nn.Conv2d(3, 8, 7, 2, 3), nn.ReLU(), nn.MaxPool2d(3, 2, 1), nn.Conv2d(8, 8, 3, 1, 1))
    k, s, p, d = conv_specs(net)
    assert (k, s, p, d) == ([7, 3, 3], [2, 2, 1], [3, 1, 1], [1, 1, 1])
    assert receptive_fields(k, s, p, d)[-1].rf == 19  # ResNet stem + one 3x3: 7 + 2*2 + 2*4


def test_chain_specs():
    kernels, strides, paddings, branches = chain_specs()
    assert len(kernels) == 25 and strides.count(2) == 5 and len(branches) == 8


@pytest.mark.parametrize("args", [
    ([-3], [1]),           # negative kernel
    ([3], [0]),            # stride 0
    ([3, 3], [1]),         # wrong list lengths
    ([3], [1], [-1]),      # negative padding
    ([3], [1], [0], [0]),  # dilation 0
    ([3.5], [1]),          # not an int
    ([3], [True]),         # a bool is not a stride
])
def test_bad_input(args):
    with pytest.raises(ValueError):
        receptive_fields(*args)


def test_widget():
    e = receptive_field_explorer()
    assert e.values["receptive field (px)"] == 143 and e.values["faces it detects (px)"] == "40-70"
    e.controls["layer"].value = 8
    assert e.values["receptive field (px)"] == 55 and e.values["faces it detects (px)"] == "10-15"
    e.controls["x"].value, e.controls["y"].value = 3, 3
    assert e.values["unit (row, col)"] == "(0, 0)" and e.values["unit centre (x, y)"] == "(3, 3)"
    e.controls["layer"].value = 1
    assert e.values["receptive field (px)"] == 3 and e.values["faces it detects (px)"] == "-"


def test_checker():
    assert check_receptive_field(lambda k, s: receptive_fields(k, s)[-1].rf if k else 1).passed
    wrong = check_receptive_field(lambda k, s: 1 + sum(kk - 1 for kk in k))  # forgets the jump
    assert "two 3x3 convs, stride 2 first" in wrong.failures
