"""`tf.summary.experimental`."""

from nanotf._src.summary import get_step as get_step
from nanotf._src.summary import set_step as set_step
from nanotf._src.summary import summary_scope as summary_scope
from nanotf._src.summary import write_raw_pb as write_raw_pb
