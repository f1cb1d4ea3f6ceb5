"""Neural-network building blocks (torch ``nn.Module``s), one module per architecture family.

Every block's docstring gives the input and output shapes and names the notebook that teaches it.
"""
# re-exports of topic modules (one line per topic; append, do not reorder)
from utils.blocks.efficientnet import EfficientNet, MBConv, SqueezeExcitation, drop_path
from utils.blocks.vit import EncoderBlock, MultiHeadSelfAttention, PatchEmbedding, VisionTransformer
from utils.blocks.repvgg import RepVGGBlock
from utils.blocks.resnet import BasicBlock, Bottleneck
from utils.blocks.resnext import EarlyConcatenation, SplitTransformMerge, resnext_block
from utils.blocks.mobilenet import DepthwiseSeparable, InvertedResidual, h_swish
from utils.blocks.lffd import LFFD, LFFDBackbone
from utils.blocks.fpn import FPN, BackboneWithFPN, TinyBackbone, fpn_level
from utils.blocks.spp import SPP, SPPF, spatial_pyramid_pool
from utils.blocks.unet import UNet, unet_output_size
