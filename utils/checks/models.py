"""Checkers for ``notebooks/00_model_map.ipynb``: trace what a model builds on; the cost of a ResNet-50 bottleneck."""

from utils.checks.core import Case, expect_equal, run_cases, to_number, to_parts
from utils.data.models import lineage


def check_lineage(fn):
    """Check ``fn(name) -> list of names``: the model and everything it builds on, oldest first."""
    cases = [
        Case("a model that builds on nothing", ("AlexNet",), ["AlexNet"],
             "a model with an empty builds_on is its own whole lineage."),
        Case("one parent", ("VGG-16",), lineage("VGG-16"), "include the model itself and its parent."),
        Case("a chain", ("MobileNetV3-Large",), lineage("MobileNetV3-Large"),
             "follow builds_on recursively, not just one level."),
        Case("two parents sharing an ancestor", ("RetinaNet",), lineage("RetinaNet"),
             "a shared ancestor appears once: keep a set of names you have seen."),
        Case("oldest first", ("Pix2Pix",), lineage("Pix2Pix"),
             "sort by year, then by name for models of the same year."),
    ]
    return run_cases(fn, cases, compare=lambda got, case: expect_equal(got, case.expected))


# --- the whiteboard exercise of notebook 00: the cost of one ResNet-50 bottleneck ------------------------------------

def _counted_bottleneck_cost(c_in, width, c_out, stride, h, w):
    """``(parameters, FLOPs)`` of :class:`utils.blocks.resnet.Bottleneck`, counted by :func:`utils.cost.count_params`
    and torch's FLOP counter (on the ``meta`` device: no memory, no arithmetic)."""
    import torch

    from utils.blocks.resnet import Bottleneck
    from utils.cost import count_flops, count_params

    with torch.device("meta"):
        block = Bottleneck(c_in, width, c_out, stride=stride)
        x = torch.empty(1, c_in, h, w)
    return count_params(block), count_flops(block, x)


def _bottleneck_parts(c_in, width, c_out, stride, h, w):
    """What a learner may have left out, as ``{name: (parameters, FLOPs)}``: the pieces a hint can name."""
    h2, w2 = (h - 1) // stride + 1, (w - 1) // stride + 1
    shortcut = stride != 1 or c_in != c_out
    return {
        "bn": (2 * (2 * width + c_out + (c_out if shortcut else 0)), 0),
        "shortcut": ((c_in * c_out + 2 * c_out, 2 * c_in * c_out * h2 * w2) if shortcut else (0, 0)),
    }


def _compare_bottleneck_cost(got, case):
    """Exact integers; where the difference is one known piece (BN, the shortcut, a factor 2), say which."""
    params, flops = (to_number(v) for v in to_parts(got, 2))
    want_params, want_flops = case.expected
    problems = []
    if params != want_params:
        gap = want_params - params
        why = {v[0]: k for k, v in _bottleneck_parts(*case.args).items() if v[0]}.get(gap)
        problems.append(f"parameters: expected {want_params:,}, got {params:,}"
                        + {"bn": " (missing: BatchNorm's gamma and beta, 2 per channel)",
                           "shortcut": " (missing: the projection shortcut)"}.get(why, ""))
    if flops != want_flops:
        why = ""
        if flops * 2 == want_flops:
            why = " (half: a multiply-add is 2 FLOPs)"
        elif want_flops - flops == _bottleneck_parts(*case.args)["shortcut"][1] > 0:
            why = " (missing: the projection shortcut's 1x1 conv)"
        problems.append(f"FLOPs: expected {want_flops:,}, got {flops:,}{why}")
    return "; ".join(problems) or None


def bottleneck_cost_cases():
    """Cases for ``fn(c_in, width, c_out, stride, h, w) -> (parameters, FLOPs)`` of one ResNet bottleneck."""
    cases = [
        ("conv2_2: identity shortcut (256 -> 64 -> 256, 56x56)", (256, 64, 256, 1, 56, 56),
         "three convs, no bias; each conv is followed by a BatchNorm with 2 parameters per channel (gamma, beta); "
         "FLOPs = 2 x multiply-adds, counted at the size of each conv's output."),
        ("conv2_1: channels change, so the shortcut is a 1x1 conv + BN (64 -> 64 -> 256)", (64, 64, 256, 1, 56, 56),
         "where c_in != c_out the shortcut is a projection: a 1x1 conv c_in -> c_out (no bias) and a BatchNorm."),
        ("conv3_1: stride 2 on the 3x3 (256 -> 128 -> 512, 56x56 in, 28x28 out)", (256, 128, 512, 2, 56, 56),
         "the first 1x1 runs at the input size (56x56); the 3x3, the last 1x1 and the shortcut at the output size "
         "(28x28); the shortcut is a projection because the stride is 2."),
        ("conv5_1 at 14x14 (1024 -> 512 -> 2048)", (1024, 512, 2048, 2, 14, 14),
         "the same block at the last stage: 14x14 in, 7x7 out."),
        ("odd input size with stride 2 (15x15 in, 8x8 out)", (64, 32, 128, 2, 15, 15),
         "a 3x3 conv with padding 1 and stride 2 gives floor((15 + 2 - 3) / 2) + 1 = 8, not 7: round up."),
        ("non-square input (20x12)", (128, 32, 128, 1, 20, 12), "multiply by h * w, not h * h."),
    ]
    return [Case(name, args, _counted_bottleneck_cost(*args), hint) for name, args, hint in cases]


def check_bottleneck_cost(fn):
    """Check ``fn(c_in, width, c_out, stride, h, w) -> (parameters, FLOPs)`` of one ResNet-50 bottleneck block
    (notebook 00): 1x1 conv to ``width``, 3x3 conv with the stride, 1x1 conv to ``c_out``, a BatchNorm after each,
    and a projection shortcut (1x1 conv + BN) where the shape changes; FLOPs for one ``h x w`` image, 2 per
    multiply-add, convolutions only. The expected numbers are counted on :class:`utils.blocks.resnet.Bottleneck`
    by :func:`utils.cost.count_params` and torch's FLOP counter."""
    return run_cases(fn, bottleneck_cost_cases(), compare=_compare_bottleneck_cost)
