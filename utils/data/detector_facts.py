"""Small factual tables about detectors, each entry with its source. Not data to train on: facts to print.

Used by ``notebooks/06_one_vs_two_stage.ipynb`` (heads, YOLO timeline, speed and accuracy of both kinds),
``notebooks/07_small_objects.ipynb`` (AP on small and large objects) and ``notebooks/17_face_detection.ipynb``
(LFFD branches, light face detectors). Where a source does not state a number, the table says ``"not stated"``
rather than guess.
"""

# Dense heads at a 640 x 640 input: strides of the levels and anchors per location (A).
DENSE_HEADS = {
    "RetinaNet (P3-P7)": {"strides": (8, 16, 32, 64, 128), "anchors": 9, "values": "4 + C",
                          "source": "Lin et al. 2017, Focal Loss for Dense Object Detection: 3 scales x 3 ratios"},
    "YOLOv3 (3 scales)": {"strides": (8, 16, 32), "anchors": 3, "values": "4 + 1 + C",
                          "source": "Redmon & Farhadi 2018, YOLOv3: 9 k-means anchors, 3 per scale"},
    "YOLOv8 (anchor-free)": {"strides": (8, 16, 32), "anchors": 1, "values": "4 + C",
                             "source": "Ultralytics YOLOv8 (2023): one prediction per cell, no anchors"},
    "Faster R-CNN RPN (C4)": {"strides": (16,), "anchors": 9, "values": "4 + 1 (objectness)",
                              "source": "Ren et al. 2015: 3 scales x 3 ratios at stride 16; 300 proposals at test"},
    "Faster R-CNN RPN (FPN, P2-P6)": {"strides": (4, 8, 16, 32, 64), "anchors": 3, "values": "4 + 1 (objectness)",
                                      "source": "Lin et al. 2017 (FPN), Sec. 4.1: one area per level, 32^2 on P2 "
                                                "to 512^2 on P6, x 3 ratios"},
}

# The YOLO line: only what the papers / official releases state.
YOLO_TIMELINE = [
    ("YOLOv1", "2015 (arXiv) / CVPR 2016", "Redmon et al.",
     "S x S = 7 x 7 grid, B = 2 boxes per cell, no anchors: 98 boxes at 448 x 448; one class set per cell"),
    ("YOLOv2 / YOLO9000", "2016 (arXiv) / CVPR 2017", "Redmon & Farhadi",
     "anchor boxes from k-means on box sizes with 1 - IoU distance (k = 5), 13 x 13 grid at 416, batch norm, "
     "multi-scale training"),
    ("YOLOv3", "2018 (tech report)", "Redmon & Farhadi",
     "3 output scales (strides 32/16/8), 3 anchors each (9 from k-means), Darknet-53, independent logistic "
     "class scores"),
    ("YOLOv4", "2020", "Bochkovskiy, Wang, Liao",
     "CSPDarknet53 + SPP + PANet neck, YOLOv3 head (anchors); Mosaic augmentation, CIoU loss"),
    ("YOLOv5", "2020 (code, no paper)", "Ultralytics",
     "anchor-based, 3 scales; AutoAnchor re-fits anchors to the data before training"),
    ("YOLOX", "2021", "Ge et al. (Megvii)",
     "anchor-free: per cell two offsets from the cell's top-left corner plus the box's width and height (the code "
     "predicts them in log space); decoupled classification / box head, SimOTA assignment"),
    ("YOLOv6", "2022", "Li et al. (Meituan)",
     "anchor-free, decoupled head, RepVGG-style re-parameterised backbone, TAL (task-aligned) assignment"),
    ("YOLOv7", "2022", "Wang, Bochkovskiy, Liao", "E-ELAN backbone, re-parameterised convs, anchor-based head"),
    ("YOLOv8", "2023 (code, no paper)", "Ultralytics",
     "anchor-free decoupled head: per cell the distances to the box's left, top, right and bottom edges (as "
     "FCOS), TAL assignment; 3 scales: 8,400 predictions at 640 x 640"),
    ("YOLOv9", "2024", "Wang, Yeh, Liao", "GELAN backbone, programmable gradient information (PGI)"),
    ("YOLOv10", "2024", "Wang et al. (Tsinghua)",
     "consistent dual assignments: trained so that inference needs no NMS"),
]

