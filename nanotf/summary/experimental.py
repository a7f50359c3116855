"""`tf.summary.experimental`."""

from nanotf._src.summary import get_step as get_step
from nanotf._src.summary import set_step as set_step
