"""nanotf: TensorFlow 2 (eager) and Keras 2, rebuilt in plain Python on NumPy.

Use it as `import nanotf as tf`. This module is a facade: every name is defined under `nanotf._src`.
"""

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
from nanotf._src.lazy import module_getattr as __getattr__  # noqa: F401
from nanotf._src.naming import name_scope as name_scope
from nanotf._src.ops.array import broadcast_to as broadcast_to
from nanotf._src.ops.array import concat as concat
from nanotf._src.ops.array import expand_dims as expand_dims
from nanotf._src.ops.array import eye as eye
from nanotf._src.ops.array import fill as fill
from nanotf._src.ops.array import gather as gather
from nanotf._src.ops.array import identity as identity
from nanotf._src.ops.array import one_hot as one_hot
from nanotf._src.ops.array import ones as ones
from nanotf._src.ops.array import rank as rank
from nanotf._src.ops.array import reshape as reshape
from nanotf._src.ops.array import shape as shape
from nanotf._src.ops.array import size as size
from nanotf._src.ops.array import slice as slice  # noqa: A004
from nanotf._src.ops.array import squeeze as squeeze
from nanotf._src.ops.array import stack as stack
from nanotf._src.ops.array import stop_gradient as stop_gradient
from nanotf._src.ops.array import strided_slice as strided_slice
from nanotf._src.ops.array import transpose as transpose
from nanotf._src.ops.array import zeros as zeros
from nanotf._src.ops.linalg import matmul as matmul
from nanotf._src.ops.math import abs as abs  # noqa: A004
from nanotf._src.ops.math import acos as acos
from nanotf._src.ops.math import add as add
from nanotf._src.ops.math import add_n as add_n
from nanotf._src.ops.math import argmax as argmax
from nanotf._src.ops.math import argmin as argmin
from nanotf._src.ops.math import asin as asin
from nanotf._src.ops.math import atan as atan
from nanotf._src.ops.math import cast as cast
from nanotf._src.ops.math import clip_by_value as clip_by_value
from nanotf._src.ops.math import cos as cos
from nanotf._src.ops.math import cosh as cosh
from nanotf._src.ops.math import cumsum as cumsum
from nanotf._src.ops.math import divide as divide
from nanotf._src.ops.math import equal as equal
from nanotf._src.ops.math import exp as exp
from nanotf._src.ops.math import floor as floor
from nanotf._src.ops.math import floordiv as floordiv
from nanotf._src.ops.math import greater as greater
from nanotf._src.ops.math import greater_equal as greater_equal
from nanotf._src.ops.math import less as less
from nanotf._src.ops.math import less_equal as less_equal
from nanotf._src.ops.math import logical_and as logical_and
from nanotf._src.ops.math import logical_not as logical_not
from nanotf._src.ops.math import logical_or as logical_or
from nanotf._src.ops.math import maximum as maximum
from nanotf._src.ops.math import minimum as minimum
from nanotf._src.ops.math import multiply as multiply
from nanotf._src.ops.math import negative as negative
from nanotf._src.ops.math import not_equal as not_equal
from nanotf._src.ops.math import ones_like as ones_like
from nanotf._src.ops.math import pow as pow  # noqa: A004
from nanotf._src.ops.math import realdiv as realdiv
from nanotf._src.ops.math import reduce_all as reduce_all
from nanotf._src.ops.math import reduce_any as reduce_any
from nanotf._src.ops.math import reduce_logsumexp as reduce_logsumexp
from nanotf._src.ops.math import reduce_max as reduce_max
from nanotf._src.ops.math import reduce_mean as reduce_mean
from nanotf._src.ops.math import reduce_min as reduce_min
from nanotf._src.ops.math import reduce_prod as reduce_prod
from nanotf._src.ops.math import reduce_sum as reduce_sum
from nanotf._src.ops.math import round as round  # noqa: A004
from nanotf._src.ops.math import rsqrt as rsqrt
from nanotf._src.ops.math import saturate_cast as saturate_cast
from nanotf._src.ops.math import sigmoid as sigmoid
from nanotf._src.ops.math import sign as sign
from nanotf._src.ops.math import sin as sin
from nanotf._src.ops.math import sinh as sinh
from nanotf._src.ops.math import sqrt as sqrt
from nanotf._src.ops.math import square as square
from nanotf._src.ops.math import subtract as subtract
from nanotf._src.ops.math import tan as tan
from nanotf._src.ops.math import tanh as tanh
from nanotf._src.ops.math import truediv as truediv
from nanotf._src.ops.math import where as where
from nanotf._src.ops.math import zeros_like as zeros_like
from nanotf._src.tape import GradientTape as GradientTape
from nanotf._src.tape import custom_gradient as custom_gradient
from nanotf._src.tensor import Tensor as Tensor
from nanotf._src.tensor import constant as constant
from nanotf._src.tensor import convert_to_tensor as convert_to_tensor
from nanotf._src.tensor import is_tensor as is_tensor
from nanotf._src.tensor import (
    register_tensor_conversion_function as register_tensor_conversion_function,
)
from nanotf._src.tensor_shape import TensorShape as TensorShape
from nanotf._src.variables import Variable as Variable
from nanotf._src.variables import VariableAggregation as VariableAggregation
from nanotf._src.variables import VariableSynchronization as VariableSynchronization
from nanotf._src.version import VERSION as __version__

newaxis = None
