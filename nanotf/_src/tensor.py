"""The eager Tensor, and TF's rules for turning Python and NumPy values into tensors.

A Tensor wraps one immutable array (`_v`). Its Python operators are installed by `ops/math.py` and
`ops/array.py` (as TF's math_ops does), so this module stays free of op code.
"""

from __future__ import annotations

import itertools

from nanotf._src import dtypes
from nanotf._src.backend import asnumpy, np
from nanotf._src.dtypes import DType, from_numpy
from nanotf._src.tensor_shape import TensorShape

_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


class Tensor:
    """A multi-dimensional array with a dtype and a shape, as `tf.Tensor` in eager mode.

    Create one with `tf.constant` or `tf.convert_to_tensor`; ops return Tensors.

    Example:
      >>> tf.constant([[1, 2, 3]]) + 1
      <tf.Tensor: shape=(1, 3), dtype=int32, numpy=array([[2, 3, 4]], dtype=int32)>
    """

    __slots__ = ("_v", "__weakref__")
    _symbolic = False
    _is_variable = False
    # NumPy defers binary operators to us (ndarray + Tensor -> Tensor.__radd__), as TF does
    __array_priority__ = 100

    def __init__(self, value=None, dtype=None):
        self._v = _to_array(value, dtype)

    # --- properties -------------------------------------------------------------------------
    @property
    def dtype(self) -> DType:
        """The element type, e.g. `tf.float32`."""
        return from_numpy(self._v.dtype)

    @property
    def shape(self) -> TensorShape:
        """The shape, a `tf.TensorShape`."""
        return TensorShape(self._v.shape)

    def get_shape(self) -> TensorShape:
        """Alias of `shape`."""
        return TensorShape(self._v.shape)

    def set_shape(self, shape) -> None:
        """Checks that `shape` is compatible with this tensor's (fully known) shape."""
        if not TensorShape(self._v.shape).is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied shape "
                             f"{TensorShape(shape)}.")

    @property
    def ndim(self) -> int:
        """The rank."""
        return self._v.ndim

    @property
    def device(self) -> str:
        """The device name (always the CPU in nanotf's NumPy backend)."""
        return _DEVICE

    @property
    def name(self):
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def graph(self):
        raise AttributeError("Tensor.graph is undefined when eager execution is enabled.")

    @property
    def op(self):
        raise AttributeError("Tensor.op is undefined when eager execution is enabled.")

    def numpy(self):
        """The value as a NumPy array (a NumPy scalar for rank 0)."""
        v = self._v
        if v.ndim == 0:
            return asnumpy(v)[()]
        if not v.flags.writeable:  # shared (e.g. a remembered conversion): TF gives a copy
            return v.copy()
        return asnumpy(v)

    def ref(self):
        """A hashable reference to this tensor, usable as a dict key."""
        return _Ref(self)

    experimental_ref = ref

    def _shape_tuple(self):
        return self._v.shape

    def _rank(self):
        return self._v.ndim

    # --- Python protocols -------------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        a = asnumpy(self._v)
        if dtype is not None:
            a = a.astype(dtype, copy=False)
        return np.array(a, copy=True) if copy else np.asarray(a)

    def __len__(self) -> int:
        if self._v.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._v.shape[0]

    def __iter__(self):
        if self._v.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        for i in range(self._v.shape[0]):
            yield self[i]

    def __bool__(self) -> bool:
        return bool(self._v)

    def __float__(self) -> float:
        return float(self._v)

    def __int__(self) -> int:
        return int(self._v)

    def __index__(self) -> int:
        if self._v.dtype.kind not in "iub" or self._v.ndim != 0:
            raise TypeError(f"Only integer scalar tensors can be used as an index, got a "
                            f"{self.dtype.name} tensor of shape {self.shape}")
        return int(self._v)

    def __complex__(self) -> complex:
        return complex(self._v)

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def __format__(self, format_spec: str) -> str:
        return self.numpy().__format__(format_spec)

    def __repr__(self) -> str:
        return (f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, "
                f"numpy={numpy_text(self._v, is_repr=True)}>")

    def __str__(self) -> str:
        return f"tf.Tensor({numpy_text(self._v)}, shape={self.shape}, dtype={self.dtype.name})"

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return _wrap(self._v.copy())

    def __reduce__(self):
        return _from_numpy_value, (self.numpy(),)


