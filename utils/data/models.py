"""The classic models interviewers ask about: a small table of facts for ``notebooks/00_model_map.ipynb``.

``year`` is the year of the first public version of the paper (arXiv preprint, or the conference for AlexNet).
``builds_on`` names earlier models in this table whose idea the model directly extends.

The numbers are the papers' own, each checked against the table named in ``source``; ``None`` where the paper
gives no single number (a detector's size depends on its backbone) or where we could not check one:

* ``params_m``: parameters, millions (``note`` says where it comes from the reference implementation instead).
* ``gmacs``: multiply-adds per image at the paper's input size (224 x 224 for the classifiers), billions. Most
  papers call this number "FLOPs"; in the course's convention (:mod:`utils.cost`) it is half the FLOPs.
* ``top1``: ImageNet-1k validation top-1 accuracy, %, single model, trained on ImageNet-1k only, as the paper
  reports it (older papers report the error: ``top1 = 100 - error``); ``note`` names the test protocol
  where it is not one 224 x 224 centre crop.
* ``coco_ap``: COCO box AP (%, IoU 0.50:0.95) of the paper's headline single model, on test-dev unless ``note``
  says otherwise.
"""

from dataclasses import dataclass

FAMILIES = ("classification", "detection", "segmentation", "face", "generative")


@dataclass(frozen=True)
class Model:
    name: str
    year: int
    family: str
    idea: str
    params_m: float | None = None  # parameters, millions
    builds_on: tuple = ()
    notebook: str | None = None  # the notebook of this course that covers it
    note: str = ""
    gmacs: float | None = None  # multiply-adds per image, billions (what papers call "FLOPs")
    top1: float | None = None  # ImageNet-1k top-1 accuracy, %
    coco_ap: float | None = None  # COCO box AP, %
    source: str = ""  # the paper and table each number comes from


_HOWARD_T8 = "Howard et al. 2017 (MobileNets), Table 8"

