"""Checker for the exercise in ``notebooks/00_model_map.ipynb``: trace what a model builds on."""

from utils.checks.core import Case, expect_equal, run_cases
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
