"""utils.detectors: counts against built anchor grids and a real torch head, brute-force cell counts,
closed-form IoU after a shift, tiling, augmentation, bad input, widgets and checkers."""


import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from utils import detectors
from utils.checks.detectors import check_candidate_count, check_cells_covered
from utils.data.detector_facts import DENSE_HEADS, YOLO_TIMELINE
from utils.widgets.detectors import candidate_count_explorer, small_object_explorer

# --- candidate counts -------------------------------------------------------------------------------------


def test_known_counts():
    assert detectors.candidate_count(640, (8, 16, 32), 1) == 8400  # YOLOv8
    assert detectors.candidate_count(640, (8, 16, 32), 3) == 25200  # YOLOv3 at 640
    assert detectors.candidate_count(416, (8, 16, 32), 3) == 10647  # YOLOv3 paper's 416
    assert detectors.candidate_count(640, (8, 16, 32, 64, 128), 9) == 76725  # RetinaNet
    assert detectors.candidate_count(448, (64,), 2) == 98  # YOLOv1: 7 x 7 x B=2
    assert detectors.candidate_count((480, 640), (32,), [5]) == 15 * 20 * 5


def test_dense_heads_table_counts():
    counts = {k: detectors.candidate_count(640, v["strides"], v["anchors"]) for k, v in DENSE_HEADS.items()}
    assert counts == {"RetinaNet (P3-P7)": 76725, "YOLOv3 (3 scales)": 25200, "YOLOv8 (anchor-free)": 8400,
                      "Faster R-CNN RPN (C4)": 14400, "Faster R-CNN RPN (FPN, P2-P6)": 102300}
    assert [row[0] for row in YOLO_TIMELINE][:3] == ["YOLOv1", "YOLOv2 / YOLO9000", "YOLOv3"]


@settings(max_examples=40, deadline=None)
@given(H=st.integers(1, 300), W=st.integers(1, 300),
       strides=st.lists(st.sampled_from([4, 8, 16, 32, 64]), min_size=1, max_size=4, unique=True),
       ratios=st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=1, max_size=3, unique=True),
       scales=st.lists(st.sampled_from([1.0, 1.26, 1.59]), min_size=1, max_size=3, unique=True))
def test_count_equals_anchors_built(H, W, strides, ratios, scales):
    # Build every anchor of every level and count them: the formula must agree.
    built = sum(len(detectors.anchor_grid((H, W), s, detectors.anchor_shapes(np.array(scales) * 4 * s, ratios)))
                for s in strides)
    assert built == detectors.candidate_count((H, W), strides, len(ratios) * len(scales))


@pytest.mark.parametrize("size", [64, 100, 640, 333])
def test_count_equals_outputs_of_a_torch_head(size):
    # A real network: stride-2 3x3 convs with padding 1, a 1x1 head with A x (4 + C) channels per level.
    torch.manual_seed(0)
    A, C = 3, 2
    stem = [torch.nn.Conv2d(1, 1, 3, stride=2, padding=1) for _ in range(5)]
    head = torch.nn.Conv2d(1, A * (4 + C), 1)
    x, outputs = torch.zeros(1, 1, size, size), 0
    with torch.no_grad():
        for level, conv in enumerate(stem, start=1):
            x = conv(x)
            if 2 ** level in (8, 16, 32):
                outputs += head(x).numel() // (4 + C)
    assert outputs == detectors.candidate_count(size, (8, 16, 32), A)


def test_anchor_shapes_area_and_ratio():
    wh = detectors.anchor_shapes([32, 64], [0.5, 1, 2])
    np.testing.assert_allclose(wh.prod(1), np.repeat([32 ** 2, 64 ** 2], 3))
    np.testing.assert_allclose(wh[:, 1] / wh[:, 0], [0.5, 1, 2, 0.5, 1, 2])


def test_anchor_grid_centres_brute_force():
    a = detectors.anchor_grid(50, 16, [[10, 20], [4, 4]])
    cells = [((j + 0.5) * 16, (i + 0.5) * 16) for i in range(4) for j in range(4)]
    centres = (a[:, :2] + a[:, 2:]) / 2
    np.testing.assert_allclose(centres, np.repeat(cells, 2, axis=0))


