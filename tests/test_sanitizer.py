"""The nbval sanitizer forgives only rounding noise of a difference, never a result (tests/nbval_sanitize.cfg)."""

import configparser
import json
import pathlib
import re
import subprocess
import sys

import pytest

CFG = pathlib.Path(__file__).parent / "nbval_sanitize.cfg"


def sanitize(text):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(CFG)
    for section in parser.sections():
        text = re.sub(parser[section]["regex"], parser[section]["replace"], text)
    return text


@pytest.mark.parametrize("fresh, stored", [
    ("max |a - b| = 2.1e-06", "max |a - b| = 4.3e-07"),
    ("max abs diff 9.5e-07 in float32", "max abs diff 1.2e-07 in float32"),
    ("max |closed form - autograd| = 4.4e-16  (largest |gradient| 0.85)", "max |closed form - autograd| = 0.0e+00  (largest |gradient| 0.85)"),
    ("max rel. error 5.8e-16 (logits -100..100)", "max rel. error 2.2e-16 (logits -100..100)"),
    ("eval mode: max |a - c| = 1.9e-06, max |b - c| = 0.0e+00", "eval mode: max |a - c| = 3.0e-07, max |b - c| = 1.1e-16"),
])
def test_noise_of_a_difference_is_forgiven(fresh, stored):
    assert sanitize(fresh) == sanitize(stored)


@pytest.mark.parametrize("fresh, stored", [
    ("true loss 1.3e-07", "true loss 3.9e-07"),                       # a result three times too large
    ("ours 1.3e-07 vs torchvision 7.2e-06", "ours 3.9e-07 vs torchvision 7.2e-06"),
    ("     1      5   7.52e-08    1.3e-07", "     1      5   7.52e-08    4.0e-07"),  # a table column
    ("gradient 2.3e-07 | 67.1%", "gradient 2.3e-09 | 67.1%"),
    ("max |a - b| = 2.1e-04", "max |a - b| = 2.1e-06"),             # a gap above 1e-5 is a finding, not noise
])
def test_a_wrong_small_result_is_not_forgiven(fresh, stored):
    assert sanitize(fresh) != sanitize(stored)


def _notebook(cells):
    return {
        "cells": [
            {"cell_type": "code", "execution_count": i + 1, "id": f"c{i}", "metadata": {}, "source": src,
             "outputs": [{"name": "stdout", "output_type": "stream", "text": out}]}
            for i, (src, out) in enumerate(cells)
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


def _nbval(tmp_path, cells):
    path = tmp_path / "probe.ipynb"
    path.write_text(json.dumps(_notebook(cells)))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(CFG), str(path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )


def test_nbval_fails_on_a_wrong_small_value(tmp_path):
    # The stored output claims a true loss three times too large: strict nbval must fail.
    run = _nbval(tmp_path, [('print(f"true loss {1.3e-07:.1e}")', "true loss 3.9e-07\n")])
    assert run.returncode != 0, run.stdout


def test_nbval_passes_on_noise_of_a_difference(tmp_path):
    run = _nbval(tmp_path, [('print(f"max abs diff {1.0e-07:.1e}")', "max abs diff 6.0e-08\n")])
    assert run.returncode == 0, run.stdout
