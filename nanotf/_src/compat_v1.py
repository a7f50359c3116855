"""TF1-only behaviour for `tf.compat.v1`: execution modes, graph Variables, variable scopes.

After `disable_eager_execution()` (or `disable_v2_behavior()`), `tf.compat.v1.Variable` creates a
graph variable: it still holds its value in an array (so Keras and eager code keep working), but
ops on it build graph nodes that read the value when a Session runs them, as in TF1.
"""

from __future__ import annotations

import contextlib
import threading

from nanotf._src import dtypes, graph
from nanotf._src.backend import np
from nanotf._src.dispatch import primitive
from nanotf._src.graph import Node, SymbolicTensor, flags, get_default_graph
from nanotf._src.plan import constant_value
from nanotf._src.tensor import Tensor, _wrap, convert_to_tensor, numpy_text
from nanotf._src.variables import Variable

# =============================== execution modes ===============================


def disable_eager_execution() -> None:
    """Switches to TF1 graph mode: v1 Variables and random ops build graph nodes."""
    flags.eager = False


def enable_eager_execution(config=None, device_policy=None, execution_mode=None) -> None:
    """Returns to eager execution (the TF 2 default)."""
    flags.eager = True


def disable_v2_behavior() -> None:
    """TF1 behaviour: graph mode, TF1 shapes (`?` dims) and identity equality of graph tensors.

    Example:
      >>> import nanotf.compat.v1 as tf
      >>> tf.disable_v2_behavior()
    """
    flags.eager = False
    flags.v2_tensorshape = False
    flags.v2_equality = False


def enable_v2_behavior() -> None:
    """Undoes `disable_v2_behavior()`."""
    flags.eager = True
    flags.v2_tensorshape = True
    flags.v2_equality = True


def disable_v2_tensorshape() -> None:
    """Static shapes print with `?` for unknown dims."""
    flags.v2_tensorshape = False


def enable_v2_tensorshape() -> None:
    """Static shapes print with `None` for unknown dims."""
    flags.v2_tensorshape = True


def executing_eagerly_outside_functions() -> bool:
    """Whether eager execution is on (ignoring any function being traced)."""
    return flags.eager


def disable_resource_variables() -> None:
    """Accepted for compatibility (nanotf has one kind of variable)."""


def enable_resource_variables() -> None:
    """Accepted for compatibility (nanotf has one kind of variable)."""


def resource_variables_enabled() -> bool:
    """Always True."""
    return True


# =============================== graph variables ===============================


@primitive("VariableV2", nondiff=True, stateful=True)
def _read(xp, var):
    return var._v


_read.shape_fn = lambda ins, attrs: [graph.AbstractArray(attrs["var"]._v.shape,
                                                         attrs["var"]._v.dtype)]


