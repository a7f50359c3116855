"""`tf.keras.datasets.fashion_mnist`."""

from nanotf._src.keras.datasets import _fashion_mnist_load_data as load_data  # noqa: F401
