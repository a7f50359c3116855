"""`tf.keras.datasets.cifar100`."""

from nanotf._src.keras.datasets import _cifar100_load_data as load_data  # noqa: F401