class RefVariable(Variable):
    """`tf.compat.v1.Variable`: in graph mode a graph tensor (read when a Session runs).

    Args:
      initial_value: the value, a callable returning it, or a graph tensor (e.g.
        `tf.compat.v1.random_normal(...)`), which `global_variables_initializer` re-runs.
      collections: graph collections to add it to (default: global, and trainable when trainable).

    Example:
      >>> W = tf.compat.v1.Variable(tf.zeros([784, 10]))
    """

    __slots__ = ("_node", "_index", "_symbolic", "_init_tensor", "_init_op")

    def __init__(self, initial_value=None, trainable=None, collections=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 expected_shape=None, import_scope=None, constraint=None, use_resource=None,
                 synchronization=None, aggregation=None, shape=None):
        self._node = None
        self._index = 0
        self._symbolic = False
        self._init_op = None
        if callable(initial_value):
            with graph.init_scope():
                initial_value = initial_value()
        init = initial_value
        if isinstance(init, Tensor) and init._symbolic:
            value = constant_value(init)
            self._init_tensor = init
        else:
            value = init
            self._init_tensor = None
        super().__init__(value, trainable=trainable, name=name, dtype=dtype, shape=shape,
                         constraint=constraint)
        if self._init_tensor is None:
            self._init_tensor = _wrap(self._v.copy())
        g = get_default_graph()
        if not flags.eager:
            op = g.unique_name(self._name[:-2])
            self._name = op + ":0"
            node = Node(g, _read, (), {"var": self}, op)
            node.outputs = (self,)
            g._append(node)
            self._node = node
            self._symbolic = True
        if collections is None:
            collections = ["variables"] + (["trainable_variables"] if self._trainable else [])
        for c in collections:
            g.add_to_collection(c, self)

    _bind_symbolic = classmethod(SymbolicTensor._bind_symbolic.__func__)

    @property
    def graph(self):
        """The graph of this variable (graph mode)."""
        return self._node.graph if self._node is not None else get_default_graph()

    @property
    def op(self):
        """The op that reads this variable (graph mode)."""
        return self._node

    @property
    def initializer(self):
        """An op assigning the initial value."""
        if self._init_op is None:
            from nanotf._src.session import variables_initializer

            self._init_op = variables_initializer([self], name=self._name[:-2] + "/Assign")
        return self._init_op

    @property
    def initial_value(self):
        """The initial value (a graph tensor when created from one)."""
        return self._init_tensor

    def _update(self, op, value):
        if self._symbolic or (isinstance(value, Tensor) and value._symbolic):
            return graph.variable_update(self, op, value)
        return getattr(Variable, op)(self, value)

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Sets the value (a graph op in graph mode, run by `Session.run`)."""
        return self._update("assign", value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Adds `delta` (a graph op in graph mode)."""
        return self._update("assign_add", delta)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtracts `delta` (a graph op in graph mode)."""
        return self._update("assign_sub", delta)

    def eval(self, session=None):
        """The current value as a NumPy array."""
        return self.numpy()

    def load(self, value, session=None) -> None:
        """Sets the value immediately (no op)."""
        Variable.assign(self, value)

    def __hash__(self):
        if self._symbolic:
            return id(self)
        return Variable.__hash__(self)

    def __eq__(self, other):
        if self._symbolic and not flags.v2_equality:
            return self is other
        return Tensor.__eq__(self, other)

    def __ne__(self, other):
        if self._symbolic and not flags.v2_equality:
            return self is not other
        return Tensor.__ne__(self, other)

    def __repr__(self) -> str:
        if self._symbolic:
            return (f"<tf.Variable '{self._name}' shape={graph.shape_text(self._v.shape)} "
                    f"dtype={self.dtype.name}_ref>")
        return (f"<tf.Variable '{self._name}' shape={self._shape} dtype={self.dtype.name}, "
                f"numpy={numpy_text(self._v, is_repr=True)}>")

    __str__ = __repr__


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    """`ref.assign(value)` (an op in graph mode)."""
    return ref.assign(value)


def assign_add(ref, value, use_locking=None, name=None):
    """`ref.assign_add(value)` (an op in graph mode)."""
    return ref.assign_add(value)


def assign_sub(ref, value, use_locking=None, name=None):
    """`ref.assign_sub(value)` (an op in graph mode)."""
    return ref.assign_sub(value)


def global_variables(scope=None) -> list:
    """The variables in the default graph's GLOBAL_VARIABLES collection."""
    return get_default_graph().get_collection("variables", scope)


def trainable_variables(scope=None) -> list:
    """The variables in the default graph's TRAINABLE_VARIABLES collection."""
    return get_default_graph().get_collection("trainable_variables", scope)


def local_variables(scope=None) -> list:
    """The variables in the LOCAL_VARIABLES collection."""
    return get_default_graph().get_collection("local_variables", scope)


def get_collection(key, scope=None) -> list:
    """A collection of the default graph."""
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key) -> list:
    """A collection list of the default graph (mutable)."""
    return get_default_graph().get_collection_ref(key)


def add_to_collection(name, value) -> None:
    """Adds `value` to a collection of the default graph."""
    get_default_graph().add_to_collection(name, value)


class GraphKeys:
    """Standard collection names."""

    GLOBAL_VARIABLES = "variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    LOCAL_VARIABLES = "local_variables"
    MODEL_VARIABLES = "model_variables"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    REGULARIZATION_LOSSES = "regularization_losses"
    SUMMARIES = "summaries"
    GLOBAL_STEP = "global_step"


# =============================== variable scopes ===============================

AUTO_REUSE = "AUTO_REUSE"
_scopes = threading.local()


class VariableScope:
    """The state of one `variable_scope`: its name, reuse mode and default initializer."""

    def __init__(self, reuse, name="", initializer=None, regularizer=None, dtype=dtypes.float32):
        self.name = name
        self.original_name_scope = name + "/" if name else ""
        self.reuse = reuse
        self.initializer = initializer
        self.regularizer = regularizer
        self.dtype = dtype

    def reuse_variables(self) -> None:
        """Makes `get_variable` return existing variables in this scope."""
        self.reuse = True

    def set_initializer(self, initializer) -> None:
        """Sets the default initializer."""
        self.initializer = initializer


