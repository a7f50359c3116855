"""`tf.bitwise`."""

from nanotf._src.ops.bitwise import bitwise_and as bitwise_and
from nanotf._src.ops.bitwise import bitwise_or as bitwise_or
from nanotf._src.ops.bitwise import bitwise_xor as bitwise_xor
from nanotf._src.ops.bitwise import invert as invert
from nanotf._src.ops.bitwise import left_shift as left_shift
from nanotf._src.ops.bitwise import right_shift as right_shift
