"""The robustness contract (contract.py) for every public function of utils.segmentation.

Measured problems of issue 11 pinned by name: ``soft_dice_loss`` accepted probabilities of 1.5 and returned NaN for
an empty batch (now refused, and 0). Scores of binary masks are in [0, 1] (1 when both masks are empty, documented);
the training step refuses empty or mismatched data and leaves its data tensors unchanged.
"""

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from robustness.contract import assert_finite, call_unchanged, rejects
from robustness.strategies import BAD_COUNTS
from utils import segmentation as S

COVERS = [f"utils.segmentation.{name}" for name in (
    "confusion_counts", "dice_score", "mask_iou", "soft_dice_loss", "train_epoch", "predict_probs")]

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Not a pair of binary masks of one shape (with the argument the message must name).
BAD_MASKS = [
    (np.zeros((3, 3)), np.zeros((3, 4)), ("pred", "target")),
    (np.zeros(3), np.zeros(3), "pred"),
    (np.full((2, 2), 0.5), np.zeros((2, 2)), "pred"),
    (np.zeros((2, 2)), np.full((2, 2), np.nan), "target"),
    (np.zeros((2, 2)), np.full((2, 2), 2), "target"),
    (np.array([["1", "0"], ["0", "1"]]), np.zeros((2, 2)), "pred"),
    (np.zeros((2, 2), dtype=complex), np.zeros((2, 2)), "pred"),
    (None, np.zeros((2, 2)), "pred"),
]
NOT_FLOAT_TENSORS = (None, np.zeros((1, 2, 2)), torch.zeros(1, 2, 2, dtype=torch.int64),
                     torch.full((1, 2, 2), float("nan")))


@st.composite
def mask_pair(draw):
    shape = draw(st.tuples(st.integers(0, 3), st.integers(0, 6), st.integers(0, 6)))
    return draw(hnp.arrays(np.bool_, shape)), draw(hnp.arrays(np.bool_, shape))


@SETTINGS
@given(mask_pair(), st.booleans())
def test_mask_scores_valid(masks, as_ints):
    pred, target = (m.astype(np.uint8) for m in masks) if as_ints else masks
    tp, fp, fn = call_unchanged(S.confusion_counts, pred, target)
    assert tp.shape == fp.shape == fn.shape == pred.shape[:1]
    assert ((tp >= 0) & (fp >= 0) & (fn >= 0)).all()
    assert np.array_equal(tp + fn, masks[1].sum(axis=(-2, -1)))
    dice, iou = call_unchanged(S.dice_score, pred, target), call_unchanged(S.mask_iou, pred, target)
    assert dice.shape == iou.shape == pred.shape[:1]
    assert np.isfinite(dice).all() and ((iou >= 0) & (iou <= dice + 1e-12) & (dice <= 1)).all()
    both_empty = ~masks[0].any(axis=(-2, -1)) & ~masks[1].any(axis=(-2, -1))
    assert (dice[both_empty] == 1).all() and (iou[both_empty] == 1).all()  # documented convention


def test_mask_scores_reject():
    for fn in (S.confusion_counts, S.dice_score, S.mask_iou):
        for pred, target, name in BAD_MASKS:
            rejects(fn, pred, target, argument=name)


@SETTINGS
@given(st.integers(0, 3), st.integers(1, 5), st.booleans(), st.floats(1e-6, 10), st.data())
def test_soft_dice_loss_valid(batch, size, channel, eps, data):
    shape = (batch, 1, size, size) if channel else (batch, size, size)
    probs = torch.from_numpy(data.draw(hnp.arrays(np.float32, shape, elements=st.floats(0, 1, width=32))))
    target = torch.from_numpy(data.draw(hnp.arrays(np.float32, shape, elements=st.sampled_from([0.0, 1.0]))))
    loss = call_unchanged(S.soft_dice_loss, probs, target, eps)
    assert loss.shape == ()
    assert_finite(loss)
    assert -1e-6 <= loss.item() <= 1 + 1e-6
    if batch == 0:
        assert loss.item() == 0.0  # documented: no images, loss 0 (a mean over nothing would be NaN)


