"""Checker for the receptive-field exercise in ``notebooks/17_face_detection.ipynb``."""

from utils.checks.core import Case, run_cases


def receptive_field_cases():
    """Cases for ``fn(kernels, strides) -> int``: receptive field (pixels) of the last layer of a chain."""
    return [
        Case("one 3x3 conv", ([3], [1]), 3, "a single layer sees exactly its kernel."),
        Case("two 3x3 convs, stride 1", ([3, 3], [1, 1]), 5,
             "each 3x3 layer adds k - 1 = 2 pixels when the jump is 1."),
        Case("two 3x3 convs, stride 2 first", ([3, 3], [2, 1]), 7,
             "after a stride-2 layer, neighbouring units are 2 pixels apart: the next 3x3 adds (3 - 1) x 2 = 4."),
        Case("stride of the last layer does not matter", ([3, 3], [1, 2]), 5,
             "a layer's own stride only spaces out the *next* layer's inputs: multiply the jump after adding."),
        Case("1x1 conv adds nothing", ([3, 1, 1], [2, 1, 1]), 3, "a 1x1 kernel adds (1 - 1) x jump = 0."),
        Case("VGG-style: 2 convs + 2x2 pool, twice", ([3, 3, 2, 3, 3, 2], [1, 1, 2, 1, 1, 2]), 16,
             "pooling layers count like convolutions: kernel 2, stride 2."),
        Case("LFFD branch 1 (conv1-conv8)", ([3] * 8, [2, 2, 1, 1, 1, 1, 1, 1]), 55,
             "jumps 1, 2, 4, 4, ...: r = 1 + 2*1 + 2*2 + 6 * 2*4 = 55."),
        Case("empty stack", ([], []), 1, "no layer: each unit is one input pixel, r = 1."),
    ]


def check_receptive_field(fn):
    """Check ``fn(kernels, strides) -> int``."""
    return run_cases(fn, receptive_field_cases())
