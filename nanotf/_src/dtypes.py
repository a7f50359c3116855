"""TensorFlow's DType objects and the mapping to and from NumPy dtypes."""

from __future__ import annotations

from typing import Any

from nanotf._src.backend import np


class DType:
    """A TensorFlow element type, such as `tf.float32`.

    Compares equal to anything `tf.as_dtype` maps to it (`tf.float32 == np.float32 == 'float32'`).
    """

    __slots__ = ("_name", "_enum", "_np")

    def __init__(self, name: str, enum: int, np_dtype: Any):
        self._name = name
        self._enum = enum
        self._np = np.dtype(np_dtype) if np_dtype is not None else None

    @property
    def name(self) -> str:
        """The TF name, e.g. `'float32'`."""
        return self._name

    @property
    def as_numpy_dtype(self):
        """The NumPy scalar type, e.g. `numpy.float32`."""
        return self._np.type if self._np is not None else object

    @property
    def as_datatype_enum(self) -> int:
        """The DataType enum value of TF's protocol buffers."""
        return self._enum

    @property
    def base_dtype(self) -> DType:
        """This dtype (nanotf has no reference dtypes)."""
        return self

    @property
    def real_dtype(self) -> DType:
        """The real part's dtype for complex types, else this dtype."""
        return {"complex64": float32, "complex128": float64}.get(self._name, self)

    @property
    def is_floating(self) -> bool:
        """Whether this is a floating point type."""
        return self._np is not None and self._np.kind == "f"

    @property
    def is_integer(self) -> bool:
        """Whether this is a (non-quantized) integer type."""
        return self._np is not None and self._np.kind in "iu"

    @property
    def is_unsigned(self) -> bool:
        """Whether this is an unsigned integer type."""
        return self._np is not None and self._np.kind == "u"

    @property
    def is_complex(self) -> bool:
        """Whether this is a complex type."""
        return self._np is not None and self._np.kind == "c"

    @property
    def is_bool(self) -> bool:
        """Whether this is the boolean type."""
        return self._name == "bool"

    @property
    def is_quantized(self) -> bool:
        """Always False: nanotf has no quantized types."""
        return False

    @property
    def is_numpy_compatible(self) -> bool:
        """Whether NumPy can hold this type natively."""
        return self._np is not None

    @property
    def size(self) -> int:
        """Bytes per element."""
        return self._np.itemsize if self._np is not None else 1

    @property
    def min(self):
        """The smallest representable value."""
        return self._limits()[0]

    @property
    def max(self):
        """The largest representable value."""
        return self._limits()[1]

    @property
    def limits(self):
        """TF's value range for images of this type, negatives clipped: (0, 1) for floats,
        (0, max) for integers."""
        if self.is_floating or self.is_bool:
            return 0, 1
        return 0, self._limits()[1]

    def _limits(self):
        # as TF: float limits are NumPy scalars of the type, integer limits Python ints
        if self.is_floating:
            info = np.finfo(self._np)
            return info.min, info.max
        if self.is_integer:
            info = np.iinfo(self._np)
            return int(info.min), int(info.max)
        raise TypeError(f"Cannot find minimum value of {self} with type {self}.")

    def is_compatible_with(self, other) -> bool:
        """Whether `other` names the same dtype."""
        return self == other

    def __eq__(self, other) -> bool:
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other)._enum == self._enum
        except TypeError:
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return self._enum

    def __repr__(self) -> str:
        return f"tf.{self._name}"

    def __str__(self) -> str:
        return f"<dtype: '{self._name}'>"

    def __reduce__(self):
        return as_dtype, (self._name,)


float16 = DType("float16", 19, np.float16)
half = float16
float32 = DType("float32", 1, np.float32)
float64 = DType("float64", 2, np.float64)
double = float64
int8 = DType("int8", 6, np.int8)
int16 = DType("int16", 5, np.int16)
int32 = DType("int32", 3, np.int32)
int64 = DType("int64", 9, np.int64)
uint8 = DType("uint8", 4, np.uint8)
uint16 = DType("uint16", 17, np.uint16)
uint32 = DType("uint32", 22, np.uint32)
uint64 = DType("uint64", 23, np.uint64)
bool = DType("bool", 10, np.bool_)  # noqa: A001 - TF's public name
complex64 = DType("complex64", 8, np.complex64)
complex128 = DType("complex128", 18, np.complex128)
string = DType("string", 7, None)
resource = DType("resource", 20, None)
variant = DType("variant", 21, None)

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool,
        complex64, complex128, string, resource, variant]
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update(half=float16, double=float64, float=float32)
_BY_ENUM = {d.as_datatype_enum: d for d in _ALL}
# numpy dtype -> DType; looked up on every Tensor.dtype, so keyed by the dtype object itself
NP_TO_DTYPE = {d._np: d for d in _ALL if d._np is not None}
NP_TO_DTYPE[np.dtype(object)] = string
for _k in "SU":
    NP_TO_DTYPE[np.dtype(_k)] = string

# as TF, `float` and `bool` name dtypes but `int`, `complex`, `str` do not
_PY_TYPES = {float: float32, type(True): bool}  # noqa: UP003 - `bool` is the DType here


def as_dtype(type_value) -> DType:
    """Converts `type_value` (a DType, NumPy dtype or type, name, or enum) to a `tf.DType`.

    Example: `tf.as_dtype('float32') == tf.float32`.
    """
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        d = _BY_NAME.get(type_value)
        if d is not None:
            return d
    elif isinstance(type_value, int) and not isinstance(type_value, type(True)):  # noqa: UP003
        d = _BY_ENUM.get(type_value)
        if d is not None:
            return d
    elif type_value in _PY_TYPES:
        return _PY_TYPES[type_value]
    elif type_value is int or type_value is complex or type_value is str or type_value is bytes:
        # NumPy would accept these; TF does not
        _refuse(type_value)
    npd = getattr(type_value, "dtype", None)
    if isinstance(npd, DType):
        return npd
    try:
        key = np.dtype(type_value if npd is None or isinstance(type_value, type) else npd)
    except TypeError:
        key = None
    if key is not None:
        if key.kind in "SUO":
            return string
        d = NP_TO_DTYPE.get(key)
        if d is not None:
            return d
    _refuse(type_value)


def _refuse(type_value):
    raise TypeError(f"Cannot convert the argument `type_value`: {type_value!r} to a TensorFlow "
                    f"DType.")


# TF's kernel-level names (DataTypeString), used in its op error messages
_KERNEL_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def kernel_name(dtype) -> str:
    """The dtype as TF's kernels name it in errors: 'float', 'double', 'half', 'int32', ..."""
    name = as_dtype(dtype).name
    return _KERNEL_NAMES.get(name, name)


def from_numpy(npdtype) -> DType:
    """The DType of a NumPy dtype (fast path used by Tensor.dtype)."""
    d = NP_TO_DTYPE.get(npdtype)
    if d is None:
        return as_dtype(npdtype)
    return d