class _Ref:
    """A hashable handle on a Tensor or Variable (`tensor.ref()`)."""

    __slots__ = ("_t",)

    def __init__(self, t):
        self._t = t

    def deref(self):
        """The referenced tensor."""
        return self._t

    def __hash__(self):
        return id(self._t)

    def __eq__(self, other):
        return isinstance(other, _Ref) and other._t is self._t

    def __repr__(self):
        return f"<Reference wrapping {self._t!r}>"


def numpy_text(v, is_repr: bool = False) -> str:
    """The value part of a tensor's repr/str, formatted as TF formats it."""
    a = asnumpy(v)
    if a.ndim == 0:
        # TF <= 2.10 (NumPy 1 era) prints a scalar as its str: numpy=3.5062575
        text = str(a[()])
        if a.dtype.kind in "OSU" and is_repr:
            text = repr(a[()])
    else:
        text = repr(a) if is_repr else str(a)
    if "\n" in text:
        text = "\n" + text
    return text


def _wrap(array) -> Tensor:
    t = Tensor.__new__(Tensor)
    t._v = array
    return t


def _from_numpy_value(value):
    return _wrap(np.asarray(value))


# --- conversion ---------------------------------------------------------------------------
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def _infer(value):
    """NumPy array for a Python value under TF's rules (int -> int32, float -> float32)."""
    try:
        a = np.asarray(value)
    except ValueError:  # NumPy refuses ragged nesting
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor.") from None
    k = a.dtype.kind
    if k == "f":
        if a.dtype != np.float32 and not isinstance(value, np.ndarray) and not _is_np_scalar(value):
            a = a.astype(np.float32)
    elif k == "i":
        if not isinstance(value, np.ndarray) and not _is_np_scalar(value):
            if a.size == 0 or (a.min() >= _INT32_MIN and a.max() <= _INT32_MAX):
                a = a.astype(np.int32)
            else:
                a = a.astype(np.int64)
    elif k == "c":
        pass
    elif k in "US":
        a = np.array(_encode_strings(a), dtype=object) if a.ndim else _encode(a[()])
        a = np.asarray(a, dtype=object)
    elif k == "O":
        a = _object_to_array(value)
    return a


def _is_np_scalar(value) -> bool:
    return isinstance(value, np.generic)


def _encode(s):
    return s.encode("utf-8") if isinstance(s, str) else bytes(s)


def _encode_strings(a):
    out = np.empty(a.shape, dtype=object)
    for idx, s in np.ndenumerate(a):
        out[idx] = _encode(s)
    return out


def _object_to_array(value):
    """Lists mixing Tensors and Python numbers (TF packs them), or strings."""
    if isinstance(value, (list, tuple)):
        parts = [_to_array(x, None) if not isinstance(x, Tensor) else asnumpy(x._v) for x in value]
        if parts and all(p.dtype.kind != "O" for p in parts):
            dt = parts[0].dtype
            for p in parts[1:]:
                if p.dtype != dt:
                    raise TypeError(f"Cannot convert a list mixing {from_numpy(dt).name} and "
                                    f"{from_numpy(p.dtype).name} values to a tensor")
            return np.stack(parts)
    if not isinstance(value, (list, tuple, np.ndarray)):
        if isinstance(value, (str, bytes)):
            return np.asarray(_encode(value), dtype=object)
        raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                         f"({type(value)}) to a Tensor.")
    a = np.asarray(value, dtype=object)
    if all(isinstance(x, (str, bytes)) for x in a.flat):
        return np.asarray(_encode_strings(a) if a.ndim else _encode(a[()]), dtype=object)
    raise ValueError("Can't convert Python sequence with mixed types to Tensor.")


