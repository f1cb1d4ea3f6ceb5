"""Exercise checkers: ``check_<topic>(fn)`` runs the reader's function on named edge cases.

One module per topic; the shared machinery is in :mod:`utils.checks.core`.
"""

from utils.checks.core import Case, CheckReport, run_cases
from utils.checks.boxes import check_iou
# re-exports of topic modules (one line per topic; append, do not reorder)
from utils.checks.gan import check_gradient_penalty, check_js_divergence, check_optimal_discriminator
from utils.checks.metrics import check_average_precision
from utils.checks.scaling import check_compound_scaling
from utils.checks.vit import check_vit_params
from utils.checks.repvgg import check_fuse_bn
from utils.checks.anchors import check_wh_iou
from utils.checks.cost import check_grouped_conv_params, check_residual_jacobian, check_separable_flops
from utils.checks.detectors import check_candidate_count, check_cells_covered
from utils.checks.receptive_field import check_receptive_field
from utils.checks.multiscale import check_fpn_level, check_spp_length, check_unet_output_size
from utils.checks.models import check_lineage
from utils.checks.losses import check_focal_loss
from utils.checks.nms import check_nms
from utils.checks.vit import check_patchify, check_multi_head_attention
from utils.checks.repvgg import check_fuse_repvgg_block
from utils.checks.mobilenet import check_depthwise_separable
from utils.checks.efficientnet import check_drop_path
from utils.checks.resnet import check_basic_block, check_bottleneck
from utils.checks.resnext import check_grouped_conv
from utils.checks.fpn import check_fpn_top_down
from utils.checks.spp import check_sppf
from utils.checks.unet import check_unet
from utils.checks.faces import check_decode_branch
from utils.checks.metrics import check_image_ap
from utils.checks.gan import check_gan_training_step, check_wgan_critic_loss
from utils.checks.models import check_bottleneck_cost
from utils.checks.anchors import check_iou_kmeans
from utils.checks.losses import check_focal_loss_logits
from utils.checks.detectors import check_decode_boxes, check_encode_boxes, check_tiled_detection
from utils.checks.boxes import check_pairwise_iou