def _stack() -> list:
    s = getattr(_scopes, "stack", None)
    if s is None:
        s = _scopes.stack = [VariableScope(False)]
    return s


def get_variable_scope() -> VariableScope:
    """The current variable scope."""
    return _stack()[-1]


@contextlib.contextmanager
def variable_scope(name_or_scope, default_name=None, values=None, initializer=None,
                   regularizer=None, caching_device=None, partitioner=None, custom_getter=None,
                   reuse=None, dtype=None, use_resource=None, constraint=None,
                   auxiliary_name_scope=True):
    """A scope for `get_variable` names (`scope/name`) and reuse, as TF1's `variable_scope`.

    Example:
      >>> with tf.compat.v1.variable_scope('layer1'):
      ...   w = tf.compat.v1.get_variable('w', [784, 10])   # 'layer1/w:0'
    """
    from nanotf._src.naming import name_scope

    parent = get_variable_scope()
    g = get_default_graph()
    if isinstance(name_or_scope, VariableScope):
        full = name_or_scope.name
    else:
        base = name_or_scope
        if base is None:
            if default_name is None:
                raise TypeError("If default_name is None then scope (name_or_scope) is required")
            counts = g.collections.setdefault("__var_scope_counts", {})
            key = (parent.name + "/" if parent.name else "") + default_name
            n = counts.get(key, 0)
            counts[key] = n + 1
            base = default_name if n == 0 else f"{default_name}_{n}"
        full = (parent.name + "/" if parent.name else "") + base
    if parent.reuse is True:
        mode = True
    elif isinstance(name_or_scope, VariableScope) and reuse is None:
        mode = name_or_scope.reuse
    else:
        mode = parent.reuse if reuse is None else reuse
    mode = AUTO_REUSE if mode == AUTO_REUSE else bool(mode)
    scope = VariableScope(mode, full, initializer or parent.initializer,
                          regularizer or parent.regularizer, dtype or parent.dtype)
    _stack().append(scope)
    try:
        if auxiliary_name_scope:
            with name_scope(full.rsplit("/", 1)[-1] if full else None):
                yield scope
        else:
            yield scope
    finally:
        _stack().pop()


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None, trainable=None,
                 collections=None, caching_device=None, partitioner=None, validate_shape=True,
                 use_resource=None, custom_getter=None, constraint=None, synchronization=None,
                 aggregation=None):
    """Gets an existing variable `scope/name` or creates it (TF1 sharing by name).

    Creation needs `shape` unless `initializer` is a value. The default initializer is
    glorot-uniform for floats and zeros otherwise.

    Example:
      >>> w = tf.compat.v1.get_variable('w', [2, 3], initializer=tf.compat.v1.zeros_initializer())
    """
    scope = get_variable_scope()
    full = f"{scope.name}/{name}" if scope.name else name
    store = get_default_graph().collections.setdefault("__variable_store", {})
    if full in store:
        if scope.reuse is False:
            raise ValueError(f"Variable {full} already exists, disallowed. Did you mean to set "
                             f"reuse=True or reuse=tf.AUTO_REUSE in VarScope?")
        return store[full]
    if scope.reuse is True:
        raise ValueError(f"Variable {full} does not exist, or was not created with "
                         f"tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in VarScope?")
    dt = dtypes.as_dtype(dtype or scope.dtype or dtypes.float32)
    init = initializer if initializer is not None else scope.initializer
    if init is None:
        init = glorot_uniform_initializer() if dt.is_floating else zeros_initializer()
    if callable(init):
        if shape is None:
            raise ValueError(f"Shape of a new variable ({full}) must be fully defined, but "
                             f"instead was None.")
        value = _call_initializer(init, shape, dt)
    else:
        value = convert_to_tensor(init, dtype=dt)
    from nanotf._src.naming import name_scope

    with name_scope(None):  # the variable scope names it, not the enclosing name scope
        v = RefVariable(value, trainable=True if trainable is None else trainable,
                        collections=collections, name=full, dtype=dt, constraint=constraint)
    store[full] = v
    if regularizer is not None or scope.regularizer is not None:
        loss = (regularizer or scope.regularizer)(v)
        if loss is not None:
            get_default_graph().add_to_collection("regularization_losses", loss)
    return v