def _cast_value(value, dtype: DType, original):
    """Array of `value` in `dtype`, refusing lossy Python-number conversions as TF does."""
    npd = dtype._np
    if npd is None:
        if dtype.name == "string":
            return _infer(value)
        raise TypeError(f"Cannot convert {original!r} to EagerTensor of dtype {dtype.name}")
    if isinstance(value, np.ndarray) or _is_np_scalar(value):
        # NumPy values are cast like tf.constant does (float -> int truncates)
        if value.dtype.kind in "OSU":
            raise TypeError(f"Cannot convert {original!r} to EagerTensor of dtype {dtype.name}")
        return np.asarray(value).astype(npd, copy=False)
    a = _infer(value)
    if a.dtype == npd:
        return a
    ka, kd = a.dtype.kind, npd.kind
    if ka == "f" and kd in "fc" and npd != np.float32:
        # keep a Python float's full precision (0.7 as float64 is not float32(0.7))
        a = np.asarray(value, dtype=np.float64)
    # TF: bools convert to numbers, ints to any number (wrapping out-of-range values, as
    # TF 2.21 does: 300 -> uint8 44), floats only to floats; nothing converts to bool
    ok = (ka in "iub" and kd in "iufc") or (ka == "f" and kd in "fc") or (ka == "c" and kd == "c")
    if not ok:
        raise TypeError(f"Cannot convert {_short(original)} to EagerTensor of dtype {dtype.name}")
    return a.astype(npd)


def _short(v) -> str:
    s = repr(v)
    return s if len(s) < 80 else s[:77] + "..."


def _to_array(value, dtype):
    if isinstance(value, Tensor):
        v = value._v
        if dtype is not None and from_numpy(v.dtype) != dtype:
            return v.astype(dtypes.as_dtype(dtype)._np)
        return v
    if dtype is None:
        return _infer(value)
    return _cast_value(value, dtypes.as_dtype(dtype), value)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """Converts a Python number, list, NumPy array or Tensor to a Tensor.

    Python ints become int32 (int64 when too large), floats float32; NumPy arrays keep their dtype.

    Args:
      value: the value to convert.
      dtype: the required dtype; a Tensor of another dtype raises ValueError.
      dtype_hint: a preferred dtype, used only where the value converts to it.
      name: unused in eager mode.

    Example:
      >>> tf.convert_to_tensor([1.0, 2.0]).dtype
      tf.float32
    """
    if isinstance(value, Tensor):
        if dtype is not None:
            dtype = dtypes.as_dtype(dtype)
            if value.dtype != dtype:
                raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor "
                                 f"with dtype {value.dtype.name}: {value!r}")
        return value
    tv = type(value)
    if (tv is float or tv is int) and type(dtype) is DType:  # hot: Python constants in ops, rules
        npd = dtype._np  # NumPy dtypes hash in C; DType.__hash__ is a Python call
        if npd in _FAST_SCALAR and (npd.kind == "f" if tv is float else
                                _INT32_MIN <= value <= _INT32_MAX):
            return _wrap(np.asarray(value, npd))  # what `_cast_value` gives, without its checks
    if tv is list and dtype is dtypes.float32:  # hot: a nested list of floats, e.g. `y_ - y`
        memo = _ROWS_MEMO.get(id(value))
        if memo is not None:
            try:
                if value == memo[0]:  # same values (floats compare by identity first): reuse
                    return _wrap(memo[1])
            except Exception:  # noqa: BLE001 - an element whose == raises: convert afresh
                pass
        a = _float_rows(value)
        if a is not None:
            return _wrap(_memo_rows(value, a.astype(np.float32)))
        try:
            a = np.asarray(value)
        except ValueError:  # ragged: the general path says so in TF's words
            a = None
        if a is not None and a.dtype.kind == "f":
            return _wrap(a.astype(np.float32))  # what `_cast_value` gives for Python floats
    conv = _CONVERSIONS.get(tv)
    if conv is not None:
        return conv(value, dtype)
    if hasattr(value, "_as_tensor"):
        return convert_to_tensor(value._as_tensor(), dtype=dtype)
    if dtype is None and dtype_hint is not None:
        try:
            return _wrap(_cast_value(value, dtypes.as_dtype(dtype_hint), value))
        except (TypeError, ValueError):
            pass
    if dtype is not None:
        return _wrap(_cast_value(value, dtypes.as_dtype(dtype), value))
    return _wrap(_infer(value))


_LIST_TYPE = {list}
_chain = itertools.chain.from_iterable


def _float_rows(value):
    """`np.asarray(value)` for a list of equal-length lists of numbers that NumPy reads as floats
    (a column of targets, say), from one flat list: NumPy's discovery of nested lists costs about
    twice as much. None for anything else (the caller then takes the general path)."""
    n = len(value)
    if not n or type(value[0]) is not list:
        return None
    k = len(value[0])
    # every row a list of k values: checked and flattened by C-level iteration, not a Python loop
    if set(map(type, value)) != _LIST_TYPE or set(map(len, value)) != {k}:
        return None
    flat = list(_chain(value))
    try:
        a = np.array(flat)
    except ValueError:  # mixed nesting
        return None
    if a.dtype.kind != "f" or a.ndim != 1:  # ints, strings, deeper nesting: the general path
        return None
    return a.reshape(n, k)


