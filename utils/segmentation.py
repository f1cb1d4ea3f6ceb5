"""Segmentation metrics: Dice coefficient and mask IoU (Jaccard index), and the soft Dice loss.

Taught in ``notebooks/16_unet.ipynb``. For binary masks ``P`` (predicted) and ``G`` (ground truth):

* ``Dice = 2 |P ∩ G| / (|P| + |G|) = 2 TP / (2 TP + FP + FN)`` (the F1 score of the pixels);
* ``IoU  = |P ∩ G| / |P ∪ G| = TP / (TP + FP + FN)``;
* they are tied by ``Dice = 2 IoU / (1 + IoU)``: Dice >= IoU, with equality at 0 and 1.

Convention: when both masks are empty the prediction is perfect, so both scores are 1 (sklearn's ``f1_score``
and ``jaccard_score`` return 0 there, with a warning; we differ on purpose and say so here). A batch of no
masks gives empty arrays; the soft Dice loss of no images is 0.
"""

import numpy as np
import torch

from utils import _validate


def _as_masks(pred, target):
    pred, target = np.asarray(pred), np.asarray(target)
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape, got {pred.shape} and {target.shape}")
    if pred.ndim < 2:
        raise ValueError(f"pred must be an (..., H, W) mask, got shape {pred.shape}")
    for name, m in (("pred", pred), ("target", target)):
        if m.dtype.kind not in "biuf" or (m.dtype != bool and not np.isin(m, (0, 1)).all()):
            raise ValueError(f"{name} must be a binary mask (bool or 0/1); threshold probabilities first")
    return pred.astype(bool), target.astype(bool)


def confusion_counts(pred, target):
    """``(TP, FP, FN)`` pixel counts per mask: ``(..., H, W)`` binary masks -> three ``(...)`` int arrays."""
    pred, target = _as_masks(pred, target)
    tp = (pred & target).sum(axis=(-2, -1))
    fp = (pred & ~target).sum(axis=(-2, -1))
    fn = (~pred & target).sum(axis=(-2, -1))
    return tp, fp, fn


def dice_score(pred, target):
    """Dice coefficient ``2 TP / (2 TP + FP + FN)`` of ``(..., H, W)`` binary masks -> ``(...)`` floats (1 if both empty)."""
    tp, fp, fn = confusion_counts(pred, target)
    den = 2 * tp + fp + fn
    return np.where(den > 0, 2 * tp / np.maximum(den, 1), 1.0)


def mask_iou(pred, target):
    """Mask IoU (Jaccard) ``TP / (TP + FP + FN)`` of ``(..., H, W)`` binary masks -> ``(...)`` floats (1 if both empty)."""
    tp, fp, fn = confusion_counts(pred, target)
    den = tp + fp + fn
    return np.where(den > 0, tp / np.maximum(den, 1), 1.0)


def soft_dice_loss(probs, target, eps=1.0):
    """``1 - (2 sum(p g) + eps) / (sum(p) + sum(g) + eps)`` per image, averaged: a differentiable Dice.

    ``probs``: ``(B, 1, H, W)`` or ``(B, H, W)`` probabilities in [0, 1]; ``target`` the same shape, 0/1 floats.
    ``eps`` (a "smooth" of 1, as is common; it must be > 0) keeps an image with an empty mask and an empty
    prediction at loss 0 instead of 0 / 0. A batch of no images has loss 0.
    """
    probs = _validate.tensor(probs, "probs", low=0, high=1)
    target = _validate.tensor(target, "target", low=0, high=1)
    if probs.shape != target.shape or probs.ndim < 2:
        raise ValueError(f"probs and target must be (B, ...) tensors of the same shape, got {tuple(probs.shape)} "
                         f"and {tuple(target.shape)}")
    eps = _validate.number(eps, "eps", low=0, low_open=True)
    p, g = probs.flatten(1), target.flatten(1)  # (B, N)
    dice = (2 * (p * g).sum(1) + eps) / (p.sum(1) + g.sum(1) + eps)
    return 1 - dice.mean() if len(dice) else (1 - dice).sum()  # no images: 0, not the NaN of an empty mean


def train_epoch(net, optimizer, images, masks, batch_size=16, generator=None):
    """One epoch of binary segmentation training with ``BCE + soft Dice`` on shuffled mini-batches.

    ``net`` maps ``(B, C, H, W)`` images to ``(B, 1, H, W)`` logits; ``images`` and ``masks`` are tensors
    ``(N, C, H, W)`` and ``(N, 1, H, W)`` (0/1 floats), ``N >= 1``. ``generator`` (a seeded ``torch.Generator``)
    fixes the order; ``None`` draws it from torch's global generator. Returns the mean loss over the batches (a float).
    """
    images = _validate.tensor(images, "images", ndim=4)
    masks = _validate.tensor(masks, "masks", ndim=4, low=0, high=1)
    if len(images) == 0 or masks.shape != (len(images), 1) + images.shape[2:]:
        raise ValueError(f"images and masks must be (N, C, H, W) and (N, 1, H, W) with N >= 1, "
                         f"got {tuple(images.shape)} and {tuple(masks.shape)}")
    batch_size = _validate.integer(batch_size, "batch_size", low=1)
    if not isinstance(net, torch.nn.Module) or not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(f"net and optimizer must be a torch.nn.Module and a torch.optim.Optimizer, "
                        f"got {type(net).__name__} and {type(optimizer).__name__}")
    net.train()
    order = torch.randperm(len(images), generator=generator)
    losses = []
    for start in range(0, len(images), batch_size):
        idx = order[start:start + batch_size]
        logits = net(images[idx])
        target = masks[idx]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target) + soft_dice_loss(torch.sigmoid(logits), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return float(np.mean(losses))


@torch.no_grad()
def predict_probs(net, images):
    """Probabilities ``sigmoid(net(images))`` in eval mode, as a numpy array ``(N, 1, H, W)`` (``net`` is put back
    in the mode it was in)."""
    images = _validate.tensor(images, "images", ndim=4)
    if not isinstance(net, torch.nn.Module):
        raise ValueError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    was_training = net.training
    net.eval()
    probs = torch.sigmoid(net(images)).numpy()
    net.train(was_training)
    return probs

