"""The classic models interviewers ask about: a small table of facts for ``notebooks/00_model_map.ipynb``.

``year`` is the year of the first public version of the paper (arXiv preprint, or the conference for AlexNet).
``params_m`` is the parameter count in millions as stated in the paper (or, marked in ``note``, as in the
reference implementation); ``None`` where it depends on the backbone or no single number is stated.
``builds_on`` names earlier models in this table whose idea the model directly extends.
"""

from dataclasses import dataclass

FAMILIES = ("classification", "detection", "segmentation", "face", "generative")


@dataclass(frozen=True)
class Model:
    name: str
    year: int
    family: str
    idea: str
    params_m: float | None = None
    builds_on: tuple = ()
    notebook: str | None = None
    note: str = ""


CLASSIC_MODELS = (
    # classification backbones
    Model("AlexNet", 2012, "classification", "deep CNN on GPUs with ReLU and dropout wins ImageNet", 60.0),
    Model("VGG-16", 2014, "classification", "stacks of 3x3 convolutions, depth 16-19", 138.0, ("AlexNet",)),
    Model("GoogLeNet", 2014, "classification", "Inception modules: parallel 1x1/3x3/5x5 branches", None, ("AlexNet",),
          note="the paper states 12x fewer parameters than AlexNet"),
    Model("ResNet-50", 2015, "classification", "identity shortcuts: learn a residual F(x), output x + F(x)", 25.6,
          ("VGG-16",), "08_residual_blocks", "as in the reference implementation"),
    Model("DenseNet-121", 2016, "classification", "each layer receives all earlier feature maps (concatenation)", 8.0,
          ("ResNet-50",)),
    Model("ResNeXt-50", 2016, "classification", "cardinality: aggregated transforms as grouped convolution", 25.0,
          ("ResNet-50", "GoogLeNet"), "09_resnext_grouped_conv"),
    Model("MobileNetV1", 2017, "classification", "depthwise-separable convolutions, width multiplier", 4.2,
          ("VGG-16",), "10_depthwise_separable"),
    Model("MobileNetV2", 2018, "classification", "inverted residuals with linear bottlenecks", 3.4,
          ("MobileNetV1", "ResNet-50"), "10_depthwise_separable"),
    Model("MobileNetV3-Large", 2019, "classification", "NAS + NetAdapt, squeeze-excitation, h-swish", 5.4,
          ("MobileNetV2",), "10_depthwise_separable"),
    Model("EfficientNet-B0", 2019, "classification", "compound scaling of depth, width and resolution", 5.3,
          ("MobileNetV2",), "11_efficientnet_scaling"),
    Model("ViT-B/16", 2020, "classification", "a Transformer encoder on 16x16 image patches", 86.0,
          (), "12_vit"),
    Model("RepVGG-A0", 2021, "classification", "train multi-branch, fuse into plain 3x3 convs for inference", 8.3,
          ("VGG-16", "ResNet-50"), "13_repvgg"),
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
          ("Faster R-CNN",), "14_fpn"),
    Model("RetinaNet", 2017, "detection", "focal loss makes a dense one-stage detector as accurate as two-stage", None,
          ("FPN", "SSD"), "05_focal_loss"),
    Model("Mask R-CNN", 2017, "detection", "RoIAlign and a mask head on Faster R-CNN", None, ("Faster R-CNN", "FPN")),
    Model("YOLOv3", 2018, "detection", "three detection scales, Darknet-53 backbone", None, ("YOLOv2", "FPN"),
          "06_one_vs_two_stage"),
    Model("FCOS", 2019, "detection", "anchor-free: per-pixel box distances with centre-ness", None, ("RetinaNet",),
          "06_one_vs_two_stage"),
    Model("YOLOv4", 2020, "detection", "CSP backbone, SPP and PAN neck, mosaic augmentation", None, ("YOLOv3",),
          "15_spp"),
    Model("DETR", 2020, "detection", "set prediction with a Transformer: no anchors, no NMS", None, ("Faster R-CNN",),
          "02_nms"),
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