def test_soft_dice_loss_rejects():
    p = torch.full((1, 2, 2), 0.5)
    rejects(S.soft_dice_loss, torch.full((1, 2, 2), 1.5), p, argument="probs")  # measured: accepted
    rejects(S.soft_dice_loss, torch.full((1, 2, 2), -0.1), p, argument="probs")
    rejects(S.soft_dice_loss, p, torch.full((1, 2, 2), 2.0), argument="target")
    for bad in NOT_FLOAT_TENSORS:
        rejects(S.soft_dice_loss, bad, p, argument="probs")
        rejects(S.soft_dice_loss, p, bad, argument="target")
    rejects(S.soft_dice_loss, p, torch.zeros(1, 2, 3), argument=("probs", "target"))
    rejects(S.soft_dice_loss, torch.zeros(4), torch.zeros(4), argument="probs")
    for bad in (0.0, -1.0, float("nan"), float("inf"), None, "1"):
        rejects(S.soft_dice_loss, p, p, eps=bad, argument="eps")


def _setup(n=4, size=6):
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = torch.nn.Conv2d(1, 1, 3, padding=1)
        images = torch.rand(n, 1, size, size)
    masks = (images > 0.5).float()
    return net, torch.optim.SGD(net.parameters(), lr=0.1), images, masks


def test_train_epoch_valid():
    net, opt, images, masks = _setup()
    before = images.clone(), masks.clone()
    loss = S.train_epoch(net, opt, images, masks, batch_size=3, generator=torch.Generator().manual_seed(0))
    assert isinstance(loss, float) and np.isfinite(loss) and loss >= 0
    assert torch.equal(before[0], images) and torch.equal(before[1], masks)
    assert S.train_epoch(net, opt, images[:1], masks[:1], batch_size=16) >= 0  # one image, one partial batch


def test_train_epoch_rejects():
    net, opt, images, masks = _setup()
    rejects(S.train_epoch, net, opt, images[:0], masks[:0], argument="images")  # no images: nothing to average
    rejects(S.train_epoch, net, opt, images, masks[:3], argument=("images", "masks"))
    rejects(S.train_epoch, net, opt, images, masks[:, :, :4], argument=("images", "masks"))
    rejects(S.train_epoch, net, opt, images, masks * 1.5, argument="masks")
    rejects(S.train_epoch, net, opt, images[:, 0], masks, argument="images")
    for bad in NOT_FLOAT_TENSORS:
        rejects(S.train_epoch, net, opt, bad, masks, argument="images")
    rejects(S.train_epoch, net, opt, images.masked_fill(images > 0.9, float("nan")), masks, argument="images")
    for bad in BAD_COUNTS:
        rejects(S.train_epoch, net, opt, images, masks, batch_size=bad, argument="batch_size")
    rejects(S.train_epoch, None, opt, images, masks, argument="net")
    rejects(S.train_epoch, net, None, images, masks, argument="optimizer")
    rejects(S.train_epoch, net, opt, images, masks, generator=3, argument="generator")


def test_predict_probs_valid_and_rejects():
    net, _, images, _ = _setup()
    net.train()
    probs = call_unchanged(lambda x: S.predict_probs(net, x), images)  # (a module compares by identity only)
    assert probs.shape == (4, 1, 6, 6) and ((probs >= 0) & (probs <= 1)).all()
    assert net.training  # put back in the mode it was in
    assert S.predict_probs(net, images[:0]).shape == (0, 1, 6, 6)
    rejects(S.predict_probs, net, images[:, 0], argument="images")
    rejects(S.predict_probs, net, images.numpy(), argument="images")
    rejects(S.predict_probs, lambda x: x, images, argument="net")
