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

from utils import _validate


class LayerRF(NamedTuple):
    """Receptive field of one layer: size ``rf`` and ``jump`` in input pixels, ``start`` = centre of unit 0."""

    rf: int
    jump: int
    start: float


def _check_ints(values, name, minimum):
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name} must be a sequence of ints, got {values!r}")
    return [_validate.integer(v, f"{name}[{i}]", low=minimum) for i, v in enumerate(values)]


def _check_module(model, name="model"):
    import torch

    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"{name} must be a torch.nn.Module, got {type(model).__name__}")


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
    (pixel ``i`` spans ``[i, i + 1)``). Returns a ``(4,)`` float array; width and height are ``layer.rf``.
    ``layer``: a :class:`LayerRF` (or an ``(rf, jump, start)`` triple); ``row``, ``col``: ints >= 0."""
    if not isinstance(layer, tuple) or len(layer) != 3:
        raise ValueError(f"layer must be a LayerRF (rf, jump, start), got {layer!r}")
    layer = LayerRF(_validate.integer(layer[0], "layer.rf", low=1), _validate.integer(layer[1], "layer.jump", low=1),
                    _validate.number(layer[2], "layer.start"))
    row, col = _validate.integer(row, "row", low=0), _validate.integer(col, "col", low=0)
    cx, cy = layer.start + col * layer.jump, layer.start + row * layer.jump
    half = (layer.rf - 1) / 2
    return np.array([cx - half, cy - half, cx + half + 1, cy + half + 1])


def positive_copy(model):
    """A float64 copy of ``model`` with every weight set to ``1 / fan_in`` and every bias to 0.

    With all-positive weights and a positive input, every ReLU passes and no two paths cancel, so
    the gradient of an output unit is nonzero exactly on its receptive field.
    """
    import torch

    _check_module(model)
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
            Its weights are replaced by :func:`positive_copy` first; the original is not changed. Max pooling
            passes the gradient to one input per window, so it measures less than the formula's field.
        input_size: ``H`` or ``(H, W)``: make it larger than the field, or the field is cut at the border.
        unit: ``(row, col)`` of the output unit; default the centre unit.

    Returns:
        dict with ``box`` (xyxy in input pixel edges of the nonzero gradient), ``rf`` ``(height, width)``,
        ``centre`` ``(x, y)`` (pixel index), ``unit``, ``output_size`` ``(h, w)`` and ``gradient``, the
        ``(H, W)`` gradient map scaled to max 1 (its bright core is the *effective* receptive field).
    """
    import torch

    H, W = _validate.int_pair(input_size, "input_size", low=1)
    in_channels = _validate.integer(in_channels, "in_channels", low=1)
    if not callable(model):
        raise ValueError(f"model must be a torch module or a callable, got {type(model).__name__}")
    net = positive_copy(model) if isinstance(model, torch.nn.Module) else model
    x = torch.ones(1, in_channels, H, W, dtype=torch.float64, requires_grad=True)
    y = net(x)
    if not isinstance(y, torch.Tensor) or y.ndim != 4 or y.shape[0] != 1:
        raise ValueError(f"model must map (1, C, H, W) to (1, C', h, w), got output {getattr(y, 'shape', y)!r}")
    h, w = y.shape[-2:]
    row, col = (h // 2, w // 2) if unit is None else _validate.int_pair(unit, "unit", low=0)
    if not (row < h and col < w):
        raise ValueError(f"unit must be inside the ({h}, {w}) output, got {unit!r}")
    y[0, :, row, col].sum().backward()
    g = x.grad[0].abs().sum(0).numpy()  # (H, W)
    rows, cols = np.nonzero(g > 0)
    if len(rows) == 0:
        raise ValueError("model: the output unit does not depend on the input (zero gradient everywhere)")
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
    ``module``, in registration order (right for a plain chain such as ``nn.Sequential``). Square kernels only:
    a layer with different values along height and width, or a string padding (``"same"``), is refused."""
    import torch.nn as nn

    _check_module(module, "module")
    out = ([], [], [], [])
    for name, m in module.named_modules():
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            for lst, v in zip(out, (m.kernel_size, m.stride, m.padding, getattr(m, "dilation", 1))):
                v = v if isinstance(v, tuple) else (v, v)  # (height, width)
                if v[0] != v[-1] or not isinstance(v[0], int):
                    raise ValueError(f"module: layer {name!r} is not square with integer padding ({m})")
                lst.append(v[0])
    return out

