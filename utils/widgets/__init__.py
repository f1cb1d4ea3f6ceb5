"""Widget factories: each returns a ready widget whose numbers tests can read (``.values``).

One module per topic; the shared pattern is :class:`utils.widgets.explorer.Explorer`.
"""

from utils.widgets.explorer import Explorer, figure_to_png, int_slider, new_figure, slider
from utils.widgets.boxes import iou_explorer
# re-exports of topic modules (one line per topic; append, do not reorder)
from utils.widgets.gan import gan_1d_explorer, gan_zoo_explorer
from utils.widgets.metrics import postprocessing_explorer, pr_curve_explorer
from utils.widgets.scaling import compound_scaling_explorer
from utils.widgets.vit import vit_tokens_explorer
from utils.widgets.repvgg import repvgg_fusion_explorer
from utils.widgets.anchors import anchor_kmeans_explorer
from utils.widgets.backbones import cardinality_explorer, gradient_flow_explorer, separable_conv_explorer
from utils.widgets.detectors import candidate_count_explorer, small_object_explorer
from utils.widgets.faces import receptive_field_explorer
from utils.widgets.multiscale import fpn_level_explorer, spp_explorer
from utils.widgets.unet import mask_threshold_explorer
from utils.widgets.models import model_map_explorer
from utils.widgets.losses import focal_loss_explorer
from utils.widgets.nms import nms_steps_explorer, nms_threshold_explorer, soft_nms_explorer
from utils.widgets.mock_interview import mock_interview
