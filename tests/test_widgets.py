"""Every widget factory driven in the kernel: set a control's value, check ``explorer.values``.

One quick test per factory (the topic test files drive them further), each checking the read-out against the
compute function or a closed form, not against stored numbers. Plus: every factory of ``utils.widgets`` is tested
here, and no widget touches the global random state.
"""

import ast
import pathlib

import numpy as np
import pytest
import torch

import utils.widgets as W

ROOT = pathlib.Path(__file__).resolve().parents[1]
FACTORIES = sorted(name for name in dir(W) if name.endswith("_explorer"))


def test_every_factory_has_a_test_here():
    source = pathlib.Path(__file__).read_text()
    missing = [name for name in FACTORIES if f"def test_{name}" not in source]
    assert not missing, f"widget factories without a test in {pathlib.Path(__file__).name}: {missing}"


def test_no_widget_seeds_the_global_random_state():
    seeding = {("torch", "manual_seed"), ("random", "seed"), ("np.random", "seed"), ("numpy.random", "seed"),
               ("torch", "seed"), ("np.random", "set_state"), ("torch", "set_rng_state")}
    found = []
    for path in sorted((ROOT / "utils" / "widgets").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = ast.unparse(node.func.value)
                if (owner, node.func.attr) in seeding:
                    found.append(f"{path.name}:{node.lineno} {owner}.{node.func.attr}")
    assert not found, f"use a local torch.Generator / np.random.default_rng instead: {found}"


def test_widgets_leave_the_global_random_state_alone():
    torch.manual_seed(1234)
    np.random.seed(1234)
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()[1].copy()
    explorer = W.gradient_flow_explorer(depth=4)
    explorer.controls["depth"].value = 6
    W.repvgg_fusion_explorer().controls["gamma_id"].value = 0.5
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)


def test_iou_explorer():
    from utils.boxes import box_iou

    explorer = W.iou_explorer()
    explorer.controls["cx"].value, explorer.controls["cy"].value = 50.0, 45.0  # the ground truth's centre
    explorer.controls["w"].value, explorer.controls["h"].value = 40.0, 30.0  # and its size
    assert explorer.values["IoU"] == explorer.values["GIoU"] == explorer.values["CIoU"] == 1.0
    explorer.controls["w"].value = 20.0
    expected = box_iou(np.array([[30.0, 30, 70, 60]]), np.array([[40.0, 30, 60, 60]]))[0, 0]
    assert explorer.values["IoU"] == pytest.approx(expected) == pytest.approx(0.5)


def test_nms_steps_explorer():
    explorer = W.nms_steps_explorer()
    explorer.controls["step"].value = 0
    assert explorer.values["kept"] == 0 and explorer.values["remaining"] == 66


def test_nms_threshold_explorer():
    explorer = W.nms_threshold_explorer()
    explorer.controls["iou_threshold"].value = 1.0  # nothing overlaps more than IoU 1: NMS keeps all
    explorer.controls["score_threshold"].value = -3.0
    assert explorer.values["kept"] == explorer.values["candidates"] == 66


def test_soft_nms_explorer():
    explorer = W.soft_nms_explorer()
    explorer.controls["linear_threshold"].value = 0.9  # hardly any decay: the second person keeps a high score
    high = explorer.values["linear: 2nd person"]
    explorer.controls["linear_threshold"].value = 0.0
    assert high > explorer.values["linear: 2nd person"] and explorer.values["greedy NMS: 2nd person"] == 0.0


def test_pr_curve_explorer():
    explorer = W.pr_curve_explorer()
    explorer.controls["iou_threshold"].value = 0.95
    strict = explorer.values["AP COCO 101-point"]
    explorer.controls["iou_threshold"].value = 0.5
    assert strict < explorer.values["AP COCO 101-point"] <= 1
    explorer.controls["method"].value = "voc11"
    assert explorer.values["AP COCO 101-point"] != explorer.values["AP VOC07 11-point"]


