"""``utils``: the tested implementations behind the computer-vision interview notebooks.

Modules by topic (``boxes``, ``nms``, ``metrics``, ``anchors``, ``losses``, ``blocks``, ...), plus the
shared ``plotting``, ``widgets``, ``data`` and ``checks``. Every notebook starts with
``utils.setup_notebook()``.
"""

import pathlib
import random

import numpy as np

__version__ = "0.1.0"

#: Reference data shipped inside the package (``utils/data/reference``), used by tests and notebooks.
DATA_DIR = pathlib.Path(__file__).resolve().parent / "data" / "reference"


def seed_everything(seed=0):
    """Seed Python's, numpy's and (if it is imported) torch's random generators."""
    random.seed(seed)
    np.random.seed(seed)
    import sys

    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def setup_notebook(seed=0):
    """Course style for figures, stable number printing and fixed seeds: the first line of every notebook."""
    from utils.plotting import use_course_style

    use_course_style()
    np.set_printoptions(precision=4, suppress=True, linewidth=100)
    seed_everything(seed)