CLASSIC_MODELS = (
    # classification backbones
    Model("AlexNet", 2012, "classification", "deep CNN on GPUs with ReLU and dropout wins ImageNet", 60.0,
          gmacs=0.72, top1=59.3,
          note="top-1: 40.7% error, one CNN, ILSVRC-2012 val, 10-crop testing (ten 224 x 224 patches averaged, "
               "Sec. 4.1); Howard et al. 2017, Table 9 list it at 57.2%",
          source="Krizhevsky et al. 2012, Sec. 4 and Table 2; multiply-adds: Howard et al. 2017, Table 9"),
    Model("VGG-16", 2014, "classification", "stacks of 3x3 convolutions, depth 16-19", 138.0, ("AlexNet",),
          gmacs=15.3, top1=71.5, source=f"Simonyan & Zisserman 2015, Table 2; {_HOWARD_T8}"),
    Model("GoogLeNet", 2014, "classification", "Inception modules: parallel 1x1/3x3/5x5 branches", 6.8, ("AlexNet",),
          gmacs=1.55, top1=69.8, note="its own paper reports top-5 only (and 12x fewer parameters than AlexNet)",
          source=_HOWARD_T8),
    Model("ResNet-50", 2015, "classification", "identity shortcuts: learn a residual F(x), output x + F(x)", 25.6,
          ("VGG-16",), "08_residual_blocks", gmacs=3.8, top1=77.15,
          note="parameters as in the reference implementation (25,557,032, counted in the notebook); "
               "top-1: 22.85% error with 10-crop testing (one 224 x 224 centre crop: 24.7% error, the authors' "
               "released model, as Hu et al. 2018 quote it in their Table 2)",
          source="He et al. 2016, Tables 1 and 3"),
    Model("DenseNet-121", 2016, "classification", "each layer receives all earlier feature maps (concatenation)", 8.0,
          ("ResNet-50",), top1=74.98,
          note="the paper plots parameters (Fig. 3) but prints no count: 8.0M as in the reference implementation "
               "(torchvision densenet121: 7,978,856, recounted in tests/test_data_models.py); top-1: 25.02% error",
          source="Huang et al. 2017, Table 3"),
    Model("ResNeXt-50", 2016, "classification", "cardinality: aggregated transforms as grouped convolution", 25.0,
          ("ResNet-50", "GoogLeNet"), "09_resnext_grouped_conv", gmacs=4.2, top1=77.8,
          note="top-1: 22.2% error", source="Xie et al. 2017, Tables 1 and 3"),
    Model("MobileNetV1", 2017, "classification", "depthwise-separable convolutions, width multiplier", 4.2,
          ("VGG-16",), "10_depthwise_separable", gmacs=0.569, top1=70.6, source=_HOWARD_T8),
    Model("ShuffleNet", 2017, "classification", "pointwise group convolutions and a channel shuffle between them",
          5.4, ("ResNeXt-50", "MobileNetV1"), "10_depthwise_separable", gmacs=0.524, top1=73.7,
          note="the 2x-wide model with g = 3 groups, the one the paper sets against MobileNetV1 (top-1: 26.3% "
               "error, one 224 x 224 centre crop); the paper prints no parameter counts: 5.4M as Sandler et al. "
               "2018, Table 4 give it; the 1x model: 140 M multiply-adds, 32.6% error (Table 2)",
          source="Zhang et al. 2018, Tables 1, 2 and 5; parameters: Sandler et al. 2018, Table 4"),
    Model("SE-ResNet-50", 2017, "classification",
          "squeeze-and-excitation (SENet): a gate per channel from globally pooled features", 28.1, ("ResNet-50",),
          "11_efficientnet_scaling", gmacs=3.87, top1=76.71,
          note="parameters: ResNet-50 plus about 2.5M (about 10%) for the SE layers (Sec. 4), 28.1M in Table 13 of "
               "the journal version, recounted (28,088,024) in tests/test_data_models.py; top-1: 23.29% error, "
               "single crop", source="Hu et al. 2018, Tables 2 and 13, Sec. 4"),
    Model("MobileNetV2", 2018, "classification", "inverted residuals with linear bottlenecks", 3.4,
          ("MobileNetV1", "ResNet-50"), "10_depthwise_separable", gmacs=0.300, top1=72.0,
          source="Sandler et al. 2018, Table 4"),
    Model("MobileNetV3-Large", 2019, "classification", "NAS + NetAdapt, squeeze-excitation, h-swish", 5.4,
          ("MobileNetV2", "SE-ResNet-50"), "10_depthwise_separable", gmacs=0.219, top1=75.2,
          source="Howard et al. 2019, Table 3"),
    Model("EfficientNet-B0", 2019, "classification", "compound scaling of depth, width and resolution", 5.3,
          ("MobileNetV2", "SE-ResNet-50"), "11_efficientnet_scaling", gmacs=0.39, top1=77.1,
          note="top-1 as in the revised arXiv v5 (as in notebook 11); the ICML 2019 version's Table 2 prints 77.3% "
               "(B7: 84.4% there, 84.3% in v5)",
          source="Tan & Le 2019 (arXiv v5), Table 2"),
    Model("ViT-B/16", 2020, "classification", "a Transformer encoder on 16x16 image patches", 86.0,
          (), "12_vit", top1=77.9,
          note="top-1 fine-tuned at 384 px; 84.0% when pre-trained on ImageNet-21k",
          source="Dosovitskiy et al. 2021, Tables 1 and 5"),
    Model("RepVGG-A0", 2021, "classification", "train multi-branch, fuse into plain 3x3 convs for inference", 8.3,
          ("VGG-16", "ResNet-50"), "13_repvgg", gmacs=1.4, top1=72.41, source="Ding et al. 2021, Table 4"),
    Model("Swin-T", 2021, "classification", "a hierarchical Transformer: attention in shifted local windows", 29.0,
          ("ViT-B/16", "ResNet-50"), "12_vit", gmacs=4.5, top1=81.3,
          note="29M in its own Table 1; the ConvNeXt paper's Table 1 lists it at 28M",
          source="Liu et al. 2021, Table 1"),
    Model("ConvNeXt-T", 2022, "classification", "a ResNet modernised step by step towards Swin: a pure CNN", 29.0,
          ("ResNeXt-50", "Swin-T"), gmacs=4.5, top1=82.1, source="Liu et al. 2022, Table 1"),
    # detectors
    Model("R-CNN", 2013, "detection", "CNN features on ~2000 external region proposals", None, ("AlexNet",),
          "06_one_vs_two_stage"),
    Model("SPPNet", 2014, "detection", "spatial pyramid pooling: features once per image, any input size", None,
          ("R-CNN",), "15_spp"),
    Model("Fast R-CNN", 2015, "detection", "RoI pooling and one network for classification and box regression", None,
          ("R-CNN", "SPPNet"), "06_one_vs_two_stage"),
    Model("Faster R-CNN", 2015, "detection", "a region proposal network (RPN) with anchors", None,
          ("Fast R-CNN",), "06_one_vs_two_stage"),
    Model("YOLOv1", 2015, "detection", "one-stage: boxes and classes regressed on a 7x7 grid", None, (),
          "06_one_vs_two_stage"),
    Model("SSD", 2015, "detection", "one-stage with default boxes on several feature maps", None,
          ("Faster R-CNN", "YOLOv1"), "06_one_vs_two_stage"),
    Model("YOLOv2", 2016, "detection", "anchors from k-means on box sizes, multi-scale training", None,
          ("YOLOv1", "Faster R-CNN"), "04_anchor_kmeans"),
    Model("FPN", 2016, "detection", "top-down pathway and lateral connections: a semantic pyramid", None,
          ("Faster R-CNN",), "14_fpn", coco_ap=36.2, note="Faster R-CNN with FPN, ResNet-101",
          source="Lin et al. 2017a, Table 4"),
    Model("RetinaNet", 2017, "detection", "focal loss makes a dense one-stage detector as accurate as two-stage", None,
          ("FPN", "SSD"), "05_focal_loss", coco_ap=39.1,
          note="ResNet-101-FPN, trained with scale jitter and 1.5x longer than the models of Table 1",
          source="Lin et al. 2017b, Table 2"),
    Model("Mask R-CNN", 2017, "detection", "RoIAlign and a mask head on Faster R-CNN", None, ("Faster R-CNN", "FPN")),
    Model("Cascade R-CNN", 2017, "detection", "three box heads trained at IoU 0.5, 0.6, 0.7, each refining the last",
          None, ("FPN",), "06_one_vs_two_stage", coco_ap=42.8,
          note="ResNet-101 on the authors' stronger FPN re-implementation (FPN+: 38.8 without the cascade)",
          source="Cai & Vasconcelos 2018, Table 5"),
    Model("YOLOv3", 2018, "detection", "three detection scales, Darknet-53 backbone", None, ("YOLOv2", "FPN"),
          "06_one_vs_two_stage", coco_ap=33.0, note="608 x 608 input", source="Redmon & Farhadi 2018, Table 3"),
    Model("FCOS", 2019, "detection", "anchor-free: per-pixel distances to the box sides, centre-ness; still NMS",
          None, ("RetinaNet",), "06_one_vs_two_stage"),
    Model("CenterNet", 2019, "detection", "objects as points: a centre heatmap plus size, peaks instead of NMS", None,
          ("FPN",), coco_ap=42.1, note="Hourglass-104, single-scale testing (45.1 multi-scale)",
          source="Zhou et al. 2019, Table 2"),
    Model("YOLOv4", 2020, "detection", "CSP backbone, SPP and PAN neck, mosaic augmentation", None, ("YOLOv3",),
          "15_spp", coco_ap=43.5, note="CSPDarknet-53, 608 x 608 input",
          source="Bochkovskiy et al. 2020, Tables 8-10"),
    Model("DETR", 2020, "detection", "set prediction with a Transformer: no anchors, no NMS", None, ("Faster R-CNN",),
          "02_nms", coco_ap=42.0, note="ResNet-50; COCO val, not test-dev", source="Carion et al. 2020, Table 1"),
    # segmentation
    Model("FCN", 2014, "segmentation", "fully convolutional: per-pixel classification, learned upsampling", None,
          ("VGG-16",)),
    Model("U-Net", 2015, "segmentation", "contracting and expanding paths joined by skip concatenations", None,
          ("FCN",), "16_unet"),
    Model("DeepLabv3+", 2018, "segmentation", "atrous spatial pyramid pooling with a decoder", None, ("FCN",)),
    # face detection
    Model("MTCNN", 2016, "face", "a cascade of three small CNNs (P-Net, R-Net, O-Net)", None, (),
          "17_face_detection"),
    Model("LFFD", 2019, "face", "anchor-free: receptive fields as natural anchors, 8 branches", None, ("SSD",),
          "17_face_detection"),
    Model("RetinaFace", 2019, "face", "single-stage with landmarks and dense supervision", None, ("RetinaNet",),
          "17_face_detection"),
    # generative
    Model("GAN", 2014, "generative", "a generator and a discriminator in a min-max game", None, (), "18_gan_minmax"),
    Model("CGAN", 2014, "generative", "condition both networks on a label", None, ("GAN",), "19_classic_gans"),
    Model("DCGAN", 2015, "generative", "all-convolutional GAN with batch norm: stable image GANs", None, ("GAN",),
          "19_classic_gans"),
    Model("LSGAN", 2016, "generative", "least-squares loss instead of the log loss", None, ("GAN",),
          "19_classic_gans"),
    Model("Pix2Pix", 2016, "generative", "paired image-to-image translation: conditional GAN + L1, U-Net generator",
          None, ("CGAN", "U-Net"), "19_classic_gans"),
    Model("SRGAN", 2016, "generative", "super-resolution with an adversarial and a perceptual loss", None,
          ("GAN", "ResNet-50"), "19_classic_gans"),
    Model("WGAN", 2017, "generative", "Wasserstein distance with a weight-clipped critic", None, ("GAN",),
          "19_classic_gans"),
    Model("CycleGAN", 2017, "generative", "unpaired translation with a cycle-consistency loss", None, ("Pix2Pix",),
          "19_classic_gans"),
    Model("StyleGAN", 2018, "generative", "style-based generator: mapping network and per-layer styles", None,
          ("DCGAN",)),
)


def classic_models(family=None):
    """The table, optionally filtered by ``family`` (one of ``FAMILIES``), sorted by year then name."""
    if family is not None and family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    rows = [m for m in CLASSIC_MODELS if family is None or m.family == family]
    return sorted(rows, key=lambda m: (m.year, m.name))


def model(name):
    """The row called ``name``."""
    for row in CLASSIC_MODELS:
        if row.name == name:
            return row
    raise ValueError(f"name: no model called {name!r}")


def lineage(name):
    """``name`` and, recursively, every model it builds on, oldest first (ties by name)."""
    seen = {}
    stack = [name]
    while stack:
        current = model(stack.pop())
        if current.name not in seen:
            seen[current.name] = current
            stack.extend(current.builds_on)
    return [m.name for m in sorted(seen.values(), key=lambda m: (m.year, m.name))]
