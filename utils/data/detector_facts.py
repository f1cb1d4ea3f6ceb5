"""Small factual tables about detectors, each entry with its source. Not data to train on: facts to print.

Used by ``notebooks/06_one_vs_two_stage.ipynb`` (heads, YOLO timeline) and
``notebooks/17_face_detection.ipynb`` (LFFD branches, light face detectors). Where a source does not state
a number, the table says ``"not stated"`` rather than guess.
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
    ("YOLOX", "2021", "Ge et al. (Megvii)", "anchor-free, decoupled classification / box head, SimOTA assignment"),
    ("YOLOv6", "2022", "Li et al. (Meituan)", "anchor-free, decoupled head, RepVGG-style re-parameterised backbone"),
    ("YOLOv7", "2022", "Wang, Bochkovskiy, Liao", "E-ELAN backbone, re-parameterised convs, anchor-based head"),
    ("YOLOv8", "2023 (code, no paper)", "Ultralytics",
     "anchor-free decoupled head, 3 scales: 8,400 predictions at 640 x 640"),
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
