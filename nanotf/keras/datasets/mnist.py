"""`tf.keras.datasets.mnist`."""

from nanotf._src.keras.datasets import _mnist_load_data as load_data  # noqa: F401
