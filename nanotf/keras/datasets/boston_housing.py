"""`tf.keras.datasets.boston_housing`."""

from nanotf._src.keras.datasets import _boston_housing_load_data as load_data  # noqa: F401
