"""The model table of notebook 00 (utils.data.models): consistent, and its parameter counts recounted where the
architecture is simple enough to count here (the papers' tables are cited in each row's ``source``)."""

import pytest
import torch

from utils.blocks.resnet import resnet
from utils.blocks.vit import vit_num_params
from utils.cost import conv2d_params, count_flops, count_params, linear_params
from utils.data.models import CLASSIC_MODELS, FAMILIES, classic_models, lineage, model


def test_names_unique_and_families_known():
    names = [m.name for m in CLASSIC_MODELS]
    assert len(names) == len(set(names))
    assert {m.family for m in CLASSIC_MODELS} <= set(FAMILIES)


def test_links_point_back_in_time_to_known_models():
    for m in CLASSIC_MODELS:
        for parent in m.builds_on:
            assert model(parent).year <= m.year, (m.name, parent)


def test_every_number_has_a_source_and_a_plausible_range():
    for m in CLASSIC_MODELS:
        numbers = (m.gmacs, m.top1, m.coco_ap)
        if any(v is not None for v in numbers):
            assert "Table" in m.source or "table" in m.source, m.name
        assert m.top1 is None or 50 < m.top1 < 90
        assert m.coco_ap is None or 20 < m.coco_ap < 60
        assert m.gmacs is None or 0.05 < m.gmacs < 50
        assert (m.top1 is None and m.gmacs is None) or m.family == "classification"
        assert m.coco_ap is None or m.family == "detection"


def test_the_models_issue_12_asks_for_are_in():
    for name in ("SE-ResNet-50", "ShuffleNet", "Swin-T", "ConvNeXt-T", "Cascade R-CNN", "CenterNet"):
        assert model(name)


def test_errors_become_accuracies():
    # older papers print the error: the table stores 100 - error
    assert model("ResNet-50").top1 == pytest.approx(100 - 22.85)
    assert model("SE-ResNet-50").top1 == pytest.approx(100 - 23.29)
    assert model("DenseNet-121").top1 == pytest.approx(100 - 25.02)
    assert model("AlexNet").top1 == pytest.approx(100 - 40.7)
    assert model("ShuffleNet").top1 == pytest.approx(100 - 26.3)


def test_test_protocols_are_named():
    # AlexNet's 40.7% and ResNet-50's 22.85% average ten crops (Krizhevsky et al. Sec. 4.1, He et al. Table 3);
    # the chart labels such rows, so the note must say it
    for name in ("AlexNet", "ResNet-50"):
        assert "10-crop" in model(name).note
    assert "10-crop" not in model("DenseNet-121").note  # its 25.02% is the single-crop column of Table 3
    assert "COCO val" in model("DETR").note  # the only COCO AP not on test-dev


def _densenet121_params(k=32, blocks=(6, 12, 24, 16), classes=1000):
    # Huang et al. 2017, Table 1: BN-ReLU-1x1 conv (4k) - BN-ReLU-3x3 conv (k) layers, transitions halve the width
    bn = lambda c: 2 * c  # noqa: E731 - gamma and beta
    c = 2 * k
    total = conv2d_params(3, c, 7) + bn(c)
    for i, n in enumerate(blocks):
        for _ in range(n):
            total += bn(c) + conv2d_params(c, 4 * k, 1) + bn(4 * k) + conv2d_params(4 * k, k, 3)
            c += k
        if i < len(blocks) - 1:
            total += bn(c) + conv2d_params(c, c // 2, 1)
            c //= 2
    return total + bn(c) + linear_params(c, classes)


def _se_params(reduction=16):
    # one SE block after each of ResNet-50's 16 bottlenecks: C -> C/16 -> C, with biases
    return sum(n * (linear_params(c, c // reduction) + linear_params(c // reduction, c))
               for n, c in zip((3, 4, 6, 3), (256, 512, 1024, 2048)))


def test_parameter_counts_recounted():
    resnet50 = count_params(resnet(50))
    assert resnet50 == 25_557_032
    assert round(resnet50 / 1e6, 1) == model("ResNet-50").params_m
    assert _densenet121_params() == 7_978_856  # torchvision's densenet121
    assert round(_densenet121_params() / 1e6, 1) == model("DenseNet-121").params_m
    se = resnet50 + _se_params()
    assert se == 28_088_024 and round(se / 1e6, 1) == model("SE-ResNet-50").params_m
    assert 0.09 < _se_params() / resnet50 < 0.11  # the paper: "~2.5 million additional parameters", "~10%"
    assert round(vit_num_params() / 1e6) == 87 and model("ViT-B/16").params_m == 86.0  # 86.6M; the paper rounds down


def test_resnet50_multiply_adds_reproduce_table_1():
    with torch.device("meta"):
        x = torch.empty(1, 3, 224, 224)
        caffe, torchvision = resnet(50, stride_in_1x1=True), resnet(50)
    assert round(count_flops(caffe, x) / 2e9, 1) == 3.9  # 3.86 G: the paper's Table 1 prints 3.8
    assert round(count_flops(torchvision, x) / 2e9, 2) == 4.09  # stride on the 3x3 (v1.5)


def test_lineage_of_a_new_model():
    assert lineage("ConvNeXt-T")[-1] == "ConvNeXt-T"
    assert {"ResNet-50", "Swin-T", "ViT-B/16"} <= set(lineage("ConvNeXt-T"))


def test_classic_models_sorted_and_filtered():
    rows = classic_models("detection")
    assert [(m.year, m.name) for m in rows] == sorted((m.year, m.name) for m in rows)
    assert {m.family for m in rows} == {"detection"}
    with pytest.raises(ValueError):
        classic_models("nope")
