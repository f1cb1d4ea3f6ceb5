"""ResNet's residual blocks, and the small MLPs that measure why the shortcut helps.

He, Zhang, Ren & Sun, "Deep Residual Learning for Image Recognition" (CVPR 2016).
Taught in ``notebooks/08_residual_blocks.ipynb``.

A residual block computes ``y = ReLU(F(x) + shortcut(x))``. The shortcut is the identity when the
shape does not change; when the block changes the number of channels or the resolution (stride 2), it is
a *projection*: a 1x1 convolution with the same stride, followed by BatchNorm (the paper's option B,
torchvision's ``downsample``). The derivative of ``x + F(x)`` is ``I + dF/dx``: the gradient reaching
``x`` has a path that is not multiplied by ``F``'s (often small) Jacobian.

Layouts follow torchvision's ``resnet.py`` (ResNet v1.5: in a Bottleneck the stride is on the 3x3 conv;
``stride_in_1x1=True`` gives the original Caffe models' layout). :class:`PreActBlock` is the pre-activation
block of He et al., "Identity Mappings in Deep Residual Networks" (ECCV 2016), and :func:`resnet` assembles
whole networks, so that their parameters and FLOPs can be counted against the papers' tables.
"""

import torch
from torch import nn

from utils.cost import conv2d_flops, conv2d_params


def check_image_batch(x, channels, name="x"):
    """Raise ``ValueError`` unless ``x`` is a ``(B, channels, H, W)`` tensor."""
    if x.ndim != 4:
        raise ValueError(f"{name} must be a batch of images (B, C, H, W), got a tensor of shape {tuple(x.shape)}")
    if x.shape[1] != channels:
        raise ValueError(f"{name} has {x.shape[1]} channels, the block expects {channels}")


def _check_channels(**channels):
    for name, value in channels.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def projection(in_channels, out_channels, stride):
    """The shortcut, ``(B, C_in, H, W) -> (B, C_out, H/s, W/s)``.

    The identity if the shape is kept, else a projection: 1x1 conv with the block's stride, then BN.
    """
    if stride == 1 and in_channels == out_channels:
        return nn.Identity()
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
        nn.BatchNorm2d(out_channels),
    )


class BasicBlock(nn.Module):
    """ResNet-18/34 block: two 3x3 convs, ``(B, C_in, H, W) -> (B, C_out, H/stride, W/stride)``.

    ``F(x) = BN(conv3x3(ReLU(BN(conv3x3_stride(x)))))``; output ``ReLU(F(x) + shortcut(x))``.
    Conv layers have no bias: the BatchNorm after each one has its own shift.
    """

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        _check_channels(in_channels=in_channels, out_channels=out_channels, stride=stride)
        self.in_channels = in_channels
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = projection(in_channels, out_channels, stride)
        self.relu = nn.ReLU()

    def forward(self, x):
        check_image_batch(x, self.in_channels)
        f = self.relu(self.bn1(self.conv1(x)))  # (B, C_out, H/s, W/s)
        f = self.bn2(self.conv2(f))
        return self.relu(f + self.shortcut(x))


class Bottleneck(nn.Module):
    """ResNet-50/101/152 block: 1x1 reduce, 3x3, 1x1 expand, ``(B, C_in, H, W) -> (B, C_out, H/s, W/s)``.

    ``width`` is the number of channels inside (64 in ResNet-50's first stage, where
    ``C_out = 4 * width = 256``). ``groups > 1`` makes the 3x3 conv a grouped convolution: that is exactly
    a ResNeXt block (``groups`` = cardinality C, ``width = C * d``; see :mod:`utils.blocks.resnext`).
    ``stride_in_1x1=True`` moves the stride to the first 1x1 conv, as in the original Caffe ResNet-50
    (it skips three pixels in four before any 3x3 filter sees them; torchvision's v1.5 strides the 3x3).
    """

    def __init__(self, in_channels, width, out_channels, stride=1, groups=1, stride_in_1x1=False):
        super().__init__()
        _check_channels(in_channels=in_channels, width=width, out_channels=out_channels, stride=stride, groups=groups)
        if width % groups:
            raise ValueError(f"width ({width}) must be divisible by groups ({groups})")
        self.in_channels = in_channels
        s1, s3 = (stride, 1) if stride_in_1x1 else (1, stride)
        self.conv1 = nn.Conv2d(in_channels, width, 1, stride=s1, bias=False)  # reduce
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=s3, padding=1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_channels, 1, bias=False)  # expand
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.shortcut = projection(in_channels, out_channels, stride)
        self.relu = nn.ReLU()

    def forward(self, x):
        check_image_batch(x, self.in_channels)
        f = self.relu(self.bn1(self.conv1(x)))  # (B, width, H, W)
        f = self.relu(self.bn2(self.conv2(f)))  # (B, width, H/s, W/s)
        f = self.bn3(self.conv3(f))  # (B, C_out, H/s, W/s)
        return self.relu(f + self.shortcut(x))


