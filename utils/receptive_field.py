"""Receptive field, jump (stride) and centre of every layer of a convolution stack.

Taught in ``notebooks/17_face_detection.ipynb``. The recurrence (Araujo et al., "Computing Receptive
Fields of Convolutional Neural Networks", Distill 2019), layer ``l`` with kernel ``k_l``, stride ``s_l``,
padding ``p_l`` and dilation ``d_l``, starting from the input (``r_0 = 1``, ``j_0 = 1``, ``c_0 = 0``)::

    j_l = j_{l-1} s_l                                   jump: input pixels between neighbouring units
    r_l = r_{l-1} + (k_l - 1) d_l j_{l-1}               receptive field size, in input pixels
    c_l = c_{l-1} + ((k_l - 1) d_l / 2 - p_l) j_{l-1}   centre of unit 0 (input pixel index)

Unit ``i`` of layer ``l`` is centred on input pixel ``c_l + i j_l`` and sees ``r_l`` pixels around it.
Pooling layers follow the same rules. Skip connections (ResNet, LFFD) add a path with a smaller field,
so the field of the sum is the field of the longest path: compute it along that path.

:func:`measured_receptive_field` measures the same numbers on a real torch model, from the gradient of
one output unit with respect to the input.
"""

import copy
from typing import NamedTuple

import numpy as np


class LayerRF(NamedTuple):
    """Receptive field of one layer: size ``rf`` and ``jump`` in input pixels, ``start`` = centre of unit 0."""

    rf: int
    jump: int
    start: float


def _check_ints(values, name, minimum):
    values = list(values)
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum:
            raise ValueError(f"{name}[{i}] must be an int >= {minimum}, got {v!r}")
    return [int(v) for v in values]


def receptive_fields(kernels, strides, paddings=None, dilations=None):
    """Receptive field, jump and centre of every layer of a chain of convolutions / poolings.

    Args:
        kernels: ``L`` kernel sizes (>= 1).
        strides: ``L`` strides (>= 1).
        paddings: ``L`` paddings (>= 0); default all 0.
        dilations: ``L`` dilations (>= 1); default all 1.

    Returns:
        A list of ``L`` :class:`LayerRF` (one per layer, input excluded). An empty stack gives ``[]``.

    Example: two 3x3 convolutions of stride 2 and no padding -> ``rf`` 3 then 7, ``jump`` 2 then 4,
    ``start`` 1 then 3.
    """
    kernels = _check_ints(kernels, "kernels", 1)
    L = len(kernels)
    strides = _check_ints(strides, "strides", 1)
    paddings = [0] * L if paddings is None else _check_ints(paddings, "paddings", 0)
    dilations = [1] * L if dilations is None else _check_ints(dilations, "dilations", 1)
    for name, values in (("strides", strides), ("paddings", paddings), ("dilations", dilations)):
        if len(values) != L:
            raise ValueError(f"{name} has {len(values)} entries but kernels has {L}")
    r, j, c = 1, 1, 0.0
    layers = []
    for k, s, p, d in zip(kernels, strides, paddings, dilations):
        r, j, c = r + (k - 1) * d * j, j * s, c + ((k - 1) * d / 2 - p) * j
        layers.append(LayerRF(r, j, c))
    return layers


def rf_box(layer, row, col):
    """The receptive field of unit ``(row, col)`` of ``layer`` as an xyxy box in input pixel edges
    (pixel ``i`` spans ``[i, i + 1)``). Returns a ``(4,)`` float array; width and height are ``layer.rf``."""
    cx, cy = layer.start + col * layer.jump, layer.start + row * layer.jump
    half = (layer.rf - 1) / 2
    return np.array([cx - half, cy - half, cx + half + 1, cy + half + 1])


def positive_copy(model):
    """A float64 copy of ``model`` with every weight set to ``1 / fan_in`` and every bias to 0.

    With all-positive weights and a positive input, every ReLU passes and no two paths cancel, so
    the gradient of an output unit is nonzero exactly on its receptive field.
    """
    import torch

    model = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.zero_()
            else:
                fan_in = max(1, p[0].numel())
                p.fill_(1.0 / fan_in)
    return model


def measured_receptive_field(model, input_size, in_channels=3, unit=None):
    """Measure the receptive field of one output unit from ``d output / d input``.

    Args:
        model: a torch module mapping ``(1, in_channels, H, W)`` to ``(1, C, h, w)`` (or a callable).
            Its weights are replaced by :func:`positive_copy` first; the original is not changed.
        input_size: ``H`` or ``(H, W)``: make it larger than the field, or the field is cut at the border.
        unit: ``(row, col)`` of the output unit; default the centre unit.

    Returns:
        dict with ``box`` (xyxy in input pixel edges of the nonzero gradient), ``rf`` ``(height, width)``,
        ``centre`` ``(x, y)`` (pixel index), ``unit``, ``output_size`` ``(h, w)`` and ``gradient``, the
        ``(H, W)`` gradient map scaled to max 1 (its bright core is the *effective* receptive field).
    """
    import torch

    H, W = (input_size, input_size) if np.isscalar(input_size) else tuple(input_size)
    net = positive_copy(model) if isinstance(model, torch.nn.Module) else model
    x = torch.ones(1, in_channels, H, W, dtype=torch.float64, requires_grad=True)
    y = net(x)
    h, w = y.shape[-2:]
    row, col = (h // 2, w // 2) if unit is None else unit
    y[0, :, row, col].sum().backward()
    g = x.grad[0].abs().sum(0).numpy()  # (H, W)
    rows, cols = np.nonzero(g > 0)
    box = np.array([cols.min(), rows.min(), cols.max() + 1, rows.max() + 1], float)
    return {
        "box": box,
        "rf": (int(box[3] - box[1]), int(box[2] - box[0])),
        "centre": ((box[0] + box[2] - 1) / 2, (box[1] + box[3] - 1) / 2),
        "unit": (int(row), int(col)),
        "output_size": (int(h), int(w)),
        "gradient": g / g.max(),
    }


def conv_specs(module):
    """``(kernels, strides, paddings, dilations)`` of the ``Conv2d`` / ``MaxPool2d`` / ``AvgPool2d`` layers of
    ``module``, in registration order (right for a plain chain such as ``nn.Sequential``)."""
    import torch.nn as nn

    out = ([], [], [], [])
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            k, s, p = m.kernel_size, m.stride, m.padding
            d = getattr(m, "dilation", 1)
            first = lambda v: v[0] if isinstance(v, tuple) else v  # noqa: E731 - square kernels only
            for lst, v in zip(out, (k, s, p, d)):
                lst.append(int(first(v)))
    return out
