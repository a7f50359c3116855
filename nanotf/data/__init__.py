"""`tf.data`."""

from nanotf._src.data.dataset import AUTOTUNE as AUTOTUNE
from nanotf._src.data.dataset import Dataset as Dataset
from nanotf._src.data.dataset import INFINITE as INFINITE_CARDINALITY
from nanotf._src.data.dataset import UNKNOWN as UNKNOWN_CARDINALITY
from nanotf._src.data.iterator import OwnedIterator as Iterator
from nanotf._src.data.options import Options as Options
from nanotf.data import experimental as experimental