# id(list) -> (a copy of its rows, its float32 array, read-only) for lists of float rows that a
# loop converts on every step (`y_ - y` with `y_` a Python list): the copy's == check costs a
# tenth of a conversion. Only the rows are copied; their floats are the list's own objects.
_ROWS_MEMO: dict = {}
_ROWS_MEMO_MAX = 16  # lists remembered (a loop has a few)
_ROWS_MEMO_SIZE = 1 << 16  # elements: larger lists are converted each time


def _memo_rows(value: list, a):
    """Remembers `a` as the conversion of `value` (a list of equal-length lists of floats) and
    returns it, read-only so that no holder can change what later conversions reuse."""
    if a.size > _ROWS_MEMO_SIZE or not set(map(type, _chain(value))) <= _FLOAT_TYPES:
        return a  # an int or bool converts to the same float, but == cannot vouch for its type
    # 0.0 == -0.0: a zero replaced by the other zero would pass the == check with the old sign
    if not a.all():
        return a
    if len(_ROWS_MEMO) >= _ROWS_MEMO_MAX:
        _ROWS_MEMO.clear()
    a.flags.writeable = False
    _ROWS_MEMO[id(value)] = ([r[:] for r in value], a)
    return a


_FLOAT_TYPES = frozenset({float, np.float64, np.float32})  # immutable; == compares values

# Types with their own conversion (e.g. TensorShape, Keras symbolic values) register here.
_CONVERSIONS: dict = {}

# DTypes to which a Python float (float dtypes only) or an int32-range int converts by a plain NumPy
# cast: one rounding of the Python value, as `_cast_value` gives.
_FAST_SCALAR = frozenset(np.dtype(t) for t in (np.float32, np.float64, np.int32, np.int64))


def register_tensor_conversion_function(base_type, conversion_func, priority=100) -> None:
    """Registers `conversion_func(value, dtype)` for values of exactly `base_type`."""
    _CONVERSIONS[base_type] = conversion_func


def _shape_to_tensor(value, dtype):
    if not value.is_fully_defined():
        raise ValueError(f"Cannot convert a partially known TensorShape {value} to a Tensor.")
    return _wrap(_cast_value(value.as_list(), dtypes.as_dtype(dtype or dtypes.int32), value))


_CONVERSIONS[TensorShape] = _shape_to_tensor


def constant(value, dtype=None, shape=None, name="Const") -> Tensor:
    """Creates a constant tensor from a Python or NumPy value.

    Args:
      value: a number, nested list, NumPy array or Tensor.
      dtype: the element type; inferred from `value` when None (int -> int32, float -> float32).
      shape: optional shape; a scalar value is broadcast to it, otherwise it must hold as many
        elements.
      name: unused in eager mode.

    Example:
      >>> tf.constant([[1, 2], [3, 4]]).shape
      TensorShape([2, 2])
    """
    if isinstance(value, Tensor):
        a = value._v if dtype is None else value._v.astype(dtypes.as_dtype(dtype)._np)
    elif dtype is None:
        a = _infer(value)
    else:
        a = _cast_value(value, dtypes.as_dtype(dtype), value)
    if shape is not None:
        shape = tuple(TensorShape(shape).as_list())
        if a.size == 1 and a.shape != shape:
            a = np.broadcast_to(a.reshape(()), shape).copy()
        elif a.size == int(np.prod(shape, dtype=np.int64)):
            a = a.reshape(shape)
        else:
            from nanotf._src.errors import InvalidArgumentError
            raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor "
                            f"{a} (converted from {value!r}) has {a.size} elements, but got "
                            f"`shape` {TensorShape(shape)} with {int(np.prod(shape))} elements)."
                            ) from InvalidArgumentError(None, None, "shape mismatch")
    return _wrap(a)


def is_tensor(x) -> bool:
    """Whether `x` is a Tensor (including Variables and symbolic tensors)."""
    return isinstance(x, Tensor)


def tensor_of(array) -> Tensor:
    """Wraps a backend array as a Tensor without copying (internal)."""
    return _wrap(array)
