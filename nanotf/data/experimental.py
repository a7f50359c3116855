"""`tf.data.experimental`."""

from nanotf._src.data.dataset import AUTOTUNE as AUTOTUNE
from nanotf._src.data.dataset import INFINITE_CARDINALITY as INFINITE_CARDINALITY
from nanotf._src.data.dataset import UNKNOWN_CARDINALITY as UNKNOWN_CARDINALITY
from nanotf._src.data.functions import cardinality as cardinality
from nanotf._src.data.options import Optional as Optional
