"""Exercise checkers (``utils.checks``): every correct answer passes, known bugs fail on the case whose hint
describes them, and nothing a learner writes (None, tensors, huge ints, strings, exceptions, endless loops) makes
a checker raise, hang or print more than a few lines per failing case."""

import math
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import utils.checks as C
from utils import gan
from utils.anchors import wh_iou
from utils.blocks.fpn import fpn_level
from utils.checks import core
from utils.checks.core import Case, FORGOT_RETURN, Mismatch, expect_close, run_cases
from utils.checks.metrics import reference_average_precision
from utils.data.models import lineage, model
from utils.detectors import candidate_count, cells_covered
from utils.nms import nms, textbook_nms

# --------------------------------------------------------------------------- reference solutions (written fresh)


def ref_iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def ref_focal(p, y, alpha, gamma):
    p, y = np.asarray(p, float), np.asarray(y)
    p_t = np.where(y == 1, p, 1 - p)
    return -np.where(y == 1, alpha, 1 - alpha) * (1 - p_t) ** gamma * np.log(p_t)


def _focal_factor_p_t(p, y, alpha, gamma):  # p_t^gamma instead of (1 - p_t)^gamma
    p, y = np.asarray(p, float), np.asarray(y)
    p_t = np.where(y == 1, p, 1 - p)
    return -np.where(y == 1, alpha, 1 - alpha) * p_t ** gamma * np.log(p_t)


def ref_jacobian(x, W1, W2):
    return np.eye(len(x)) + W2 @ ((W1 @ x > 0)[:, None] * W1)


def ref_fuse_bn(kernel, gamma, beta, mean, var, eps):
    scale = gamma / torch.sqrt(var + eps)
    return kernel * scale[:, None, None, None], beta - mean * scale


def ref_unet(size):
    s = size
    for _ in range(4):
        s -= 4
        if s < 2 or s % 2:
            return None
        s //= 2
    s -= 4
    for _ in range(4):
        s = 2 * s - 4
        if s < 1:
            return None
    return s


def ref_receptive_field(kernels, strides):
    r, j = 1, 1
    for k, s in zip(kernels, strides):
        r, j = r + (k - 1) * j, j * s
    return r


