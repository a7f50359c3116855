"""nanotf: TensorFlow 2 (eager) and Keras 2, rebuilt in plain Python on NumPy.

Use it as `import nanotf as tf`. This module is a facade: every name is defined under `nanotf._src`.
"""

from nanotf import bitwise as bitwise
from nanotf import compat as compat
from nanotf import dtypes as dtypes
from nanotf import errors as errors
from nanotf import linalg as linalg
from nanotf import math as math
from nanotf import nest as nest
from nanotf import nn as nn
from nanotf._src.dropin import install_as_tensorflow as install_as_tensorflow
from nanotf._src.dtypes import DType as DType
from nanotf._src.dtypes import as_dtype as as_dtype
from nanotf._src.dtypes import bool as bool  # noqa: A004
from nanotf._src.dtypes import complex64 as complex64
from nanotf._src.dtypes import complex128 as complex128
from nanotf._src.dtypes import double as double
from nanotf._src.dtypes import float16 as float16
from nanotf._src.dtypes import float32 as float32
from nanotf._src.dtypes import float64 as float64
from nanotf._src.dtypes import half as half
from nanotf._src.dtypes import int8 as int8
from nanotf._src.dtypes import int16 as int16
from nanotf._src.dtypes import int32 as int32
from nanotf._src.dtypes import int64 as int64
from nanotf._src.dtypes import string as string
from nanotf._src.dtypes import uint8 as uint8
from nanotf._src.dtypes import uint16 as uint16
from nanotf._src.dtypes import uint32 as uint32
from nanotf._src.dtypes import uint64 as uint64
from nanotf._src.function import executing_eagerly as executing_eagerly
from nanotf._src.function import function as function
from nanotf._src.graph import init_scope as init_scope
from nanotf._src.lazy import module_getattr as __getattr__  # noqa: F401
from nanotf._src.module import Module as Module
from nanotf._src.naming import name_scope as name_scope
from nanotf._src.ops import abs as abs  # noqa: A004
from nanotf._src.ops import acos as acos
from nanotf._src.ops import add as add
from nanotf._src.ops import add_n as add_n
from nanotf._src.ops import argmax as argmax
from nanotf._src.ops import argmin as argmin
from nanotf._src.ops import argsort as argsort
from nanotf._src.ops import asin as asin
from nanotf._src.ops import atan as atan
from nanotf._src.ops import boolean_mask as boolean_mask
from nanotf._src.ops import broadcast_to as broadcast_to
from nanotf._src.ops import cast as cast
from nanotf._src.ops import clip_by_global_norm as clip_by_global_norm
from nanotf._src.ops import clip_by_norm as clip_by_norm
from nanotf._src.ops import clip_by_value as clip_by_value
from nanotf._src.ops import concat as concat
from nanotf._src.ops import cos as cos
from nanotf._src.ops import cosh as cosh
from nanotf._src.ops import cumsum as cumsum
from nanotf._src.ops import divide as divide
from nanotf._src.ops import ensure_shape as ensure_shape
from nanotf._src.ops import equal as equal
from nanotf._src.ops import exp as exp
from nanotf._src.ops import expand_dims as expand_dims
from nanotf._src.ops import eye as eye
from nanotf._src.ops import fill as fill
from nanotf._src.ops import floor as floor
from nanotf._src.ops import gather as gather
from nanotf._src.ops import gather_nd as gather_nd
from nanotf._src.ops import greater as greater
from nanotf._src.ops import greater_equal as greater_equal
from nanotf._src.ops import identity as identity
from nanotf._src.ops import less as less
from nanotf._src.ops import less_equal as less_equal
from nanotf._src.ops import linspace as linspace
from nanotf._src.ops import logical_and as logical_and
from nanotf._src.ops import logical_not as logical_not
from nanotf._src.ops import logical_or as logical_or
from nanotf._src.ops import matmul as matmul
from nanotf._src.ops import maximum as maximum
from nanotf._src.ops import meshgrid as meshgrid
from nanotf._src.ops import minimum as minimum
from nanotf._src.ops import multiply as multiply
from nanotf._src.ops import negative as negative
from nanotf._src.ops import not_equal as not_equal
from nanotf._src.ops import one_hot as one_hot
from nanotf._src.ops import ones as ones
from nanotf._src.ops import ones_like as ones_like
from nanotf._src.ops import pad as pad
from nanotf._src.ops import pow as pow  # noqa: A004
from nanotf._src.ops import range as range  # noqa: A004
from nanotf._src.ops import rank as rank
from nanotf._src.ops import realdiv as realdiv
from nanotf._src.ops import reduce_all as reduce_all
from nanotf._src.ops import reduce_any as reduce_any
from nanotf._src.ops import reduce_logsumexp as reduce_logsumexp
from nanotf._src.ops import reduce_max as reduce_max
from nanotf._src.ops import reduce_mean as reduce_mean
from nanotf._src.ops import reduce_min as reduce_min
from nanotf._src.ops import reduce_prod as reduce_prod
from nanotf._src.ops import reduce_sum as reduce_sum
from nanotf._src.ops import repeat as repeat
from nanotf._src.ops import reshape as reshape
from nanotf._src.ops import reverse as reverse
from nanotf._src.ops import roll as roll
from nanotf._src.ops import round as round  # noqa: A004
from nanotf._src.ops import saturate_cast as saturate_cast
from nanotf._src.ops import scatter_nd as scatter_nd
from nanotf._src.ops import searchsorted as searchsorted
from nanotf._src.ops import sequence_mask as sequence_mask
from nanotf._src.ops import shape as shape
from nanotf._src.ops import sigmoid as sigmoid
from nanotf._src.ops import sign as sign
from nanotf._src.ops import sin as sin
from nanotf._src.ops import sinh as sinh
from nanotf._src.ops import size as size
from nanotf._src.ops import slice as slice  # noqa: A004
from nanotf._src.ops import sort as sort
from nanotf._src.ops import split as split
from nanotf._src.ops import sqrt as sqrt
from nanotf._src.ops import square as square
from nanotf._src.ops import squeeze as squeeze
from nanotf._src.ops import stack as stack
from nanotf._src.ops import stop_gradient as stop_gradient
from nanotf._src.ops import strided_slice as strided_slice
from nanotf._src.ops import subtract as subtract
from nanotf._src.ops import tan as tan
from nanotf._src.ops import tanh as tanh
from nanotf._src.ops import tensor_scatter_nd_add as tensor_scatter_nd_add
from nanotf._src.ops import tensor_scatter_nd_max as tensor_scatter_nd_max
from nanotf._src.ops import tensor_scatter_nd_min as tensor_scatter_nd_min
from nanotf._src.ops import tensor_scatter_nd_sub as tensor_scatter_nd_sub
from nanotf._src.ops import tensor_scatter_nd_update as tensor_scatter_nd_update
from nanotf._src.ops import tile as tile
from nanotf._src.ops import transpose as transpose
from nanotf._src.ops import truediv as truediv
from nanotf._src.ops import unique as unique
from nanotf._src.ops import unique_with_counts as unique_with_counts
from nanotf._src.ops import unstack as unstack
from nanotf._src.ops import where as where
from nanotf._src.ops import zeros as zeros
from nanotf._src.ops import zeros_like as zeros_like
from nanotf._src.ops.control import case as case
from nanotf._src.ops.control import cond as cond
from nanotf._src.ops.control import foldl as foldl
from nanotf._src.ops.control import foldr as foldr
from nanotf._src.ops.control import map_fn as map_fn
from nanotf._src.ops.control import scan as scan
from nanotf._src.ops.control import switch_case as switch_case
from nanotf._src.ops.control import while_loop as while_loop
from nanotf._src.ops.linalg import einsum as einsum
from nanotf._src.ops.linalg import norm as norm
from nanotf._src.ops.linalg import tensordot as tensordot
from nanotf._src.ops.logging import print as print  # noqa: A004
from nanotf._src.ops.math import atan2 as atan2
from nanotf._src.ops.math import complex as complex  # noqa: A004
from nanotf._src.ops.math import scalar_mul as scalar_mul
from nanotf._src.session import control_dependencies as control_dependencies
from nanotf._src.session import group as group
from nanotf._src.session import no_op as no_op
from nanotf._src.tape import GradientTape as GradientTape
from nanotf._src.tape import UnconnectedGradients as UnconnectedGradients
from nanotf._src.tape import custom_gradient as custom_gradient
from nanotf._src.tensor import Tensor as Tensor
from nanotf._src.tensor import constant as constant
from nanotf._src.tensor import convert_to_tensor as convert_to_tensor
from nanotf._src.tensor import is_tensor as is_tensor
from nanotf._src.tensor import (
    register_tensor_conversion_function as register_tensor_conversion_function,
)
from nanotf._src.tensor_shape import TensorShape as TensorShape
from nanotf._src.tensor_spec import TensorSpec as TensorSpec
from nanotf._src.variables import Variable as Variable
from nanotf._src.variables import VariableAggregation as VariableAggregation
from nanotf._src.variables import VariableSynchronization as VariableSynchronization
from nanotf._src.version import VERSION as __version__  # noqa: F401

newaxis = None
