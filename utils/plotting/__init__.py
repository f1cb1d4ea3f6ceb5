"""The course's figure style and the drawing helpers every notebook shares.

The style, the colours and the small shared helpers live in :mod:`utils.plotting.core`; topic-specific drawing
functions in ``utils/plotting/<topic>.py``. Everything below is re-exported here, so
``from utils.plotting import COLORS, draw_boxes`` works. The topic modules import from ``core``, not from this
package, so no module depends on the order in which the others are imported.

Compute functions never draw; these functions only draw. Call :func:`use_course_style` once at the top
of a notebook (``utils.setup_notebook()`` does it for you).
"""

from utils.plotting.core import (
    COLORS, CYCLE, STYLE, draw_boxes, image_axes, show_image, subplots, use_course_style,
)

# re-exports of topic modules (one line per topic; append, do not reorder)
from utils.plotting.boxes import draw_iou_pair
from utils.plotting.gan import draw_gan_1d, draw_gan_2d
from utils.plotting.metrics import draw_ap_per_threshold, draw_pr_curve
from utils.plotting.anchors import draw_anchor_rectangles, draw_size_clusters
from utils.plotting.detectors import draw_detector_pipelines, draw_receptive_field
from utils.plotting.nms import draw_nms_result
