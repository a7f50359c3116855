"""`tf.keras.datasets.cifar10`."""

from nanotf._src.keras.datasets import _cifar10_load_data as load_data  # noqa: F401
