"""`tf.data`."""

from nanotf._src.data.dataset import AUTOTUNE as AUTOTUNE
from nanotf._src.data.dataset import INFINITE_CARDINALITY as INFINITE_CARDINALITY
from nanotf._src.data.dataset import UNKNOWN_CARDINALITY as UNKNOWN_CARDINALITY
from nanotf._src.data.dataset import Dataset as Dataset
from nanotf._src.data.iterator import Iterator as Iterator
from nanotf._src.data.options import Options as Options
from nanotf.data import experimental as experimental
