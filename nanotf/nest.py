"""`tf.nest`."""

from nanotf._src.nest import assert_same_structure as assert_same_structure
from nanotf._src.nest import flatten as flatten
from nanotf._src.nest import is_nested as is_nested
from nanotf._src.nest import map_structure as map_structure
from nanotf._src.nest import pack_sequence_as as pack_sequence_as
