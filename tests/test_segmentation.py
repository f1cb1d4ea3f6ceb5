"""utils.segmentation: Dice and mask IoU against pixel loops and scikit-learn, the Dice-IoU identity, the
empty-mask convention, soft Dice, bad input; utils.data.shapes: determinism and shapes."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import f1_score, jaccard_score

from utils.data.shapes import make_shapes
from utils.segmentation import confusion_counts, dice_score, mask_iou, soft_dice_loss


def _brute(pred, target):
    tp = fp = fn = 0
    for p, t in zip(pred.ravel(), target.ravel()):
        tp += bool(p) and bool(t)
        fp += bool(p) and not t
        fn += (not p) and bool(t)
    dice = 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)
    iou = 1.0 if tp + fp + fn == 0 else tp / (tp + fp + fn)
    return dice, iou


masks = arrays(bool, st.tuples(st.integers(1, 9), st.integers(1, 9)))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_vs_brute_force(data):
    pred = data.draw(masks)
    target = data.draw(arrays(bool, pred.shape))
    dice, iou = _brute(pred, target)
    assert dice_score(pred, target) == pytest.approx(dice)
    assert mask_iou(pred, target) == pytest.approx(iou)
    assert dice_score(pred, target) == pytest.approx(2 * iou / (1 + iou))  # Dice = 2 IoU / (1 + IoU)


def test_vs_sklearn():
    rng = np.random.default_rng(0)
    pred, target = rng.random((5, 12, 12)) > 0.5, rng.random((5, 12, 12)) > 0.6
    for p, t, d, i in zip(pred, target, dice_score(pred, target), mask_iou(pred, target)):
        assert d == pytest.approx(f1_score(t.ravel(), p.ravel()))
        assert i == pytest.approx(jaccard_score(t.ravel(), p.ravel()))


def test_batched_and_cases():
    a = np.zeros((2, 3, 4, 4), bool)
    assert dice_score(a, a).shape == (2, 3) and (dice_score(a, a) == 1).all()  # both empty: perfect
    b = a.copy()
    b[..., 0, 0] = True
    assert (mask_iou(b, a) == 0).all() and (dice_score(b, b) == 1).all()
    tp, fp, fn = confusion_counts(b, a)
    assert (tp == 0).all() and (fp == 1).all() and (fn == 0).all()
    assert dice_score(np.array([[1, 1, 0, 0]]), np.array([[1, 0, 1, 0]])) == pytest.approx(0.5)


def test_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        dice_score(np.zeros((3, 3)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="pred must be"):
        mask_iou(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="binary"):
        dice_score(np.full((2, 2), 0.7), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="same shape"):
        soft_dice_loss(torch.zeros(1, 4), torch.zeros(1, 5))
    with pytest.raises(ValueError, match="eps"):
        soft_dice_loss(torch.zeros(1, 4), torch.zeros(1, 4), eps=0.0)  # 0 / 0 for an empty image


def test_soft_dice_equals_dice_on_hard_masks():
    rng = np.random.default_rng(1)
    p, t = rng.random((3, 8, 8)) > 0.5, rng.random((3, 8, 8)) > 0.5
    loss = soft_dice_loss(torch.tensor(p, dtype=torch.float64), torch.tensor(t, dtype=torch.float64), eps=1e-12)
    assert loss.item() == pytest.approx(1 - dice_score(p, t).mean())
    z = torch.zeros(2, 1, 4, 4)
    assert soft_dice_loss(z, z).item() == 0.0


def test_shapes_data():
    x, m = make_shapes(6, size=24, seed=3)
    assert x.shape == m.shape == (6, 1, 24, 24) and x.dtype == np.float32
    assert set(np.unique(m)) <= {0.0, 1.0} and (m.reshape(6, -1).sum(1) > 0).all()
    x2, m2 = make_shapes(6, size=24, seed=3)
    assert np.array_equal(x, x2) and np.array_equal(m, m2)
    assert not np.array_equal(x, make_shapes(6, size=24, seed=4)[0])
    assert make_shapes(0)[0].shape == (0, 1, 32, 32)
    with pytest.raises(ValueError, match="size"):
        make_shapes(3, size=4)


def test_training_learns_on_shapes():
    # a tiny U-Net on the synthetic shapes: loss falls and Dice beats the all-background mask
    from utils.blocks.unet import UNet
    from utils.segmentation import predict_probs, train_epoch

    torch.manual_seed(0)
    x, m = map(torch.from_numpy, make_shapes(64, size=16, seed=0))
    net = UNet(1, 1, base=4, depth=1, padding=1)
    opt = torch.optim.Adam(net.parameters(), 1e-2)
    g = torch.Generator().manual_seed(0)
    losses = [train_epoch(net, opt, x, m, 16, g) for _ in range(10)]
    assert losses[-1] < losses[0]
    probs = predict_probs(net, x)
    assert probs.shape == (64, 1, 16, 16) and 0 <= probs.min() and probs.max() <= 1
    assert dice_score(probs > 0.5, m.numpy() > 0.5).mean() > 0.4
