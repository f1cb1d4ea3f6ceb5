"""The shared course helpers: IoU widget, exercise checker, source display, progress bar, data."""

import io

import matplotlib.image
import matplotlib.layout_engine
import numpy as np
import pytest

import utils
import utils.data
from utils import boxes
from utils.checks import check_iou
from utils.checks.boxes import iou_cases
from utils.progress import progress
from utils.source import show_source
from utils.widgets import iou_explorer
from utils.widgets.explorer import figure_to_png


def test_iou_explorer_updates_its_numbers_when_a_control_moves():
    explorer = iou_explorer()
    explorer.controls["cx"].value = 50
    explorer.controls["cy"].value = 45
    explorer.controls["w"].value = 40
    explorer.controls["h"].value = 30
    assert explorer.values["IoU"] == pytest.approx(1.0)  # exactly on the ground truth
    explorer.controls["cx"].value = 95  # far to the right: disjoint
    assert explorer.values["IoU"] == 0.0
    assert explorer.values["GIoU"] < 0 and explorer.values["DIoU"] < 0
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert "IoU" in explorer.readout.value
    assert repr(explorer) == "Explorer(controls=['cx', 'cy', 'w', 'h'])"


def test_iou_explorer_matches_the_library():
    explorer = iou_explorer(cx=42, cy=51, w=17, h=33)
    pred = boxes.box_convert([[42, 51, 17, 33]], "cxcywh", "xyxy")
    gt = np.array([[30.0, 30.0, 70.0, 60.0]])
    assert explorer.values["CIoU"] == pytest.approx(boxes.complete_box_iou(gt, pred)[0, 0])


def reference_iou(a, b):
    return float(boxes.box_iou(np.array([a], float), np.array([b], float))[0, 0])


def test_check_iou_expected_values_agree_with_the_library():
    for case in iou_cases():
        assert reference_iou(*case.args) == pytest.approx(case.expected, abs=1e-12), case.name


def test_check_iou_passes_a_correct_function_and_names_failures():
    assert check_iou(reference_iou).passed

    def plus_one(a, b):  # the old VOC pixel convention
        w = max(0, min(a[2], b[2]) - max(a[0], b[0]) + 1)
        h = max(0, min(a[3], b[3]) - max(a[1], b[1]) + 1)
        inter = w * h
        return inter / ((a[2] - a[0] + 1) * (a[3] - a[1] + 1) + (b[2] - b[0] + 1) * (b[3] - b[1] + 1) - inter)

    report = check_iou(plus_one)
    assert not report.passed
    assert "touching edges" in report.failures
    assert "FAIL" in str(report) and "hint:" in str(report)


def test_check_iou_reports_errors_and_not_implemented():
    def crashes(a, b):
        return undefined_name  # noqa: F821

    report = check_iou(crashes)
    assert "NameError" in str(report) and len(report.failures) == len(iou_cases())

    def stub(a, b):
        raise NotImplementedError

    report = check_iou(stub)
    assert report.not_implemented and not report.passed
    assert "not implemented yet" in str(report)


def test_show_source_is_the_real_source():
    source = show_source(boxes.box_iou)
    assert "def box_iou(boxes1, boxes2):" in repr(source)
    assert repr(source).startswith("# utils/boxes.py, line ")
    assert "```python" in source._repr_markdown_()


def test_progress_outside_a_notebook_just_iterates():
    assert list(progress(range(5))) == [0, 1, 2, 3, 4]


def test_setup_notebook_seeds():
    utils.setup_notebook(seed=3)
    first = np.random.rand()
    utils.setup_notebook(seed=3)
    assert np.random.rand() == first


def test_grace_hopper_and_haar_candidates():
    image = utils.data.grace_hopper()
    assert image.shape == (600, 512, 3) and image.dtype == np.uint8
    found, scores = utils.data.haar_face_candidates(image)
    assert found.shape == (len(scores), 4) and len(scores) > 20  # raw, ungrouped candidates
    assert (found[:, 2:] > found[:, :2]).all()
    with pytest.raises(ValueError, match="image must be"):
        utils.data.haar_face_candidates(np.zeros((10, 10), np.float32))


def test_figure_to_png():
    from utils.widgets.explorer import new_figure

    fig, axes = new_figure()
    axes[0, 0].plot([0, 1], [0, 1])
    assert figure_to_png(fig).startswith(b"\x89PNG")
    fig, axes = new_figure(figsize=(2.0, 1.5))
    png = figure_to_png(fig)
    assert matplotlib.image.imread(io.BytesIO(png)).shape[:2] == (120, 160)  # 80 dpi, fixed size


def test_explorer_keeps_the_first_layout_and_updates_the_image():
    explorer = iou_explorer()
    engine = explorer.fig.get_layout_engine()  # placed once by constrained layout, then frozen
    assert not isinstance(engine, matplotlib.layout_engine.ConstrainedLayoutEngine)
    position = explorer.fig.axes[0].get_position().bounds
    first = explorer.image.value
    explorer.controls["cx"].value = 20
    assert explorer.image.value != first and explorer.fig.axes[0].get_position().bounds == position


def test_clear_artists_keeps_the_axes_set_up():
    from utils.plotting import draw_boxes, image_axes
    from utils.widgets.explorer import clear_artists, new_figure

    fig, axes = new_figure()
    ax = axes[0, 0]
    image_axes(ax, 100, 50, "title")
    ax.set_autoscale_on(False)
    draw_boxes(ax, [[10, 10, 40, 30], [50, 5, 90, 45]], labels=["a", "b"])
    ax.plot([0, 1], [0, 1])
    ax.legend(["line"])
    assert len(ax.patches) == 2 and len(ax.texts) == 2
    assert ax.get_xlim() == (0, 100) and ax.get_ylim() == (50, 0)  # fixed limits: the boxes do not move them
    clear_artists(ax)
    assert not ax.patches and not ax.texts and not ax.lines and ax.get_legend() is None
    assert ax.get_title() == "title" and ax.get_xlabel() == "x (px)" and ax.get_xlim() == (0, 100)


def test_draw_boxes_grows_autoscaled_axes():
    from utils.plotting import draw_boxes
    from utils.widgets.explorer import new_figure

    fig, axes = new_figure()
    ax = axes[0, 0]
    draw_boxes(ax, [[100, 200, 300, 400]])
    ax.autoscale_view()
    assert ax.get_xlim()[1] >= 300 and ax.get_ylim()[1] >= 400