def test_postprocessing_explorer():
    from utils.data.detections import crowded_scenes
    from utils.metrics.coco import load_coco
    from utils.metrics.postprocess import evaluate_postprocessing

    explorer = W.postprocessing_explorer()
    explorer.controls["nms_threshold"].value = 0.7
    explorer.controls["score_threshold"].value = 0.3
    stats, kept = evaluate_postprocessing(*load_coco(*crowded_scenes(n_images=30, seed=0)), 0.3, 0.7)
    assert explorer.values == {"detections kept": len(kept), **{k: stats[k] for k in ("AP", "AP50", "AP75", "AR100")}}


def test_anchor_kmeans_explorer():
    explorer = W.anchor_kmeans_explorer()
    explorer.controls["k"].value = 1
    one = explorer.values["avg IoU"]
    explorer.controls["k"].value = 9
    assert explorer.values["avg IoU"] > one  # more anchors fit the sizes better
    explorer.controls["distance"].value = "euclidean"
    assert 0 < explorer.values["avg IoU"] <= 1


def test_focal_loss_explorer():
    from utils import losses as L

    explorer = W.focal_loss_explorer()
    explorer.controls["gamma"].value = 0.0
    explorer.controls["alpha"].value = 0.5
    logits, targets = L.imbalanced_logits()
    expected = L.loss_shares(logits, targets, alpha=0.5, gamma=0.0)
    for name, share in expected.items():
        assert explorer.values[f"FL share: {name}"] == pytest.approx(share, rel=1e-9)
    assert explorer.values["easy negative FL / CE (p_t = 0.9)"] == pytest.approx(0.5)  # alpha_t = 1 - 0.5, no focus


def test_candidate_count_explorer():
    explorer = W.candidate_count_explorer()
    explorer.controls["input_size"].value = 320
    assert explorer.values["candidates"] == 40 * 40 + 20 * 20 + 10 * 10  # strides 8, 16, 32, one anchor each


def test_small_object_explorer():
    explorer = W.small_object_explorer()
    explorer.controls["stride"].value = 16
    explorer.controls["size"].value = 32
    assert explorer.values["object size in cells"] == 2.0


def test_gradient_flow_explorer():
    from utils.widgets.backbones import gradient_flow_numbers

    explorer = W.gradient_flow_explorer(depth=10)
    explorer.controls["depth"].value = 12
    explorer.controls["batchnorm"].value = False
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the widget computes with one thread, as notebook 08 does
    try:
        norms = gradient_flow_numbers(12, batchnorm=False)
    finally:
        torch.set_num_threads(threads)
    assert torch.get_num_threads() == threads  # the widget put the caller's thread count back too
    assert explorer.values["plain: first layer"] == float(norms["plain"][0])
    assert explorer.values["residual: first / last"] == float(norms["residual"][0] / norms["residual"][-1])


def test_cardinality_explorer():
    explorer = W.cardinality_explorer()
    explorer.controls["cardinality"].value = 1  # C = 1 is the ResNet block itself
    assert explorer.values["d"] == 64 and explorer.values["params / ResNet"] == 1.0


def test_separable_conv_explorer():
    explorer = W.separable_conv_explorer()
    explorer.controls["k"].value = 5
    explorer.controls["c_out"].value = 100
    assert explorer.values["FLOPs ratio"] == pytest.approx(1 / 100 + 1 / 25)


def test_compound_scaling_explorer():
    from utils.blocks.efficientnet import ALPHA, BETA, GAMMA

    explorer = W.compound_scaling_explorer()
    explorer.controls["phi"].value = 2.0
    assert explorer.values["predicted FLOPs x"] == pytest.approx((ALPHA * BETA**2 * GAMMA**2) ** 2)
    explorer.controls["phi"].value = 0.0
    assert explorer.values["counted FLOPs x"] == 1.0 and explorer.values["resolution"] == 224


