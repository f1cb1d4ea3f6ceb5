"""Checkers for ``notebooks/06_one_vs_two_stage.ipynb`` (candidate counts) and
``notebooks/07_small_objects.ipynb`` (cells covered by an object)."""

from utils.checks.core import Case, run_cases


def candidate_count_cases():
    """Cases for ``fn(input_size, strides, anchors_per_location) -> int`` (square input, one ``A`` for all levels)."""
    return [
        Case("one level, one anchor", (64, (8,), 1), 64,
             "a 64 x 64 input at stride 8 is an 8 x 8 grid: 64 cells, one prediction each."),
        Case("YOLOv8 at 640 (anchor-free)", (640, (8, 16, 32), 1), 8400,
             "sum over levels of (640 / s)^2: 6400 + 1600 + 400."),
        Case("YOLOv3 at 416", (416, (8, 16, 32), 3), 10647,
             "3 anchors per cell on 52x52, 26x26 and 13x13 grids: multiply each level by A before adding."),
        Case("RetinaNet at 640 (P3-P7, 9 anchors)", (640, (8, 16, 32, 64, 128), 9), 76725,
             "five levels: 80, 40, 20, 10 and 5 cells per side, 9 anchors at each cell."),
        Case("size not divisible by the stride", (100, (32,), 1), 16,
             "a padded conv of stride 32 maps 100 pixels to ceil(100 / 32) = 4 cells per side, not 3."),
        Case("RPN of Faster R-CNN at 640", (640, (16,), 9), 14400,
             "a single level at stride 16: 40 x 40 cells x 9 anchors."),
        Case("stride larger than the image", (16, (32,), 2), 2,
             "even an image smaller than the stride leaves one cell per side (ceil)."),
    ]


def check_candidate_count(fn):
    """Check ``fn(input_size, strides, anchors_per_location) -> int``."""
    return run_cases(fn, candidate_count_cases())


def cells_covered_cases():
    """Cases for ``fn(size, stride) -> int``: cells of the grid an ``size x size`` object overlaps when its
    top-left corner sits on a cell corner."""
    return [
        Case("object of exactly one cell", (32, 32), 1, "32 / 32 = 1 cell per side: 1 cell in 2-D."),
        Case("10-pixel face at stride 8", (10, 8), 4,
             "10 pixels reach into a second cell on each axis: ceil(10 / 8) = 2 per side, 2 x 2 = 4."),
        Case("object smaller than a cell", (5, 32), 1, "any object of nonzero size touches at least one cell."),
        Case("large object", (128, 16), 64, "128 / 16 = 8 per side: 64 cells; count in 2-D, not per side."),
        Case("not a multiple of the stride", (100, 32), 16,
             "100 / 32 = 3.1: the object reaches into a 4th cell on each axis (round up, then square)."),
        Case("zero-size object", (0, 8), 0, "an object with no extent overlaps no cell."),
    ]


def check_cells_covered(fn):
    """Check ``fn(size, stride) -> int``."""
    return run_cases(fn, cells_covered_cases())
