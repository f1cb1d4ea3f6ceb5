"""Data that ships with installed packages or is generated here: nothing is downloaded at run time.

One module per kind of data; each function's docstring says where the data comes from and whether
it is real or synthetic.
"""

from utils.data.images import grace_hopper, haar_face_candidates
# re-exports of topic modules (one line per topic; append, do not reorder)
from utils.data.mixtures import mixture_pdf_1d, ring_centres, sample_mixture_1d, sample_ring
from utils.data.detections import crowded_scenes, synthetic_coco
from utils.data.shapes import make_shapes
from utils.data.digits import digits
from utils.data.manifolds import spiral
from utils.data.models import CLASSIC_MODELS, classic_models, lineage
from utils.data.nms import clustered_boxes, two_overlapping_objects
from utils.data.nms import portrait_face_candidates
