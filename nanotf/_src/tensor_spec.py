"""`tf.TensorSpec`: the shape and dtype a tensor argument must have."""

from __future__ import annotations

from nanotf._src import dtypes
from nanotf._src.tensor import Tensor
from nanotf._src.tensor_shape import TensorShape


class TensorSpec:
    """Describes a tensor by static shape (None = any size) and dtype, e.g. in `input_signature`.

    Args:
      shape: the shape; `None` dims (or a `None` shape) match any size.
      dtype: the element type (float32 by default).
      name: an optional name for the traced input.

    Example:
      >>> spec = tf.TensorSpec([None, 3], tf.float32)
      >>> spec.is_compatible_with(tf.zeros([5, 3]))
      True
    """

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=dtypes.float32, name: str | None = None):
        self._shape = TensorShape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name

    @classmethod
    def from_tensor(cls, tensor, name: str | None = None) -> TensorSpec:
        """The spec of an existing tensor."""
        return cls(tensor.shape, tensor.dtype, name)

    @classmethod
    def from_spec(cls, spec, name: str | None = None) -> TensorSpec:
        """A copy of `spec` (renamed when `name` is given)."""
        return cls(spec.shape, spec.dtype, name if name is not None else spec.name)

    @property
    def shape(self) -> TensorShape:
        """The static shape."""
        return self._shape

    @property
    def dtype(self):
        """The element type."""
        return self._dtype

    @property
    def name(self):
        """The name, or None."""
        return self._name

    def is_compatible_with(self, spec_or_tensor) -> bool:
        """Whether a tensor (or spec) matches this spec's dtype and shape."""
        if isinstance(spec_or_tensor, (TensorSpec, Tensor)):
            return (spec_or_tensor.dtype == self._dtype
                    and self._shape.is_compatible_with(spec_or_tensor.shape))
        return False

    def most_specific_compatible_type(self, other) -> TensorSpec:
        """The spec whose dims are known only where both specs agree."""
        a, b = self._shape, other.shape
        if a.rank is None or b.rank is None or a.rank != b.rank:
            return TensorSpec(None, self._dtype)
        return TensorSpec([x if x == y else None for x, y in zip(a, b)], self._dtype)

    def __eq__(self, other) -> bool:
        return (type(other) is type(self) and self._shape == other._shape
                and self._dtype == other._dtype and self._name == other._name)

    def __ne__(self, other) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((self._shape, self._dtype, self._name))

    def __repr__(self) -> str:
        name = "None" if self._name is None else repr(self._name)
        return f"TensorSpec(shape={self._shape}, dtype=tf.{self._dtype.name}, name={name})"

    def __reduce__(self):
        return TensorSpec, (self._shape.dims, self._dtype.name, self._name)
