"""`tf.keras.datasets.imdb`."""

from nanotf._src.keras.datasets import _imdb_get_word_index as get_word_index  # noqa: F401
from nanotf._src.keras.datasets import _imdb_load_data as load_data  # noqa: F401