# LFFD v1 (the paper's model): the released configuration configuration_10_560_25L_8scales_v1.py.
LFFD_V1_BRANCHES = {
    "rf": (55, 71, 111, 143, 223, 383, 511, 639),  # comments of symbol_10_560_25L_8scales_v1.py
    "stride": (4, 4, 8, 8, 16, 32, 32, 32),  # param_receptive_field_stride
    "centre_start": (3, 3, 7, 7, 15, 31, 31, 31),  # param_receptive_field_center_start
    "feature_map_640": (159, 159, 79, 79, 39, 19, 19, 19),  # param_feature_map_size_list
    "face_min": (10, 15, 20, 40, 70, 110, 250, 400),  # param_bbox_small_list
    "face_max": (15, 20, 40, 70, 110, 250, 400, 560),  # param_bbox_large_list
    "source": "github.com/YonghaoHe/LFFD-A-Light-and-Fast-Face-Detector-for-Edge-Devices, face_detection/",
}

# The light face detectors listed by the seed. Sizes are as published by the authors' repositories.
LIGHT_FACE_DETECTORS = [
    {"name": "MTCNN", "year": "2016", "approach": "cascade of 3 small CNNs (P-Net, R-Net, O-Net) over an image "
     "pyramid, + 5 landmarks", "size": "not stated in the paper (facenet-pytorch's weights: 6.6k + 100k + 389k "
     "parameters)", "source": "Zhang et al., IEEE SPL 2016"},
    {"name": "libfacedetection", "year": "2018 (CNN version)", "approach": "small anchor-based CNN in C++ "
     "(replaced an AdaBoost detector in Nov 2018)", "size": "85K parameters, 399 KB PyTorch file (2021 version)",
     "source": "ShiqiYu/libfacedetection ChangeLog"},
    {"name": "RetinaFace", "year": "2019", "approach": "single-stage, anchors on an FPN, context modules, "
     "box + 5 landmarks (+ dense 3D mesh)", "size": "1.7 MB with a MobileNet-0.25 backbone (PyTorch port; "
     "1.68 MB MXNet)", "source": "Deng et al., arXiv:1905.00641; biubug6/Pytorch_Retinaface"},
    {"name": "LFFD", "year": "2019", "approach": "anchor-free: receptive fields as anchors, 8 branches, no BN",
     "size": "9 MB (v1; 2.29 M parameters by our count of utils.blocks.lffd)", "source": "He et al., arXiv:1904.10633"},
    {"name": "Ultra-Light-Fast-Generic-Face-Detector-1MB", "year": "2019", "approach": "SSD-style anchors "
     "(priors), slim and RFB versions", "size": "1.04-1.1 MB FP32 file; 90-109 MFLOPs at 320 x 240",
     "source": "Linzaer/Ultra-Light-Fast-Generic-Face-Detector-1MB README"},
    {"name": "CenterFace", "year": "2019", "approach": "anchor-free, face as a point (CenterNet-style heat map), "
     "+ landmarks", "size": "7.3 MB", "source": "Xu et al., arXiv:1911.03599; Star-Clouds/CenterFace README"},
    {"name": "DBFace", "year": "not stated", "approach": "anchor-free, CenterNet-style centre heat map, "
     "+ landmarks", "size": "7.03 MB (MobileNetV3), 1.73 MB (Small-H)", "source": "dlunion/DBFace README"},
]

# torchvision's FasterRCNN defaults (test time) and the Faster R-CNN paper's RPN training sampler.
TWO_STAGE_DEFAULTS = {
    "rpn_nms_thresh": 0.7, "rpn_post_nms_top_n_test": 1000, "rpn_fg_iou_thresh": 0.7, "rpn_bg_iou_thresh": 0.3,
    "rpn_batch_size_per_image": 256, "rpn_positive_fraction": 0.5,
    "box_batch_size_per_image": 512, "box_positive_fraction": 0.25, "roi_output_size": 7,
    "source": "torchvision.models.detection.FasterRCNN keyword defaults; Ren et al. 2015 (256 anchors, 1:1)",
}

# COCO test-dev box AP, same ResNet-101-FPN backbone: the one-stage RetinaNet passes the two-stage
# Faster R-CNN with FPN. Lin et al. 2017, "Focal Loss for Dense Object Detection", Table 2.
COCO_AP_FOCAL_LOSS_TABLE2 = {
    "Faster R-CNN w FPN (two-stage, ResNet-101-FPN)": 36.2,
    "RetinaNet (one-stage, ResNet-101-FPN)": 39.1,
    "RetinaNet (one-stage, ResNeXt-101-FPN)": 40.8,
}

