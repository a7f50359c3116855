"""`tf.linalg`."""

from nanotf._src.ops.array import eye as eye
from nanotf._src.ops.linalg import matmul as matmul
from nanotf._src.ops.linalg import matrix_transpose as matrix_transpose
