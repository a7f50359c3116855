"""`tf.nn`: the namespace over the nn op families.

The ops live in family modules: `activations`, `softmax` (softmax and the fused cross-entropies),
`losses`, `nn_layers` (normalization, dropout, bias_add, embedding_lookup), `conv` (the Conv2D
primitives), `conv_variants` (conv1d, transposed, depthwise, ...), `pooling`, and `eigen32` (TF's
float32 CPU arithmetic that softmax, the cross-entropies and ELU share). This module re-exports
their public names.
"""

from __future__ import annotations

from nanotf._src.ops.activations import *  # noqa: F401,F403
from nanotf._src.ops.activations import __all__ as _activations_all
from nanotf._src.ops.conv import *  # noqa: F401,F403
from nanotf._src.ops.conv import __all__ as _conv_all
from nanotf._src.ops.conv_variants import *  # noqa: F401,F403
from nanotf._src.ops.conv_variants import __all__ as _conv_variants_all
from nanotf._src.ops.losses import *  # noqa: F401,F403
from nanotf._src.ops.losses import __all__ as _losses_all
from nanotf._src.ops.math import sigmoid as sigmoid  # noqa: F401 - re-exported as tf.nn.sigmoid
from nanotf._src.ops.math import softplus as softplus  # noqa: F401
from nanotf._src.ops.math import tanh as tanh  # noqa: F401
from nanotf._src.ops.nn_layers import *  # noqa: F401,F403
from nanotf._src.ops.nn_layers import __all__ as _nn_layers_all
from nanotf._src.ops.pooling import *  # noqa: F401,F403
from nanotf._src.ops.pooling import __all__ as _pooling_all
from nanotf._src.ops.softmax import *  # noqa: F401,F403
from nanotf._src.ops.softmax import __all__ as _softmax_all

__all__ = sorted(_activations_all + _conv_all + _conv_variants_all + _losses_all + _nn_layers_all
                 + _pooling_all + _softmax_all)