def test_vit_tokens_explorer():
    explorer = W.vit_tokens_explorer()
    explorer.controls["image_size"].value = 384
    explorer.controls["patch_size"].value = 32
    assert explorer.values["tokens T"] == (384 // 32) ** 2 + 1
    assert explorer.values["attention MiB / layer"] == pytest.approx(12 * 145**2 * 4 / 2**20)


def test_repvgg_fusion_explorer():
    explorer = W.repvgg_fusion_explorer()
    explorer.controls["gamma_3x3"].value = 0.0
    explorer.controls["gamma_1x1"].value = 0.0
    # only the identity branch is left: its centre tap is gamma / sqrt(var + eps), its bias -mean * that
    tap = 1.0 / np.sqrt(2.0 + 1e-5)
    assert explorer.values["fused centre tap"] == pytest.approx(tap, rel=1e-6)
    assert explorer.values["fused bias"] == pytest.approx(-0.5 * tap, rel=1e-6)
    assert explorer.values["max |multi-branch - fused|"] < 1e-5


def test_fpn_level_explorer():
    explorer = W.fpn_level_explorer()
    explorer.controls["w"].value, explorer.controls["h"].value = 224, 224  # the canonical size: level k0 = 4
    assert explorer.values["level"] == 4 and explorer.values["stride"] == 16


def test_spp_explorer():
    explorer = W.spp_explorer()
    explorer.controls["channels"].value = 10
    explorer.controls["levels"].value = (1, 3)
    assert explorer.values["output length"] == 10 * (1 + 9) and explorer.values["bins"] == 10


def test_mask_threshold_explorer():
    target = np.zeros((8, 8))
    target[2:6, 2:6] = 1
    probs = target * 0.6 + 0.2  # 0.8 inside, 0.2 outside
    explorer = W.mask_threshold_explorer(np.zeros((8, 8)), probs, target)
    explorer.controls["threshold"].value = 0.1  # everything predicted
    assert explorer.values["predicted pixels"] == 64 and explorer.values["IoU"] == pytest.approx(16 / 64)
    explorer.controls["threshold"].value = 0.5
    assert explorer.values["Dice"] == 1.0


def test_receptive_field_explorer():
    explorer = W.receptive_field_explorer()
    explorer.controls["layer"].value = 1  # conv1: 3x3, stride 2
    assert explorer.values["receptive field (px)"] == 3 and explorer.values["stride (px)"] == 2


def test_model_map_explorer():
    from utils.data.models import classic_models

    explorer = W.model_map_explorer()
    explorer.controls["family"].value = "detection"
    explorer.controls["start"].value = 2016
    expected = [m for m in classic_models("detection") if m.year >= 2016]
    assert explorer.values["models shown"] == len(expected)
    assert explorer.values["first year"] == min(m.year for m in expected)


def _fake_run(n_snapshots, fake_shape, grid_size):
    """What the GAN widgets read from a ``train_gan`` run: snapshots with the step, samples and D on the grid."""
    rng = np.random.default_rng(0)
    return {"snapshots": [{"step": 10 * i, "fake": rng.normal(size=fake_shape),
                           "D": rng.uniform(0.2, 0.8, size=grid_size)} for i in range(n_snapshots)]}


def test_gan_1d_explorer():
    from utils import gan

    x = np.linspace(-4, 4, 101)
    p_data = np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)
    run = _fake_run(3, (300, 1), len(x))
    explorer = W.gan_1d_explorer(run, x, p_data)
    explorer.controls["index"].value = 1
    s = run["snapshots"][1]
    assert explorer.values["step"] == 10
    assert explorer.values["mean D(G(z))"] == pytest.approx(np.interp(s["fake"][:, 0], x, s["D"]).mean())
    expected = gan.js_divergence(p_data, gan.kde_1d(s["fake"][:, 0], x, bandwidth=0.1), x[1] - x[0])
    assert explorer.values["JSD(p_data, p_g)"] == pytest.approx(expected)


def test_gan_zoo_explorer():
    from utils import gan

    g = np.linspace(-3, 3, 9)
    grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    centres = np.array([[2.0, 0.0], [-2.0, 0.0]])
    runs = {"a": _fake_run(2, (200, 2), len(grid)), "b": _fake_run(2, (200, 2), len(grid))}
    runs["b"]["snapshots"][0]["fake"] = np.repeat(centres, 100, axis=0)  # both modes, exactly
    explorer = W.gan_zoo_explorer(runs, centres, 0.05, grid)
    explorer.controls["loss"].value = "b"
    explorer.controls["index"].value = 0
    expected = gan.mode_coverage(runs["b"]["snapshots"][0]["fake"], centres, 0.05)
    assert explorer.values["modes covered"] == expected["modes"] == 2 and explorer.values["loss"] == "b"
