"""check_drop_path: the reference passes; dropout-like, unscaled and in-place versions fail where they should."""

import torch

from utils.blocks.efficientnet import drop_path
from utils.checks import check_drop_path


def reference(x, p, training=True):
    """The folded solution of notebook 11, written as a reader would."""
    if not training or p == 0:
        return x
    keep = 1 - p
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)  # one coin per sample
    mask = (torch.rand(shape, device=x.device) < keep).to(x.dtype)
    return x * mask / keep


def per_element(x, p, training=True):  # dropout, not drop path
    if not training:
        return x
    return x * (torch.rand_like(x) >= p) / (1 - p)


def unscaled(x, p, training=True):
    if not training:
        return x
    return x * (torch.rand(x.shape[0], *[1] * (x.ndim - 1)) >= p)


def keeps_with_p(x, p, training=True):  # p read as the keep probability
    if not training or p == 0:
        return x
    return x * (torch.rand(x.shape[0], *[1] * (x.ndim - 1)) < p) / p


def image_only(x, p, training=True):  # a mask of shape (B, 1, 1, 1) whatever x is
    if not training or p == 0:
        return x
    return x * (torch.rand(x.shape[0], 1, 1, 1) >= p) / (1 - p)


def in_place(x, p, training=True):
    if not training or p == 0:
        return x
    return x.mul_((torch.rand(x.shape[0], *[1] * (x.ndim - 1)) >= p) / (1 - p))


def test_reference_and_library_pass():
    assert check_drop_path(reference).passed
    assert check_drop_path(drop_path).passed


def test_dropout_fails_the_one_coin_per_sample_case():
    assert "one coin per sample: each sample all zero or all kept" in check_drop_path(per_element).failures


def test_missing_scale_and_swapped_probability_are_caught():
    assert check_drop_path(unscaled).failures == ["kept samples are scaled by 1 / (1 - p)"]
    assert "about a fraction p of the samples is dropped" in check_drop_path(keeps_with_p).failures


def test_token_inputs_and_in_place_edits_are_caught():
    assert check_drop_path(image_only).failures == ["works for tokens (B, N, D), not only images"]
    assert check_drop_path(in_place).failures == ["the input is not modified in place"]


def test_stub_is_reported_as_not_implemented():
    def stub(x, p, training=True):
        raise NotImplementedError

    assert check_drop_path(stub).not_implemented