# COCO test-dev box AP, single models: AP, AP50, AP75, AP_S, AP_M, AP_L. Lin et al. 2017, "Focal Loss for Dense
# Object Detection", Table 2 (RetinaNet-101-800 trained with scale jitter and 1.5x longer than in Table 1e);
# YOLOv3: Redmon & Farhadi 2018, Table 3; Cascade R-CNN and its FPN+ baseline: Cai & Vasconcelos 2018, Table 5.
COCO_TEST_DEV = {
    "Faster R-CNN+++ (ResNet-101-C4)": (34.9, 55.7, 37.4, 15.6, 38.7, 50.9),
    "Faster R-CNN w FPN (ResNet-101-FPN)": (36.2, 59.1, 39.0, 18.2, 39.0, 48.2),
    "Faster R-CNN w FPN+ (ResNet-101, Cai & Vasconcelos)": (38.8, 61.1, 41.9, 21.3, 41.8, 49.8),
    "Cascade R-CNN (ResNet-101)": (42.8, 62.1, 46.3, 23.7, 45.5, 55.2),
    "YOLOv2 (DarkNet-19)": (21.6, 44.0, 19.2, 5.0, 22.4, 35.5),
    "SSD513 (ResNet-101)": (31.2, 50.4, 33.3, 10.2, 34.5, 49.8),
    "YOLOv3-608 (Darknet-53)": (33.0, 57.9, 34.4, 18.3, 35.4, 41.9),
    "RetinaNet (ResNet-101-FPN)": (39.1, 59.1, 42.3, 21.8, 42.7, 50.2),
    "RetinaNet (ResNeXt-101-FPN)": (40.8, 61.1, 44.1, 24.1, 44.2, 51.2),
}
COCO_COLUMNS = ("AP", "AP50", "AP75", "AP_S", "AP_M", "AP_L")

# RetinaNet's accuracy/speed trade-off on COCO test-dev: (ResNet depth, shorter image side in px) ->
# (AP, AP50, AP75, AP_S, AP_M, AP_L, ms per image on an Nvidia M40). Lin et al. 2017, Table 1e. In Sec. 5.2 the
# paper compares RetinaNet-101-600 (36.0 AP, 122 ms) with the ResNet-101-FPN Faster R-CNN (36.2 AP, 172 ms).
RETINANET_TABLE1E = {
    (50, 400): (30.5, 47.8, 32.7, 11.2, 33.8, 46.1, 64),
    (50, 500): (32.5, 50.9, 34.8, 13.9, 35.8, 46.7, 72),
    (50, 600): (34.3, 53.2, 36.9, 16.2, 37.4, 47.4, 98),
    (50, 700): (35.1, 54.2, 37.7, 18.0, 39.3, 46.4, 121),
    (50, 800): (35.7, 55.0, 38.5, 18.9, 38.9, 46.3, 153),
    (101, 400): (31.9, 49.5, 34.1, 11.6, 35.8, 48.5, 81),
    (101, 500): (34.4, 53.1, 36.8, 14.7, 38.5, 49.1, 90),
    (101, 600): (36.0, 55.2, 38.7, 17.4, 39.6, 49.7, 122),
    (101, 700): (37.1, 56.6, 39.8, 19.1, 40.6, 49.4, 154),
    (101, 800): (37.8, 57.5, 40.8, 20.2, 41.1, 49.2, 198),
}
FASTER_RCNN_FPN_101_M40 = {"AP": 36.2, "ms": 172, "source": "Lin et al. 2017 (focal loss), Sec. 5.2"}

# One training recipe for both kinds (detectron2's 3x schedule, ~37 COCO epochs, scale jitter), COCO val2017
# box AP and inference seconds per image (batch 1, one V100). facebookresearch/detectron2, MODEL_ZOO.md at commit
# 8b0953c (its last change), "COCO Object Detection Baselines" (Faster R-CNN and RetinaNet tables). The RetinaNet
# rows are the models retrained with an L1 box loss (commit b0e2687; before: 37.9 and 39.9 AP) and timed after the
# post-processing speed-up of commit 8999946 (before: 0.056 and 0.069 s); the Faster R-CNN rows were timed in an
# earlier benchmark run (commit 9e30f44), so small time differences between the two kinds are not meaningful.
DETECTRON2_3X = {
    "Faster R-CNN R50-FPN": {"kind": "two-stage", "AP": 40.2, "s_per_image": 0.038},
    "RetinaNet R50-FPN": {"kind": "one-stage", "AP": 38.7, "s_per_image": 0.041},
    "Faster R-CNN R101-FPN": {"kind": "two-stage", "AP": 42.0, "s_per_image": 0.051},
    "RetinaNet R101-FPN": {"kind": "one-stage", "AP": 40.4, "s_per_image": 0.054},
    "Faster R-CNN R101-C4": {"kind": "two-stage", "AP": 41.1, "s_per_image": 0.139},
    "Faster R-CNN X101-FPN": {"kind": "two-stage", "AP": 43.0, "s_per_image": 0.098},
}
