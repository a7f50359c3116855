"""`tf.Variable`: a mutable tensor whose value lives in one array updated in place."""

from __future__ import annotations

import enum

from nanotf._src import dispatch, dtypes, tape
from nanotf._src.backend import asnumpy, np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.naming import current_scope
from nanotf._src.tensor import Tensor, _wrap, convert_to_tensor, numpy_text
from nanotf._src.tensor_shape import TensorShape

# tf.function watches variable creation while tracing (TF's singleton-variable rule).
_creation_observers: list = []


def _graph_update(var, op: str, value):
    from nanotf._src.graph import variable_update

    return variable_update(var, op, value)


class VariableSynchronization(enum.Enum):
    """When a distributed variable is aggregated (accepted for compatibility)."""

    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


class VariableAggregation(enum.Enum):
    """How a distributed variable is aggregated (accepted for compatibility)."""

    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


class Variable(Tensor):
    """A tensor whose value can change through `assign`, `assign_add` and `assign_sub`.

    Trainable variables are watched by `tf.GradientTape` automatically.

    Args:
      initial_value: a value convertible to a tensor, or a callable returning one.
      trainable: whether gradient tapes watch it (default True).
      name: the name; `'Variable'` by default. The current name scope is prefixed.
      dtype: convert the initial value to this dtype.
      shape: the declared shape (dims may be None to allow assigning other shapes).
      constraint: a function applied by optimizers after each update.

    Example:
      >>> v = tf.Variable(1.0)
      >>> v.assign_add(0.5)
      >>> v.numpy()
      1.5
    """

    __slots__ = ("_name", "_trainable", "_shape", "_constraint", "_aggregation",
                 "_synchronization", "_initial")
    _is_variable = True

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None,
                 synchronization=VariableSynchronization.AUTO,
                 aggregation=VariableAggregation.NONE, shape=None,
                 experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` arg to `tf.Variable` must be specified except "
                             "when you are not providing a `variable_def`. You provided neither.")
        if _creation_observers:
            for observe in list(_creation_observers):
                observe(self)
        if callable(initial_value):
            from nanotf._src.graph import init_scope  # initializers run eagerly, as TF lifts them

            with init_scope():
                initial_value = initial_value()
        if isinstance(initial_value, Tensor) and initial_value._symbolic:
            from nanotf._src.plan import constant_value  # created while tracing: lift the value

            initial_value = constant_value(initial_value)
        t = convert_to_tensor(initial_value, dtype=dtype) if not isinstance(initial_value, Tensor) \
            else initial_value
        if dtype is not None and t.dtype != dtypes.as_dtype(dtype):
            t = _wrap(t._v.astype(dtypes.as_dtype(dtype)._np))
        self._v = np.array(asnumpy(t._v), copy=True)
        if synchronization == VariableSynchronization.ON_READ and trainable:
            raise ValueError("Synchronization value can be set to VariableSynchronization.ON_READ "
                             "only for non-trainable variables.")
        self._trainable = True if trainable is None else bool(trainable)
        self._shape = TensorShape(self._v.shape) if shape is None else TensorShape(shape)
        if not self._shape.is_compatible_with(self._v.shape):
            raise ValueError(f"The initial value's shape ({TensorShape(self._v.shape)}) is not "
                             f"compatible with the explicitly supplied `shape` argument "
                             f"({self._shape}).")
        base = name if name is not None else "Variable"
        if base.endswith(":0"):
            base = base[:-2]
        self._name = current_scope() + base + ":0"
        self._constraint = constraint
        self._aggregation = aggregation
        self._synchronization = synchronization
        self._initial = None

    # --- reading ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The variable's name, e.g. `'dense/kernel:0'`."""
        return self._name

    @property
    def shape(self) -> TensorShape:
        """The declared shape."""
        return self._shape

    def get_shape(self) -> TensorShape:
        """Alias of `shape`."""
        return self._shape

    @property
    def trainable(self) -> bool:
        """Whether gradient tapes watch this variable automatically."""
        return self._trainable

    @property
    def constraint(self):
        """The constraint function, or None."""
        return self._constraint

    @property
    def aggregation(self):
        """The aggregation mode."""
        return self._aggregation

    @property
    def synchronization(self):
        """The synchronization mode."""
        return self._synchronization

    @property
    def initial_value(self) -> Tensor:
        """The value the variable was created with (a copy of its current value if unknown)."""
        return _wrap(self._v.copy())

    @property
    def handle(self):
        """The variable itself (nanotf has no resource handles)."""
        return self

    def read_value(self) -> Tensor:
        """The current value as a new Tensor (recorded by gradient tapes; later assigns do not
        change it)."""
        return bind(_read, self)

    def value(self) -> Tensor:
        """The current value as a Tensor."""
        return self.read_value()

    def numpy(self):
        """A copy of the current value as a NumPy array (a NumPy scalar for rank 0)."""
        v = asnumpy(self._v)
        return v[()] if v.ndim == 0 else v.copy()

    def _as_tensor(self) -> Tensor:
        return _wrap(self._v)

    def ref(self):
        """A hashable reference to this variable."""
        return super().ref()

    def __hash__(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key. "
                        f"(Variable: {self!r})")

    def __repr__(self) -> str:
        return (f"<tf.Variable '{self._name}' shape={self._shape} dtype={self.dtype.name}, "
                f"numpy={numpy_text(self._v, is_repr=True)}>")

    def __str__(self) -> str:
        return self.__repr__()

    def __deepcopy__(self, memo):
        v = Variable(self._v.copy(), trainable=self._trainable, name=self._name[:-2],
                     shape=self._shape, constraint=self._constraint)
        v._name = self._name
        return v

    def __reduce__(self):
        return _rebuild, (self.numpy(), self._trainable, self._name)

    # --- writing ---------------------------------------------------------------------------
    def _new_value(self, value, op: str):
        if type(value) is Tensor and value._v.dtype is self._v.dtype:  # the usual update
            a = value._v
        else:
            t = value if isinstance(value, Tensor) and value.dtype == self.dtype \
                else convert_to_tensor(value, dtype=self.dtype)
            a = t._v
        if a.shape != self._v.shape:
            if not self._shape.is_compatible_with(a.shape) or op != "assign":
                raise ValueError(
                    f"Cannot {'assign' if op == 'assign' else 'update'} value to variable "
                    f"'{self._name}': Shape mismatch.The variable shape {self._shape}, and the "
                    f"assigned value shape {TensorShape(a.shape)} are incompatible.")
        return a

    def _writable(self) -> bool:
        # A live tape log may hold this array for its VJPs: then replace, never mutate.
        return not tape._live or not tape.holds(self)

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Sets the value; returns the updated variable (when `read_value`)."""
        if dispatch.context.graph is not None or getattr(value, "_symbolic", False):
            return _graph_update(self, "assign", value)
        a = self._new_value(value, "assign")
        if a.shape == self._v.shape and self._writable() and self._v.flags.writeable:
            np.copyto(self._v, a)
        else:
            self._v = np.array(a, copy=True)
        return self._read_back(read_value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Adds `delta` to the value in place."""
        if dispatch.context.graph is not None or getattr(delta, "_symbolic", False):
            return _graph_update(self, "assign_add", delta)
        a = self._new_value(delta, "assign_add")
        if self._writable():
            v = self._v
            if a.dtype is v.dtype:  # the usual case: no casting argument for the ufunc to parse
                np.add(v, a, out=v)
            else:
                np.add(v, a, out=v, casting="unsafe")
        else:
            self._v = self._v + a
        return self._read_back(read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtracts `delta` from the value in place."""
        if dispatch.context.graph is not None or getattr(delta, "_symbolic", False):
            return _graph_update(self, "assign_sub", delta)
        a = self._new_value(delta, "assign_sub")
        if self._writable():
            v = self._v
            if a.dtype is v.dtype:  # the usual case: no casting argument for the ufunc to parse
                np.subtract(v, a, out=v)
            else:
                np.subtract(v, a, out=v, casting="unsafe")
        else:
            self._v = self._v - a
        return self._read_back(read_value)

    def _read_back(self, read_value):
        if not read_value:
            return None
        u = _UnreadVariable.__new__(_UnreadVariable)
        u._of = self
        return u

    def _assign_array(self, array) -> None:
        """Replaces the value with an array of the same dtype (internal fast path)."""
        if self._writable() and array.shape == self._v.shape:
            np.copyto(self._v, array, casting="unsafe")
        else:
            self._v = np.array(array, dtype=self._v.dtype, copy=True)

    def scatter_nd_update(self, indices, updates, name=None):
        """Writes `updates` at `indices` (as `tf.tensor_scatter_nd_update`)."""
        idx = asnumpy(convert_to_tensor(indices)._v)
        upd = convert_to_tensor(updates, dtype=self.dtype)._v
        new = self._v.copy()
        new[tuple(np.moveaxis(idx, -1, 0))] = upd
        self._assign_array(new)
        return self._read_back(True)

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        """Writes an IndexedSlices' values at its indices."""
        idx = asnumpy(convert_to_tensor(sparse_delta.indices)._v)
        new = self._v.copy()
        new[idx] = convert_to_tensor(sparse_delta.values, dtype=self.dtype)._v
        self._assign_array(new)
        return self._read_back(True)


@primitive("ReadVariableOp", "unary")
def _read(xp, x):
    """A copy of the variable's array: a read must not see later in-place updates."""
    return x.copy()


_read.defvjp(lambda g, out, x: g)


class _UnreadVariable(Variable):
    """What `assign*` returns: a view that reads the variable's current value."""

    __slots__ = ("_of",)

    def __getattribute__(self, item):
        if item in ("_of", "__class__", "__repr__", "name", "_name"):
            return object.__getattribute__(self, item)
        return getattr(object.__getattribute__(self, "_of"), item)

    @property
    def _v(self):  # noqa: F811 - the slot is the target's
        return self._of._v

    @property
    def _name(self):  # noqa: F811
        return "UnreadVariable"

    @property
    def name(self):
        return self._of.name

    def __repr__(self) -> str:
        return (f"<tf.Variable 'UnreadVariable' shape={self._of._shape} "
                f"dtype={self._of.dtype.name}, numpy={numpy_text(self._of._v, is_repr=True)}>")


def _rebuild(value, trainable, name):
    v = Variable(value, trainable=trainable)
    v._name = name
    return v