def ref_vit(image, patch, layers, d, mlp, classes):
    block = (4 * d * d + 4 * d) + (2 * d * mlp + mlp + d) + 4 * d
    return 3 * patch * patch * d + d + d + ((image // patch) ** 2 + 1) * d + layers * block + 2 * d + d * classes + classes


def _unstable_nms(boxes, scores, t):
    # Ties broken toward the HIGHER index (argsort()[::-1]): another valid rule.
    order = np.argsort(scores)[::-1]
    keep = []
    while order.size:
        i, rest = order[0], order[1:]
        keep.append(int(i))
        order = rest[[ref_iou(boxes[i], boxes[j]) <= t for j in rest]] if rest.size else rest
    return keep


def _ap_no_interpolation(scores, is_tp, num_gt):
    order = np.argsort(-np.asarray(scores, float), kind="stable")
    tp = np.cumsum(np.asarray(is_tp, bool)[order])
    if num_gt == 0:
        return float("nan")
    return float(np.sum(np.diff(np.r_[0, tp / num_gt]) * tp / np.arange(1, len(tp) + 1)))


def _gp_one_sided(critic, real, fake, eps):
    x = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return (torch.clamp(g.norm(dim=1) - 1, min=0) ** 2).mean()


def _gp_detached(critic, real, fake, eps):
    x = (eps * real + (1 - eps) * fake).requires_grad_(True)
    (g,) = torch.autograd.grad(critic(x).sum(), x)  # no create_graph: not differentiable w.r.t. the critic
    return ((g.norm(dim=1) - 1) ** 2).mean()


def _lineage_with_duplicates(name):  # walks every path: a shared ancestor appears twice
    out = []

    def walk(n):
        for parent in model(n).builds_on:
            walk(parent)
        out.append(n)

    walk(name)
    return sorted(out, key=lambda n: (model(n).year, n))


#: checker -> (a correct solution, [(a wrong solution, the case it must fail), ...])
CHECKERS = {
    "check_iou": (ref_iou, [
        (lambda a, b: ref_iou([a[0], a[1], a[2] + 1, a[3] + 1], [b[0], b[1], b[2] + 1, b[3] + 1]), "touching edges"),
        (lambda a, b: _iou_clamp_product(a, b), "disjoint boxes"),
        (lambda a, b: _iou_no_clamp(a, b), "overlap in x only"),
    ]),
    "check_nms": (nms, [
        (lambda b, s, t: textbook_nms(b, s, t, suppress_at_threshold=True), "IoU exactly equal to the threshold"),
        (lambda b, s, t: textbook_nms(b, s, t, plus_one=True), "continuous coordinates (no +1)"),
        (lambda b, s, t: nms(b, np.zeros(len(s)), t), "unsorted scores"),
    ]),
    "check_average_precision": (reference_average_precision, [
        (_ap_no_interpolation, "a later point with higher precision"),
        (lambda s, tp, n: reference_average_precision(s, tp, n) if n else 0.0, "no ground truth"),
    ]),
    "check_wh_iou": (wh_iou, [
        (lambda wh, an: wh_iou(np.asarray(wh)[:, ::-1], an), "a wide box and a tall box"),
    ]),
    "check_focal_loss": (ref_focal, [
        (lambda p, y, a, g: ref_focal(p, y, a, 1.0) * g, "gamma = 0 is alpha-balanced cross-entropy"),
        (_focal_factor_p_t, "the modulating factor uses 1 - p_t, not p_t"),
    ]),
    "check_candidate_count": (candidate_count, [
        (lambda n, strides, a: sum((n // s) ** 2 * a for s in strides), "size not divisible by the stride"),
    ]),
    "check_cells_covered": (cells_covered, [
        (lambda size, stride: (size // stride) ** 2, "object smaller than a cell"),
    ]),
    "check_residual_jacobian": (ref_jacobian, [
        (lambda x, W1, W2: ref_jacobian(x, W1, W2) - np.eye(len(x)), "every ReLU off: only the shortcut is left"),
    ]),
    "check_grouped_conv_params": (lambda ci, co, k, g: co * (ci // g) * k * k, [
        (lambda ci, co, k, g: ci * (ci // g) * k * k, "more outputs than inputs (64 -> 128, 4 groups)"),
    ]),
    "check_separable_flops": (lambda ci, co, k, h, w: 2 * (ci * k * k * h * w + ci * co * h * w), [
        (lambda ci, co, k, h, w: 2 * (co * k * k * h * w + ci * co * h * w), "c_in != c_out (64 -> 16)"),
    ]),
    "check_compound_scaling": (lambda phi, a, b, g: (a ** phi, b ** phi, g ** phi, (a * b * b * g * g) ** phi), [
        (lambda phi, a, b, g: (a ** phi, b ** phi, g ** phi, (a * b * g) ** phi), "width only"),
    ]),
    "check_vit_params": (ref_vit, [
        (lambda *args: ref_vit(*args) - args[3], "no encoder blocks"),
    ]),
    "check_fuse_bn": (ref_fuse_bn, [
        (lambda k, g, b, m, v, e: (k * (g / (v + e))[:, None, None, None], b - m * g / (v + e)),
         "variance 4 halves the kernel"),
    ]),
    "check_fpn_level": (lambda w, h: int(fpn_level(w, h)), [
        (lambda w, h: int(min(5, max(2, round(4 + math.log2(max(math.sqrt(w * h), 1e-9) / 224))))), "just under 224"),
    ]),
    "check_spp_length": (lambda c, levels: c * sum(n * n for n in levels), [
        (lambda c, levels: c * sum(levels) ** 2, "SPPNet's 4-level pyramid"),
    ]),
    "check_unet_output_size": (ref_unet, [
        (lambda s: s - 184, "570: an odd map before a pooling"),
        (lambda s: s - 184 if s % 16 == 12 else None, "too small"),
    ]),
    "check_receptive_field": (ref_receptive_field, [
        (lambda k, s: 1 + sum(kk - 1 for kk in k), "two 3x3 convs, stride 2 first"),
    ]),
    "check_optimal_discriminator": (gan.optimal_discriminator, [
        (lambda p, q: np.asarray(p) / np.maximum(np.asarray(q), 1e-12), "three to one"),
    ]),
    "check_js_divergence": (gan.js_divergence, [
        (lambda p, q: gan.kl_divergence(p, q) if np.all(np.asarray(q) > 0) else 0.0, "a general pair"),
    ]),
    "check_gradient_penalty": (gan.gradient_penalty, [
        (_gp_one_sided, "flat critic"),
        (_gp_detached, "back-propagates to the critic"),
    ]),
    "check_lineage": (lineage, [
        (_lineage_with_duplicates, "two parents sharing an ancestor"),
    ]),
}


def _iou_clamp_product(a, b):  # clamps w * h instead of w and h: two negatives make a positive
    inter = max(0.0, (min(a[2], b[2]) - max(a[0], b[0])) * (min(a[3], b[3]) - max(a[1], b[1])))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _iou_no_clamp(a, b):  # no clamp at all, but returns 0 when the boxes are apart in both axes
    w, h = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    if w < 0 and h < 0:
        return 0.0
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


#: every public checker: the robustness tests below run on all of them, including ones added later
ALL = sorted(name for name in dir(C) if name.startswith("check_"))


def test_every_public_checker_has_a_reference_and_a_bug_in_a_test():
    # Either here in CHECKERS, or in its topic's own tests/test_checks_<topic>.py.
    others = "".join(p.read_text() for p in Path(__file__).parent.glob("test_checks_*.py"))
    missing = [name for name in ALL if name not in CHECKERS and f"{name}(" not in others]
    assert not missing, f"add a correct and a wrong solution for {missing} to CHECKERS"


def _lines_per_failing_case(report):
    """{case name: number of printed lines} for every case that is not ok."""
    blocks, current = {}, None
    for line in str(report).splitlines()[1:]:
        if line.startswith("  note:"):
            current = None
        elif line.startswith("  ") and not line.startswith("   "):
            current = line[8:]
            blocks[current] = 1
        elif current is not None:
            blocks[current] += 1
    return {name: n for name, n in blocks.items() if name in report.failures}


# ----------------------------------------------------------------------------------- (a) and (b): right and wrong


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_reference_solution_passes(name):
    report = getattr(C, name)(CHECKERS[name][0])
    assert report.passed, str(report)
    assert str(report).splitlines()[0].endswith("cases pass  -- well done!")


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_known_bugs_fail_on_the_named_case(name):
    for wrong, case in CHECKERS[name][1]:
        report = getattr(C, name)(wrong)
        assert not report.passed and case in report.failures, f"{name}: {case!r} not in\n{report}"
        assert all(n <= 6 for n in _lines_per_failing_case(report).values()), str(report)


@pytest.mark.parametrize("name", ALL)
def test_stub_is_not_implemented(name):
    def stub(*args, **kwargs):
        raise NotImplementedError

    report = getattr(C, name)(stub)
    assert report.not_implemented and not report.passed
    assert str(report) == "stub: not implemented yet. Write the body, then run this cell again."


# ------------------------------------------------------------------ (c) and (d): whatever the learner does, a short report


def _forever(*args, **kwargs):
    while True:
        pass


def _raises(*args, **kwargs):
    raise ValueError("a learner's bug\nwith a second line")


def _swallows_everything(*args, **kwargs):  # an `except Exception` in the learner's loop must not hide the time-out
    while True:
        try:
            time.sleep(0.001)
        except Exception:  # noqa: BLE001
            pass


class _BadRepr:
    def __repr__(self):
        raise RuntimeError("no repr")


ODD_ANSWERS = {
    "None": lambda *a, **k: None,
    "tensor with requires_grad": lambda *a, **k: torch.tensor(0.5, requires_grad=True),
    "tensor of 3 with requires_grad": lambda *a, **k: torch.ones(3, requires_grad=True),
    "huge int": lambda *a, **k: 10 ** 400,
    "nested list": lambda *a, **k: [[1, 2], [3]],
    "regular nested list": lambda *a, **k: [[0.5]],
    "string": lambda *a, **k: "0.5",
    "array for a number": lambda *a, **k: np.ones(3),
    "big array": lambda *a, **k: np.ones((50, 50)),
    "bool": lambda *a, **k: True,
    "nan": lambda *a, **k: float("nan"),
    "dict": lambda *a, **k: {"iou": 0.5},
    "generator": lambda *a, **k: (i for i in range(3)),
    "object with a broken repr": lambda *a, **k: _BadRepr(),
    "a tuple of odd things": lambda *a, **k: (None, "x", 10 ** 400),
    "raises": _raises,
}


@pytest.mark.parametrize("name", ALL)
def test_odd_answers_give_a_short_report_never_an_exception(name):
    check = getattr(C, name)
    for label, fn in ODD_ANSWERS.items():
        report = check(fn)
        text = str(report)
        assert not report.passed and not report.not_implemented, f"{name} / {label}:\n{text}"
        lines = _lines_per_failing_case(report)
        assert lines and max(lines.values()) <= 8, f"{name} / {label}:\n{text}"
        assert "Traceback" not in text


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_none_says_forgot_return(name):
    report = getattr(C, name)(lambda *a, **k: None)
    if name == "check_unet_output_size":  # None is an answer there ("this size does not work")
        assert "got None: this size works" in str(report)
    else:
        assert FORGOT_RETURN in str(report)


@pytest.mark.parametrize("name", ALL)
def test_endless_loop_is_reported_quickly(name, monkeypatch):
    monkeypatch.setattr(core, "SECONDS", 0.05)
    handler = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    for fn in (_forever, _swallows_everything):
        report = getattr(C, name)(fn)
        text = str(report)
        assert "did not finish within 0.05 s: an endless loop?" in text
        assert not report.passed and len(report.failures) == len(report.results)
        assert sum(r.status == "ERROR" for r in report.results) == core.MAX_TIMEOUTS
        assert all(n <= 6 for n in _lines_per_failing_case(report).values()), text
    assert time.monotonic() - start < 10
    assert signal.getsignal(signal.SIGALRM) is handler
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_fuse_bn_report_is_short():
    # It used to print 515 lines for this one wrong solution (whole tensors in the report).
    report = C.check_fuse_bn(lambda k, g, b, m, v, e: (k * (g / (v + e))[:, None, None, None], b - m * g / (v + e)))
    assert len(str(report).splitlines()) <= 1 + 3 + 5 * 3
    assert "values differ; the largest difference is at" in str(report)


# -------------------------------------------------------------------- every correct answer, in any valid form


def test_nms_accepts_any_valid_tie_rule_and_form():
    assert C.check_nms(_unstable_nms).passed
    assert C.check_nms(lambda b, s, t: [int(i) for i in nms(b, s, t)]).passed
    assert C.check_nms(lambda b, s, t: torch.as_tensor(nms(b, s, t))).passed
    assert C.check_nms(lambda b, s, t: nms(b, s, t).astype(float)).passed
    assert C.check_nms(lambda b, s, t: nms(b.astype(np.float32), s.astype(np.float32), t)).passed
    mask = C.check_nms(lambda b, s, t: np.isin(np.arange(len(b)), nms(b, s, t)))
    assert "mask" in str(mask) and not mask.passed
    twice = C.check_nms(lambda b, s, t: np.r_[nms(b, s, t), nms(b, s, t)[:1]])
    assert "appears twice" in str(twice)


def test_residual_jacobian_accepts_any_relu_subgradient_at_zero():
    for s0 in (0.0, 0.5, 1.0):
        def jac(x, W1, W2, s0=s0):
            pre = W1 @ x
            s = np.where(pre > 0, 1.0, np.where(pre < 0, 0.0, s0))
            return np.eye(len(x)) + W2 @ (s[:, None] * W1)

        assert C.check_residual_jacobian(jac).passed, str(C.check_residual_jacobian(jac))
    outside = C.check_residual_jacobian(lambda x, W1, W2: np.eye(len(x)) + W2 @ ((W1 @ x >= 0)[:, None] * W1) * 2)
    assert "zero input (ReLU'(0): any value in [0, 1])" in outside.failures
    as_float32 = C.check_residual_jacobian(lambda x, W1, W2: torch.as_tensor(ref_jacobian(x, W1, W2)).float())
    assert as_float32.passed
    wrong_shape = C.check_residual_jacobian(lambda x, W1, W2: np.diag(ref_jacobian(x, W1, W2)))
    assert "expected shape (3, 3), got (3,)" in str(wrong_shape)


def test_other_forms_of_correct_answers_pass():
    def as_tensor(fn):
        return lambda *a, **k: torch.as_tensor(fn(*a), dtype=torch.float32).requires_grad_(True)

    assert C.check_iou(as_tensor(ref_iou)).passed
    assert C.check_iou(lambda a, b: np.float32(ref_iou(a, b))).passed
    assert C.check_wh_iou(as_tensor(wh_iou)).passed
    assert C.check_wh_iou(lambda wh, an: wh_iou(wh, an).tolist()).passed
    assert C.check_focal_loss(lambda *a, **k: np.asarray(ref_focal(*a), np.float32)).passed
    assert C.check_focal_loss(lambda *a, **k: ref_focal(*a).tolist()).passed
    assert C.check_candidate_count(lambda *a, **k: float(candidate_count(*a))).passed
    assert C.check_candidate_count(lambda *a, **k: np.int64(candidate_count(*a))).passed
    assert C.check_compound_scaling(lambda *a, **k: list(CHECKERS["check_compound_scaling"][0](*a))).passed
    assert C.check_compound_scaling(lambda *a, **k: np.float32(CHECKERS["check_compound_scaling"][0](*a))).passed
    assert C.check_optimal_discriminator(lambda p, q: gan.optimal_discriminator(p, q).tolist()).passed
    assert C.check_lineage(lambda name: tuple(lineage(name))).passed
    assert C.check_unet_output_size(lambda s: None if ref_unet(s) is None else float(ref_unet(s))).passed

    def fuse_float32_numpy(*args):
        kernel, bias = ref_fuse_bn(*(a.float() if torch.is_tensor(a) else a for a in args))
        return kernel.requires_grad_(True), bias.numpy()

    assert C.check_fuse_bn(fuse_float32_numpy).passed

    def gp_with_epsilon(critic, real, fake, eps):  # sqrt(sum + 1e-12): a common safeguard
        x = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (g,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
        return ((torch.sqrt((g ** 2).sum(dim=1) + 1e-12) - 1) ** 2).mean()

    assert C.check_gradient_penalty(gp_with_epsilon).passed
    coco_marker = C.check_average_precision(lambda s, tp, n: reference_average_precision(s, tp, n) if n else -1)
    assert coco_marker.passed


# ------------------------------------------------------------------------------------------------ the core


def test_expect_close_messages():
    assert expect_close(np.ones(3), np.ones((3, 3))) == "expected shape (3, 3), got (3,)"
    assert expect_close(None, 1.0) == FORGOT_RETURN
    assert expect_close(torch.ones(2, requires_grad=True), [1.0, 1.0]) is None
    assert expect_close(np.float32(1 / 3), 1 / 3) is None
    assert expect_close(4.0, 4) is None and expect_close(4.5, 4) == "expected 4, got 4.5000"
    assert "they differ by" in expect_close(0.12341, 0.12342)
    assert "single number, got an array of shape (3,)" in expect_close(np.ones(3), 1.0)
    assert "too large for a float" in expect_close(10 ** 400, 1.0)
    assert "digits" in expect_close(10 ** 400, 3)
    assert "text" in expect_close("0.5", 0.5)
    assert "bool" in expect_close(True, 1.0)
    assert "different lengths" in expect_close([[1, 2], [3]], np.ones((2, 2)))
    assert "regular array" in expect_close([1, "a"], np.ones(2))
    with pytest.raises(Mismatch, match="did you forget"):
        core.to_number(None)
    with pytest.raises(Mismatch, match="different lengths"):
        core.to_array([[1, 2], [3]])
    assert expect_close(float("nan"), float("nan")) is None
    assert "expected an array of shape (2,), got the single number" in expect_close(0.5, [0.5, 0.5])
    assert expect_close((np.ones(2), torch.zeros(1)), (np.ones(2), np.zeros(1))) is None
    assert expect_close((np.ones(2),), (np.ones(2), np.zeros(1))) == "expected 2 results, got 1"
    many = expect_close(np.arange(100.0).reshape(10, 10) + np.eye(10) * 0.5, np.arange(100.0).reshape(10, 10))
    assert many.startswith("10 of 100 values differ; the largest difference is at [0, 0]")


def test_passing_and_failing_format_is_unchanged():
    # The notebooks store these outputs (01_iou shows a failing report): keep the format line for line.
    passing = str(C.check_iou(ref_iou)).splitlines()
    assert passing[0] == "ref_iou: 12 of 12 cases pass  -- well done!" and passing[1] == "  ok    identical boxes"

    def half_fixed_iou(box_a, box_b):  # the notebook's example
        area_a = (box_a[2] - box_a[0]) * (box_a[3] - box_a[1])
        area_b = (box_b[2] - box_b[0]) * (box_b[3] - box_a[1])
        total = area_a + area_b
        left, right = max(box_a[0], box_b[0]), min(box_a[2], box_b[2])
        top, bottom = max(box_a[1], box_b[1]), min(box_a[3], box_b[3])
        if left >= right or top >= bottom:
            return 0.0
        inter = (right - left) * (bottom - top)
        return inter / (total - inter)

    lines = str(C.check_iou(half_fixed_iou)).splitlines()
    assert lines[:5] == ["half_fixed_iou: 8 of 12 cases pass", "  ok    identical boxes", "  FAIL  partial overlap",
                         "        expected 0.1429, got 0.1111",
                         "        hint: intersection 5 x 5 = 25, union 100 + 100 - 25 = 175."]
    error = str(C.check_iou(_raises)).splitlines()
    assert error[1:4] == ["  ERROR identical boxes", "        raised ValueError: a learner's bug",
                          "        hint: a box overlaps itself completely: intersection = union = its area."]


def test_not_a_function_and_in_place_edits():
    report = C.check_iou(0.5)
    assert not report.passed and "expected a function, got 0.5" in str(report)

    def edits_in_place(wh, anchors):  # must not change the next case's inputs
        out = wh_iou(wh, anchors)
        wh *= 0
        anchors *= 0
        return out

    assert C.check_wh_iou(edits_in_place).passed


def test_not_implemented_inside_the_comparison_counts_as_not_implemented():
    def compare(got, case):
        got.forward()  # a module whose forward is still a stub

    class Stub(torch.nn.Module):
        def forward(self):
            raise NotImplementedError

    assert run_cases(lambda: Stub(), [Case("builds", (), None)], compare=compare).not_implemented


def test_time_limit_restores_an_outer_timer_and_handler():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a, **k: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        report = run_cases(_forever, [Case("endless", (), 1.0, "a loop")], seconds=0.05)
        assert "did not finish within 0.05 s" in str(report)
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < remaining <= 30 and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_outside_the_main_thread_runs_without_a_limit_and_says_so():
    reports = []
    thread = threading.Thread(target=lambda: reports.append(C.check_iou(ref_iou)))
    thread.start()
    thread.join(30)
    (report,) = reports
    assert report.passed and "no time limit here" in str(report)


def test_module_helpers():
    layer = torch.nn.Conv2d(4, 8, 3, bias=False)
    assert core.count_params(layer) == 8 * 4 * 9 and core.expect_params(layer, 288) is None
    assert core.expect_params(layer, 296) == "expected 296 parameters, got 288 (-8)"
    with pytest.raises(Mismatch, match="return an instance"):
        core.to_module(torch.nn.Conv2d)
    with pytest.raises(Mismatch, match="did you forget"):
        core.to_module(None)
    layer.train()
    out = core.module_output(layer, torch.ones(1, 4, 5, 5))
    assert out.shape == (1, 8, 3, 3) and layer.training and not out.requires_grad
    other = torch.nn.Conv2d(4, 8, 3, bias=False)
    core.copy_weights(layer, other)
    assert torch.equal(other.weight, layer.weight)
    with pytest.raises(Mismatch, match="expected shape"):
        core.copy_weights(layer, torch.nn.Conv2d(4, 8, 5, bias=False))


def test_module_checker_pattern_from_the_core_docstring():
    import functools

    from utils.checks.core import count_params, expect_equal, module_output, to_module

    def check_conv_bn(make_block):
        @functools.wraps(make_block)
        def run(c_in, c_out, stride):
            block = to_module(make_block(c_in, c_out, stride))
            return tuple(module_output(block, torch.randn(2, c_in, 8, 8)).shape), count_params(block)
        return run_cases(run, [
            Case("stride 2 halves the map", (16, 32, 2), ((2, 32, 4, 4), 16 * 32 * 9 + 2 * 32),
                 "a 3x3 conv with stride 2 and padding 1, no bias (the BatchNorm has one), then BatchNorm2d."),
        ], compare=lambda got, case: expect_equal(got, case.expected))

    def conv_bn(c_in, c_out, stride):
        return torch.nn.Sequential(torch.nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), torch.nn.BatchNorm2d(c_out))

    assert check_conv_bn(conv_bn).passed
    assert str(check_conv_bn(conv_bn)).startswith("conv_bn: 1 of 1 cases pass")
    with_bias = str(check_conv_bn(lambda i, o, s: torch.nn.Sequential(torch.nn.Conv2d(i, o, 3, s, 1),
                                                                     torch.nn.BatchNorm2d(o))))
    assert "first difference at position 1: expected 4672, got 4704" in with_bias
    no_stride = str(check_conv_bn(lambda i, o, s: conv_bn(i, o, 1)))
    assert "expected (2, 32, 4, 4), got (2, 32, 8, 8)" in no_stride
    assert "return an instance" in str(check_conv_bn(lambda i, o, s: torch.nn.Conv2d))
    assert FORGOT_RETURN in str(check_conv_bn(lambda i, o, s: None))

    def stub(c_in, c_out, stride):
        raise NotImplementedError

    assert check_conv_bn(stub).not_implemented


def test_not_implemented_after_a_first_case_is_an_error_of_that_case():
    def partial(a, b):
        if a == [0, 0, 10, 10] and b == [0, 0, 10, 10]:
            return 1.0
        raise NotImplementedError("only identical boxes so far")

    report = C.check_iou(partial)
    assert not report.not_implemented and report.results[0].status == "ok"
    assert "raised NotImplementedError: only identical boxes so far" in str(report)