def _call_initializer(init, shape, dt):
    shape = [int(d) for d in shape]
    try:
        return init(shape, dtype=dt, partition_info=None)
    except TypeError:
        return init(shape, dtype=dt)


# =============================== TF1 initializers ===============================


class _Init:
    """Base of the TF1 initializers: `init(shape, dtype=None, partition_info=None)`."""

    def __init__(self, dtype=dtypes.float32, seed=None, **kwargs):
        self.dtype = dtypes.as_dtype(dtype)
        self.seed = seed
        self.kwargs = kwargs

    def __call__(self, shape, dtype=None, partition_info=None):
        dt = dtypes.as_dtype(dtype or self.dtype)
        return self._make([int(d) for d in shape], dt)

    def get_config(self) -> dict:
        return dict(self.kwargs, seed=self.seed, dtype=self.dtype.name)


class zeros_initializer(_Init):
    """Initializes to 0."""

    def _make(self, shape, dt):
        return _wrap(np.zeros(shape, dt._np))


class ones_initializer(_Init):
    """Initializes to 1."""

    def _make(self, shape, dt):
        return _wrap(np.ones(shape, dt._np))


class constant_initializer(_Init):
    """Initializes to `value` (a scalar, or a list reshaped to the shape)."""

    def __init__(self, value=0, dtype=dtypes.float32, verify_shape=False):
        super().__init__(dtype, value=value)

    def _make(self, shape, dt):
        v = np.asarray(self.kwargs["value"], dt._np)
        return _wrap(np.broadcast_to(v, shape).copy() if v.size == 1 else v.reshape(shape))


def _fans(shape):
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    rf = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * rf, shape[-1] * rf


class random_normal_initializer(_Init):
    """Samples a normal distribution."""

    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(dtype, seed, mean=mean, stddev=stddev)

    def _make(self, shape, dt):
        from nanotf._src.ops import random

        return random.normal(shape, self.kwargs["mean"], self.kwargs["stddev"], dt, self.seed)


class truncated_normal_initializer(random_normal_initializer):
    """Samples a normal distribution truncated at two standard deviations."""

    def _make(self, shape, dt):
        from nanotf._src.ops import random

        return random.truncated_normal(shape, self.kwargs["mean"], self.kwargs["stddev"], dt,
                                       self.seed)


class random_uniform_initializer(_Init):
    """Samples uniformly from `[minval, maxval)`."""

    def __init__(self, minval=0.0, maxval=None, seed=None, dtype=dtypes.float32):
        super().__init__(dtype, seed, minval=minval, maxval=maxval)

    def _make(self, shape, dt):
        from nanotf._src.ops import random

        return random.uniform(shape, self.kwargs["minval"], self.kwargs["maxval"], dt, self.seed)


class variance_scaling_initializer(_Init):
    """Scales samples by the layer's fan (`scale / fan`), normal or uniform."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 dtype=dtypes.float32):
        super().__init__(dtype, seed, scale=scale, mode=mode, distribution=distribution)

    def _make(self, shape, dt):
        from nanotf._src.ops import random

        k = self.kwargs
        fan_in, fan_out = _fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out}.get(k["mode"], (fan_in + fan_out) / 2.0)
        var = k["scale"] / max(1.0, fan)
        if k["distribution"] == "uniform":
            lim = float(np.sqrt(3.0 * var))
            return random.uniform(shape, -lim, lim, dt, self.seed)
        if k["distribution"] == "untruncated_normal":
            return random.normal(shape, 0.0, float(np.sqrt(var)), dt, self.seed)
        return random.truncated_normal(shape, 0.0, float(np.sqrt(var) / 0.87962566103423978),
                                       dt, self.seed)


def glorot_uniform_initializer(seed=None, dtype=dtypes.float32):
    """Glorot (Xavier) uniform: limit `sqrt(6 / (fan_in + fan_out))`."""
    return variance_scaling_initializer(1.0, "fan_avg", "uniform", seed, dtype)


def glorot_normal_initializer(seed=None, dtype=dtypes.float32):
    """Glorot (Xavier) truncated normal: stddev `sqrt(2 / (fan_in + fan_out))`."""
    return variance_scaling_initializer(1.0, "fan_avg", "truncated_normal", seed, dtype)


Variable = RefVariable  # the TF1 name
