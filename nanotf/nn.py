"""`tf.nn`."""

from nanotf._src.ops.math import sigmoid as sigmoid
from nanotf._src.ops.math import softplus as softplus
from nanotf._src.ops.math import tanh as tanh