class PreActBlock(nn.Module):
    """ResNet v2 basic block (pre-activation), ``(B, C_in, H, W) -> (B, C_out, H/stride, W/stride)``.

    ``F(x) = conv3x3(ReLU(BN(conv3x3_stride(ReLU(BN(x))))))``; output ``F(x) + shortcut(x)``, with nothing
    after the addition, so stacked blocks give ``x_L = x_l + sum F_i`` (He et al. 2016b, eq. 4): the shortcut
    path is the identity, not the identity followed by a ReLU as in :class:`BasicBlock`. Where the shape
    changes, the shortcut is a 1x1 conv (no BN) that reads the pre-activated input, as in the authors' code
    (KaimingHe/resnet-1k-layers, ``resnet-pre-act.lua``).
    """

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        _check_channels(in_channels=in_channels, out_channels=out_channels, stride=stride)
        self.in_channels = in_channels
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.relu = nn.ReLU()
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:  # no BN after it: the next block normalises first
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)

    def forward(self, x):
        check_image_batch(x, self.in_channels)
        a = self.relu(self.bn1(x))  # pre-activation: BN and ReLU BEFORE the conv
        f = self.conv2(self.relu(self.bn2(self.conv1(a))))  # (B, C_out, H/s, W/s)
        return f + (x if self.shortcut is None else self.shortcut(a))


#: Blocks per stage of the ImageNet ResNets (He et al. 2016, table 1).
STAGES = {18: (BasicBlock, (2, 2, 2, 2)), 34: (BasicBlock, (3, 4, 6, 3)), 50: (Bottleneck, (3, 4, 6, 3)),
          101: (Bottleneck, (3, 4, 23, 3)), 152: (Bottleneck, (3, 8, 36, 3))}


def resnet(depth, num_classes=1000, groups=1, width_per_group=64, stride_in_1x1=False):
    """An ImageNet ResNet (``depth`` in 18, 34, 50, 101, 152), ``(B, 3, 224, 224) -> (B, num_classes)``.

    Stem (7x7 conv stride 2, BN, ReLU, 3x3 max-pool stride 2), four stages at 64, 128, 256, 512 "planes"
    (x4 channels out of a Bottleneck), the first block of stages 2-4 with stride 2 and a projection shortcut
    (option B), global average pooling, one linear layer. ``groups=32, width_per_group=4`` gives ResNeXt-50
    (32x4d): bottleneck width ``groups * width_per_group * planes / 64``, i.e. ``d`` doubles with each stage.
    Made to count parameters and FLOPs (built on the ``meta`` device it costs no memory), not to train here.
    """
    if depth not in STAGES:
        raise ValueError(f"depth must be one of {sorted(STAGES)}, got {depth!r}")
    block, repeats = STAGES[depth]
    if block is BasicBlock and (groups != 1 or width_per_group != 64):
        raise ValueError("groups and width_per_group apply to Bottleneck ResNets (depth >= 50) only")
    layers = [nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
              nn.MaxPool2d(3, stride=2, padding=1)]
    c_in = 64
    for stage, (planes, n) in enumerate(zip((64, 128, 256, 512), repeats)):
        for i in range(n):
            stride = 2 if stage > 0 and i == 0 else 1
            if block is BasicBlock:
                layers.append(BasicBlock(c_in, planes, stride))
                c_in = planes
            else:
                width = planes * width_per_group // 64 * groups
                layers.append(Bottleneck(c_in, width, 4 * planes, stride, groups, stride_in_1x1))
                c_in = 4 * planes
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, num_classes)]
    return nn.Sequential(*layers)


def bottleneck_params(in_channels, width, out_channels, groups=1):
    """Convolution weights of a :class:`Bottleneck` without shortcut and BN: ``C_in w + 9 w^2 / g + w C_out``.

    ResNet-50 conv2: ``bottleneck_params(256, 64, 256) = 69,632``; ResNeXt-50 32x4d:
    ``bottleneck_params(256, 128, 256, groups=32) = 70,144`` (paper, section 3.3: "~70k" each).
    """
    return (conv2d_params(in_channels, width, 1) + conv2d_params(width, width, 3, groups=groups)
            + conv2d_params(width, out_channels, 1))


def bottleneck_flops(in_channels, width, out_channels, h, w, groups=1):
    """FLOPs (2 per multiply-add) of the three convs of a stride-1 :class:`Bottleneck` on one ``h x w`` map."""
    return (conv2d_flops(in_channels, width, 1, h, w) + conv2d_flops(width, width, 3, h, w, groups=groups)
            + conv2d_flops(width, out_channels, 1, h, w))


# --- the measurements of notebook 08: deep MLPs with and without shortcuts ---------------------------

