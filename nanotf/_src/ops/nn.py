"""`tf.nn`: the namespace over the nn op families.

The ops live in family modules: `activations`, `softmax` (softmax and the fused cross-entropies),
`losses`, `nn_layers` (normalization, dropout, bias_add, embedding_lookup), `conv` (the Conv2D
primitives), `conv_variants` (conv1d, transposed, depthwise, ...), `pooling`, and `eigen32` (TF's
float32 CPU arithmetic that softmax, the cross-entropies and ELU share). This module re-exports
them, plus the internals that tests reach as `nn._name`.
"""

from __future__ import annotations

import sys
import types

from nanotf._src.ops import eigen32 as _eigen32
from nanotf._src.ops.activations import *  # noqa: F401,F403
from nanotf._src.ops.activations import __all__ as _activations_all
from nanotf._src.ops.conv import *  # noqa: F401,F403
from nanotf._src.ops.conv import __all__ as _conv_all
from nanotf._src.ops.conv_variants import *  # noqa: F401,F403
from nanotf._src.ops.conv_variants import __all__ as _conv_variants_all
from nanotf._src.ops.eigen32 import _PACKET as _PACKET  # noqa: F401
from nanotf._src.ops.eigen32 import _exp32 as _exp32  # noqa: F401
from nanotf._src.ops.eigen32 import _exp_packet as _exp_packet  # noqa: F401
from nanotf._src.ops.eigen32 import _exp_rows32 as _exp_rows32  # noqa: F401
from nanotf._src.ops.eigen32 import _expf_libm as _expf_libm  # noqa: F401
from nanotf._src.ops.eigen32 import _libm_fn as _libm_fn  # noqa: F401
from nanotf._src.ops.eigen32 import _rowsum32 as _rowsum32  # noqa: F401
from nanotf._src.ops.eigen32 import _xent_parts as _xent_parts  # noqa: F401
from nanotf._src.ops.losses import *  # noqa: F401,F403
from nanotf._src.ops.losses import __all__ as _losses_all
from nanotf._src.ops.math import sigmoid as sigmoid  # noqa: F401 - re-exported as tf.nn.sigmoid
from nanotf._src.ops.math import softplus as softplus  # noqa: F401
from nanotf._src.ops.math import tanh as tanh  # noqa: F401
from nanotf._src.ops.nn_layers import *  # noqa: F401,F403
from nanotf._src.ops.nn_layers import __all__ as _nn_layers_all
from nanotf._src.ops.pooling import *  # noqa: F401,F403
from nanotf._src.ops.pooling import __all__ as _pooling_all
from nanotf._src.ops.pooling import _argmax_windows as _argmax_windows  # noqa: F401
from nanotf._src.ops.pooling import _max_pool as _max_pool  # noqa: F401
from nanotf._src.ops.pooling import _max_pool_grad as _max_pool_grad  # noqa: F401
from nanotf._src.ops.pooling import _offset_slices as _offset_slices  # noqa: F401
from nanotf._src.ops.softmax import *  # noqa: F401,F403
from nanotf._src.ops.softmax import __all__ as _softmax_all

__all__ = sorted(_activations_all + _conv_all + _conv_variants_all + _losses_all + _nn_layers_all
                 + _pooling_all + _softmax_all)


class _Namespace(types.ModuleType):
    """Setting an Eigen-arithmetic name here sets it in `eigen32`, where it is read: tests check
    TF's x86 digits by patching `nn._PACKET` to 8, and fast paths against `nn._exp_packet`."""

    def __setattr__(self, name, value):
        if name in ("_PACKET", "_exp_packet"):
            setattr(_eigen32, name, value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Namespace