def test_raw_output_bytes():
    assert detectors.raw_output_bytes(8400, 84) == 8400 * 84 * 4
    assert detectors.raw_output_bytes(0, 84) == 0


@pytest.mark.parametrize("call", [
    lambda: detectors.candidate_count(0, (8,), 1),
    lambda: detectors.candidate_count(640, (0,), 1),
    lambda: detectors.candidate_count(640, (8, 16), [1, 2, 3]),
    lambda: detectors.candidate_count(640.5, (8,), 1),
    lambda: detectors.raw_output_bytes(-1, 4),
    lambda: detectors.anchor_shapes([-1], [1]),
    lambda: detectors.anchor_shapes([8], [0]),
    lambda: detectors.cells_covered(-1, 8),
    lambda: detectors.cells_covered(10, 0),
    lambda: detectors.iou_after_shift([0], [1]),
    lambda: detectors.tile_windows(100, 32, 32),
    lambda: detectors.tile_windows(100, 0, 0),
])
def test_bad_input(call):
    with pytest.raises(ValueError):
        call()


def test_empty_inputs():
    assert detectors.candidate_count(640, [], 1) == 0
    assert detectors.cells_covered(0, 8) == 0
    assert detectors.iou_after_shift([10], []).shape == (1, 0)


# --- small objects ---------------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(size=st.integers(0, 100), stride=st.sampled_from([4, 8, 16, 32]), offset=st.integers(0, 31))
def test_cells_covered_brute_force(size, stride, offset):
    # Rasterise the object on a 1-pixel grid and count the distinct stride cells it touches.
    if size == 0:
        assert detectors.cells_covered(size, stride, offset) == 0
        return
    cells = {p // stride for p in range(offset, offset + size)}
    assert detectors.cells_covered(size, stride, offset) == len(cells) ** 2


@settings(max_examples=40, deadline=None)
@given(s=st.floats(1, 200), d=st.floats(0, 50))
def test_iou_after_shift_closed_form(s, d):
    along_x = max(s - d, 0) / (s + min(d, s))
    assert detectors.iou_after_shift([s], [d])[0, 0] == pytest.approx(along_x, abs=1e-9)
    inter = max(s - d, 0) ** 2
    assert detectors.iou_after_shift([s], [d], diagonal=True)[0, 0] == pytest.approx(inter / (2 * s * s - inter), abs=1e-9)


def test_small_boxes_lose_more_iou():
    iou = detectors.iou_after_shift([8, 10, 32, 128], [1.0])[:, 0]
    assert np.all(np.diff(iou) > 0)
    assert iou[1] == pytest.approx(9 / 11)
    assert detectors.worst_case_anchor_iou(10, 32) == 0.0
    assert detectors.worst_case_anchor_iou(64, 8) == pytest.approx(60 ** 2 / (2 * 64 ** 2 - 60 ** 2))


# --- tiling and augmentation ----------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(H=st.integers(1, 300), W=st.integers(1, 300), tile=st.integers(8, 128), frac=st.floats(0, 0.9))
def test_tiles_cover_the_image(H, W, tile, frac):
    overlap = int(tile * frac)
    windows = detectors.tile_windows((H, W), tile, overlap)
    covered = np.zeros((H, W), bool)
    for x1, y1, x2, y2 in windows:
        assert x2 - x1 == min(tile, W) and y2 - y1 == min(tile, H)
        covered[y1:y2, x1:x2] = True
    assert covered.all()


def test_detect_tiled_maps_boxes_back():
    image = np.zeros((100, 160), np.uint8)

    def fake_detect(crop):  # one box at the crop's centre, in the crop's (upscaled) pixels
        h, w = crop.shape[:2]
        return np.array([[w / 4, h / 4, 3 * w / 4, 3 * h / 4]]), np.array([1.0])

    boxes, scores, ids = detectors.detect_tiled(image, fake_detect, tile=64, overlap=16, upscale=2.0)
    windows = detectors.tile_windows(image.shape, 64, 16)
    assert len(boxes) == len(windows) == len(scores) == len(ids)
    np.testing.assert_allclose(boxes, windows + np.array([16, 16, -16, -16]))


def test_copy_paste_and_mosaic():
    rng = np.random.default_rng(0)
    image = np.zeros((64, 64, 3), np.uint8)
    out, boxes = detectors.copy_paste(image, np.full((6, 6, 3), 255, np.uint8), 5, rng, boxes=[[0, 0, 10, 10]])
    assert len(boxes) == 6 and out.sum() == 5 * 36 * 3 * 255
    from utils.boxes import box_iou
    iou = box_iou(boxes, boxes)
    assert (iou[~np.eye(len(boxes), dtype=bool)] == 0).all()
    canvas, b = detectors.mosaic([image] * 4, [[[0, 0, 64, 64]]] * 4, 64)
    assert canvas.shape == (64, 64, 3)
    np.testing.assert_allclose(b, [[0, 0, 32, 32], [32, 0, 64, 32], [0, 32, 32, 64], [32, 32, 64, 64]])


# --- widgets and checkers ---------------------------------------------------------------------------------------

def test_candidate_count_widget():
    e = candidate_count_explorer()
    assert e.values["candidates"] == 8400
    e.controls["strides"].value = "8 ... 128 (RetinaNet P3-P7)"
    e.controls["anchors"].value = 9
    assert e.values["candidates"] == 76725
    assert e.values["raw output (MB, float32)"] == round(76725 * 84 * 4 / 1e6, 2)


def test_small_object_widget():
    e = small_object_explorer()
    assert e.values["cells covered"] == 4
    e.controls["stride"].value = 32
    assert e.values["cells covered"] == 1 and e.values["worst-case anchor IoU"] == 0.0
    e.controls["size"].value = 100
    assert e.values["cells covered"] == 16


def test_checkers():
    assert check_candidate_count(detectors.candidate_count).passed
    assert check_cells_covered(detectors.cells_covered).passed

    def stub(*args):
        raise NotImplementedError

    assert check_candidate_count(stub).not_implemented
    wrong = check_cells_covered(lambda size, stride: size // stride)
    assert not wrong.passed and "object smaller than a cell" in wrong.failures
    assert "expected" in str(wrong)


# --- box deltas, anchor assignment, RetinaNet's head ------------------------------------------------------------

def _deltas_by_loop(anchors, boxes, weights):
    # Ren et al. 2015, Eq. 2, one box at a time with centre/size written out (independent of the vectorised code)
    out = []
    for (ax1, ay1, ax2, ay2), (x1, y1, x2, y2) in zip(anchors, boxes):
        aw, ah, w, h = ax2 - ax1, ay2 - ay1, x2 - x1, y2 - y1
        out.append([weights[0] * ((x1 + x2) / 2 - (ax1 + ax2) / 2) / aw,
                    weights[1] * ((y1 + y2) / 2 - (ay1 + ay2) / 2) / ah,
                    weights[2] * math.log(w / aw), weights[3] * math.log(h / ah)])
    return np.array(out).reshape(-1, 4)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(0, 6), weights=st.sampled_from([(1, 1, 1, 1), (10, 10, 5, 5)]))
def test_encode_matches_the_formula_and_decode_inverts_it(seed, n, weights):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(-100, 500, (2, n, 2))
    wh = rng.uniform(1, 300, (n, 2))
    wh = [wh, wh * np.exp(rng.uniform(-3, 3, (n, 2)))]  # boxes up to 20x larger or smaller: below the clamp
    anchors, boxes = (np.concatenate([c, c + s], axis=1) for c, s in zip(xy, wh))
    deltas = detectors.encode_boxes(anchors, boxes, weights)
    np.testing.assert_allclose(deltas, _deltas_by_loop(anchors, boxes, weights), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(detectors.decode_boxes(anchors, deltas, weights), boxes, rtol=1e-9, atol=1e-9)


def test_decode_clamps_like_torchvision():
    anchor = np.array([[0.0, 0.0, 16.0, 16.0]])
    box = detectors.decode_boxes(anchor, np.array([[0.0, 0.0, 50.0, -50.0]]))
    assert box[0, 2] - box[0, 0] == pytest.approx(1000.0)  # 16 * exp(log(1000 / 16))
    assert 0 <= box[0, 3] - box[0, 1] < 1e-15  # only large deltas are clamped: exp(-50) stays tiny, as in torchvision
    with pytest.raises(ValueError, match="deltas"):
        detectors.decode_boxes(anchor, np.array([[1e308, 0.0, 0.0, 0.0]]))


def _assign_by_loop(anchors, boxes, fg, bg, low_quality):
    iou = [[_iou(a, b) for b in boxes] for a in anchors]
    out = []
    for row in iou:
        best = max(row, default=-1.0)  # no box at all: background
        out.append(row.index(best) if best >= fg else (-1 if best < bg else -2))
    if low_quality:
        for j in range(len(boxes)):
            top = max(r[j] for r in iou)
            for i, r in enumerate(iou):
                if top > 0 and r[j] == top:
                    out[i] = r.index(max(r))  # matched to its own best box
    return out


def _iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(0, 4), low_quality=st.booleans())
def test_assign_anchors_against_a_loop(seed, m, low_quality):
    rng = np.random.default_rng(seed)
    anchors = detectors.anchor_grid(64, 16, detectors.anchor_shapes([16, 32], [0.5, 1, 2]))
    xy = rng.integers(0, 56, (m, 2)).astype(float)
    boxes = np.concatenate([xy, xy + rng.integers(2, 40, (m, 2))], axis=1)
    got = detectors.assign_anchors(anchors, boxes, 0.5, 0.4, low_quality)
    assert got.tolist() == _assign_by_loop(anchors.tolist(), boxes.tolist(), 0.5, 0.4, low_quality)


def test_assign_anchors_rules():
    anchors = np.array([[0, 0, 10, 10], [0, 0, 10, 8], [0, 0, 10, 5], [50, 50, 60, 60]], float)
    gt = np.array([[0, 0, 10, 10]], float)
    # IoU 1, 0.8, 0.5, 0: positive, positive, ignored (0.4 <= 0.5 < 0.7), background
    assert detectors.assign_anchors(anchors, gt, 0.7, 0.4).tolist() == [0, 0, -2, -1]
    # a box that only a poor anchor overlaps still gets it (Ren et al.'s first condition)
    thin = np.array([[0, 0, 10, 3]], float)  # IoU 0.3, 0.375, 0.6, 0: no anchor reaches 0.7
    assert detectors.assign_anchors(anchors, thin, 0.7, 0.3).tolist() == [-2, -2, 0, -1]
    assert detectors.assign_anchors(anchors, thin, 0.7, 0.3, allow_low_quality=False).tolist() == [-2, -2, -2, -1]
    assert detectors.assign_anchors(anchors, np.zeros((0, 4))).tolist() == [-1] * 4


def test_retinanet_head_shapes_and_flops_at_640():
    from utils.cost import conv2d_flops, count_flops

    head = detectors.retinanet_head()  # 256 channels, 9 anchors, 80 classes, 4 convs
    sizes = detectors.feature_map_sizes(640, (8, 16, 32, 64, 128))
    with torch.device("meta"):
        meta = detectors.retinanet_head()
    counted = sum(count_flops(meta[k], torch.zeros(1, 256, h, w, device="meta")) for h, w in sizes for k in meta)
    by_hand = sum(8 * conv2d_flops(256, 256, 3, h, w) + conv2d_flops(256, 720, 3, h, w) + conv2d_flops(256, 36, 3, h, w)
                  for h, w in sizes)
    assert counted == by_hand == 110_150_092_800  # 4 + 4 convs of 256 and two outputs: about 110 GFLOPs
    x = torch.zeros(1, 256, 5, 5)
    assert head["cls"](x).shape == (1, 720, 5, 5) and head["box"](x).shape == (1, 36, 5, 5)


def test_the_package_re_exports_every_public_name_of_its_files():
    # utils/detectors/ is split by topic: `from utils.detectors import encode_boxes` must keep working for every name
    import importlib
    import inspect
    import pkgutil

    for info in pkgutil.iter_modules(detectors.__path__):
        module = importlib.import_module(f"utils.detectors.{info.name}")
        defined = {name for name, obj in vars(module).items() if not name.startswith("_") and not inspect.ismodule(obj)
                   and (getattr(obj, "__module__", None) == module.__name__ or name.isupper())}
        assert defined <= set(detectors.__all__), f"not re-exported: {sorted(defined - set(detectors.__all__))}"
        assert all(getattr(detectors, name) is getattr(module, name) for name in defined)
