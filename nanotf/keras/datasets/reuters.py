"""`tf.keras.datasets.reuters`."""

from nanotf._src.keras.datasets import _reuters_get_label_names as get_label_names  # noqa: F401
from nanotf._src.keras.datasets import _reuters_get_word_index as get_word_index  # noqa: F401
from nanotf._src.keras.datasets import _reuters_load_data as load_data  # noqa: F401
