"""`tf.nn`."""

from nanotf._src.ops.math import sigmoid as sigmoid
from nanotf._src.ops.math import softplus as softplus
from nanotf._src.ops.math import tanh as tanh
from nanotf._src.ops.nn import atrous_conv2d as atrous_conv2d
from nanotf._src.ops.nn import avg_pool as avg_pool
from nanotf._src.ops.nn import avg_pool1d as avg_pool1d
from nanotf._src.ops.nn import avg_pool2d as avg_pool2d
from nanotf._src.ops.nn import avg_pool3d as avg_pool3d
from nanotf._src.ops.nn import batch_normalization as batch_normalization
from nanotf._src.ops.nn import bias_add as bias_add
from nanotf._src.ops.nn import compute_average_loss as compute_average_loss
from nanotf._src.ops.nn import conv1d as conv1d
from nanotf._src.ops.nn import conv1d_transpose as conv1d_transpose
from nanotf._src.ops.nn import conv2d as conv2d
from nanotf._src.ops.nn import conv2d_transpose as conv2d_transpose
from nanotf._src.ops.nn import convolution as convolution
from nanotf._src.ops.nn import crelu as crelu
from nanotf._src.ops.nn import depthwise_conv2d as depthwise_conv2d
from nanotf._src.ops.nn import dropout as dropout
from nanotf._src.ops.nn import elu as elu
from nanotf._src.ops.nn import embedding_lookup as embedding_lookup
from nanotf._src.ops.nn import gelu as gelu
from nanotf._src.ops.nn import l2_loss as l2_loss
from nanotf._src.ops.nn import l2_normalize as l2_normalize
from nanotf._src.ops.nn import leaky_relu as leaky_relu
from nanotf._src.ops.nn import log_poisson_loss as log_poisson_loss
from nanotf._src.ops.nn import log_softmax as log_softmax
from nanotf._src.ops.nn import max_pool as max_pool
from nanotf._src.ops.nn import max_pool1d as max_pool1d
from nanotf._src.ops.nn import max_pool2d as max_pool2d
from nanotf._src.ops.nn import max_pool3d as max_pool3d
from nanotf._src.ops.nn import moments as moments
from nanotf._src.ops.nn import relu as relu
from nanotf._src.ops.nn import relu6 as relu6
from nanotf._src.ops.nn import scale_regularization_loss as scale_regularization_loss
from nanotf._src.ops.nn import selu as selu
from nanotf._src.ops.nn import separable_conv2d as separable_conv2d
from nanotf._src.ops.nn import (
    sigmoid_cross_entropy_with_logits as sigmoid_cross_entropy_with_logits,
)
from nanotf._src.ops.nn import silu as silu
from nanotf._src.ops.nn import softmax as softmax
from nanotf._src.ops.nn import (
    softmax_cross_entropy_with_logits as softmax_cross_entropy_with_logits,
)
from nanotf._src.ops.nn import softsign as softsign
from nanotf._src.ops.nn import (
    sparse_softmax_cross_entropy_with_logits as sparse_softmax_cross_entropy_with_logits,
)
from nanotf._src.ops.nn import swish as swish
from nanotf._src.ops.nn import (
    weighted_cross_entropy_with_logits as weighted_cross_entropy_with_logits,
)
from nanotf._src.ops.sorting import in_top_k as in_top_k
from nanotf._src.ops.sorting import top_k as top_k