class MLPBlock(nn.Module):
    """``y = x + F(x)`` (``shortcut=True``) or ``y = F(x)`` (a plain layer), ``F = ReLU(BN(Linear(x)))``.

    Shapes: ``(B, width) -> (B, width)``. The same parameters with and without the shortcut, so the two
    versions of a network differ by nothing but the ``+ x``. ``batchnorm=False`` drops the BN.
    """

    def __init__(self, width, shortcut=True, batchnorm=True):
        super().__init__()
        _check_channels(width=width)
        self.width = width
        self.shortcut = shortcut
        self.linear = nn.Linear(width, width)
        self.bn = nn.BatchNorm1d(width) if batchnorm else nn.Identity()
        self.relu = nn.ReLU()

    def forward(self, x):
        if x.ndim != 2 or x.shape[1] != self.width:
            raise ValueError(f"x must have shape (B, {self.width}), got {tuple(x.shape)}")
        f = self.relu(self.bn(self.linear(x)))
        return x + f if self.shortcut else f


def deep_mlp(depth, width=32, in_features=64, num_classes=10, shortcut=True, batchnorm=True):
    """A classifier ``Linear(in, width) -> depth x MLPBlock -> Linear(width, classes)``, ``(B, in) -> (B, classes)``.

    ``depth + 2`` weight layers in all. With ``shortcut=False`` it is a plain network of the same size.
    """
    _check_channels(width=width, in_features=in_features, num_classes=num_classes)
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"depth must be a non-negative integer, got {depth!r}")
    return nn.Sequential(
        nn.Linear(in_features, width),
        *[MLPBlock(width, shortcut, batchnorm) for _ in range(depth)],
        nn.Linear(width, num_classes),
    )


def gradient_norms(model, x, y):
    """Per weight layer, ``||dL/dW||`` for one cross-entropy loss on ``(x, y)``, in input-to-output order.

    Returns a 1-D tensor with one entry per ``nn.Linear`` / ``nn.Conv2d`` of ``model``. Gradients are
    cleared before and after, so the model is left as it was.
    """
    layers = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    model.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    norms = torch.stack([m.weight.grad.norm() for m in layers])
    model.zero_grad()
    return norms


def train_classifier(model, x, y, epochs=5, batch_size=64, lr=0.05, seed=0, progress=None):
    """Train ``model`` with SGD (momentum 0.9) and cross-entropy; return the training loss after each epoch.

    ``x``: ``(N, ...)`` inputs, ``y``: ``(N,)`` class indices. Shuffling is seeded (``seed``), so a run is
    reproducible. ``progress`` wraps the epoch range (e.g. :func:`utils.progress.progress`). The loss
    reported for an epoch is measured on the whole training set in evaluation mode, after the epoch.
    """
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    epochs_range = range(epochs) if progress is None else progress(range(epochs))
    losses = []
    for _ in epochs_range:
        model.train()
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        losses.append(evaluate(model, x, y)[0])
    return losses


def evaluate(model, x, y):
    """``(cross-entropy loss, accuracy)`` of ``model`` on ``(x, y)`` in evaluation mode, as Python floats."""
    model.eval()
    with torch.no_grad():
        logits = model(x)
    loss = nn.functional.cross_entropy(logits, y).item()
    accuracy = (logits.argmax(1) == y).float().mean().item()
    return loss, accuracy


def _seeded_deep_mlp(depth, width, batchnorm, seed):
    """``deep_mlp(depth, width, shortcut=False, batchnorm=batchnorm)`` with the weights ``torch.manual_seed(seed)``
    would give, drawn from a generator of its own: the caller's global random state is neither reset nor advanced.

    The constructor's own default initialisation draws from the global generator: it runs under ``fork_rng``, which
    puts that generator back, and its weights are then replaced, layer by layer in the same order, as PyTorch
    initialises ``nn.Linear``: weights Kaiming-uniform with ``a = sqrt(5)``, biases uniform in ``+-1/sqrt(fan_in)``.
    """
    with torch.random.fork_rng(devices=[]):
        model = deep_mlp(depth, width, shortcut=False, batchnorm=batchnorm)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_uniform_(m.weight, a=5 ** 0.5, generator=generator)
                bound = 1 / m.in_features ** 0.5
                nn.init.uniform_(m.bias, -bound, bound, generator=generator)
    return model


def gradient_flow_numbers(depth, batchnorm=True, width=32, batch=256, seed=0):
    """Per-layer ``||dL/dW||`` at initialisation of :func:`deep_mlp` with and without shortcuts.

    Taught in ``notebooks/08_residual_blocks.ipynb`` (its widget draws these numbers). The weights are those of
    ``torch.manual_seed(seed)``, drawn from a generator of their own (the global random state is left alone).
    One cross-entropy loss on ``batch`` random digit-like inputs (uniform in [0, 1], random labels: at
    initialisation the data hardly matter). Returns ``{"plain": (depth + 2,) array, "residual": ...}``.
    """
    x = torch.rand(batch, 64, generator=torch.Generator().manual_seed(seed))
    y = torch.randint(0, 10, (batch,), generator=torch.Generator().manual_seed(seed + 1))
    model = _seeded_deep_mlp(depth, width, batchnorm, seed)
    norms = {"plain": gradient_norms(model, x, y).numpy()}
    for block in model[1:-1]:  # the same weights with y = x + F(x): one net to build instead of two
        block.shortcut = True
    norms["residual"] = gradient_norms(model, x, y).numpy()
    return norms
