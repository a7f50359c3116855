"""NumPy helpers of `tf.keras.utils`: `to_categorical` and `normalize`."""

from __future__ import annotations

from nanotf._src.backend import np


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encodes integer class labels as a NumPy array.

    Args:
      y: integer labels (any shape; a trailing axis of size 1 is dropped).
      num_classes: the number of classes (default `max(y) + 1`).
      dtype: the output dtype.

    Example:
      >>> tf.keras.utils.to_categorical([0, 2], num_classes=3)
      array([[1., 0., 0.],
             [0., 0., 1.]], dtype=float32)
    """
    y = np.array(y, dtype="int")
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(y)) + 1 if y.size else 0
    out = np.zeros((y.shape[0], num_classes), dtype=dtype)
    out[np.arange(y.shape[0]), y] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """`x` divided by its `order`-norm along `axis` (zero norms are left as 1)."""
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
