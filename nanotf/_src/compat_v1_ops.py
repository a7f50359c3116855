"""TF1 names that TF 2 moved or changed, and the `tf.compat.v1` sub-namespaces.

Each sub-namespace (`nn`, `losses`, `layers`, `train`, `random`, `logging`, ...) holds the TF1
versions and falls back to the TF 2 module for every other name, as `tf.compat.v1.*` does.
"""

from __future__ import annotations

import importlib
import sys
import types

from nanotf._src import compat_v1, compat_v1_train, dtypes, session
from nanotf._src.graph import building, flags, get_default_graph
from nanotf._src.tensor import Tensor, convert_to_tensor


def _ops():
    from nanotf._src import ops

    return ops


class _Namespace(types.ModuleType):
    """A module object: TF1 names first, then the TF 2 module `fallback`."""

    def __init__(self, name: str, fallback: str | None, doc: str, **names):
        super().__init__(name, doc)
        self.__dict__.update(names)
        self._fallback = fallback

    def __getattr__(self, item):
        if item.startswith("__") or self._fallback is None:
            raise AttributeError(f"module '{self.__name__}' has no attribute '{item}'")
        return getattr(importlib.import_module(self._fallback), item)


def v1_getattr(name: str):
    """PEP 562 `__getattr__` of `nanotf.compat.v1`: every other name comes from `nanotf`."""
    nanotf = sys.modules["nanotf"]  # the package is always imported before its submodules
    if name.startswith("__") and name not in ("__version__", "__git_version__"):
        raise AttributeError(name)
    try:
        return getattr(nanotf, name)
    except AttributeError:
        raise AttributeError(f"module 'nanotf.compat.v1' has no attribute '{name}'") from None


def _in_graph(fn):
    """In TF1 graph mode, builds `fn`'s ops into the default graph (random ops stay random)."""
    def op(*args, **kwargs):
        if flags.eager:
            return fn(*args, **kwargs)
        with building(get_default_graph()):
            return fn(*args, **kwargs)

    op.__name__ = getattr(fn, "__name__", "op")
    op.__doc__ = fn.__doc__
    return op


# =============================== renamed arguments ===============================


def _reduction(name):
    def op(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
           keep_dims=None):
        axis = reduction_indices if axis is None else axis
        kd = keep_dims if keepdims is None else keepdims
        return getattr(_ops(), op.__name__)(input_tensor, axis=axis, keepdims=bool(kd))

    op.__name__ = name
    op.__doc__ = (f"`tf.{name}` with TF1's `reduction_indices` / `keep_dims` aliases.\n\n"
                  f"  Example: `tf.compat.v1.{name}(x, reduction_indices=[1])`.")
    return op


reduce_sum = _reduction("reduce_sum")
reduce_mean = _reduction("reduce_mean")
reduce_max = _reduction("reduce_max")
reduce_min = _reduction("reduce_min")
reduce_prod = _reduction("reduce_prod")
reduce_any = _reduction("reduce_any")
reduce_all = _reduction("reduce_all")
reduce_logsumexp = _reduction("reduce_logsumexp")


def argmax(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """Index of the largest value along `axis` (TF1's `dimension` alias)."""
    return _ops().argmax(input, axis if axis is not None else dimension, output_type)


def argmin(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):  # noqa: A002
    """Index of the smallest value along `axis` (TF1's `dimension` alias)."""
    return _ops().argmin(input, axis if axis is not None else dimension, output_type)


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    """Inserts a size-1 dimension at `axis` (TF1's `dim` alias)."""
    return _ops().expand_dims(input, axis if axis is not None else dim)


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    """Removes size-1 dimensions (TF1's `squeeze_dims` alias)."""
    return _ops().squeeze(input, axis if axis is not None else squeeze_dims)


def to_float(x, name="ToFloat"):
    """Casts to float32."""
    return _ops().cast(x, dtypes.float32)


def to_double(x, name="ToDouble"):
    """Casts to float64."""
    return _ops().cast(x, dtypes.float64)


def to_int32(x, name="ToInt32"):
    """Casts to int32."""
    return _ops().cast(x, dtypes.int32)


def to_int64(x, name="ToInt64"):
    """Casts to int64."""
    return _ops().cast(x, dtypes.int64)


def div(x, y, name=None):
    """TF1 division: floor division for integers, true division for floats."""
    x = convert_to_tensor(x) if not isinstance(x, Tensor) else x
    if x.dtype.is_integer:
        return _ops().floordiv(x, y)
    return _ops().divide(x, y)


def dimension_value(dimension):
    """The int (or None) of a TF1 Dimension or a plain dim."""
    return getattr(dimension, "value", dimension)


def _random(name):
    def fn(*args, **kwargs):
        from nanotf._src.ops import random

        return getattr(random, name)(*args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"`tf.random.{name}` under its TF1 name (a graph op in graph mode)."
    return _in_graph(fn)


random_normal = _random("normal")
random_uniform = _random("uniform")
truncated_normal = _random("truncated_normal")
random_shuffle = _random("shuffle")
multinomial = _random("categorical")


def set_random_seed(seed) -> None:
    """Sets the global random seed (TF1 name of `tf.random.set_seed`)."""
    from nanotf._src.ops import random

    random.set_seed(seed)


def log(x, name=None):
    """Natural logarithm (TF1 name of `tf.math.log`)."""
    return _ops().log(x)


# =============================== nn, losses, layers ===============================


def _softmax(logits, axis=None, name=None, dim=None):
    """Softmax along `axis` (TF1's `dim` alias)."""
    return _ops().softmax(logits, axis if axis is not None else dim)


def _log_softmax(logits, axis=None, name=None, dim=None):
    """Log-softmax along `axis` (TF1's `dim` alias)."""
    return _ops().log_softmax(logits, axis if axis is not None else dim)


def _xent_v1(labels=None, logits=None, dim=-1, name=None, axis=None):
    """Softmax cross-entropy per example (TF1: no gradient into `labels`)."""
    return _ops().softmax_cross_entropy_with_logits(
        _ops().stop_gradient(labels), logits, axis=axis if axis is not None else dim)


def _xent_v2(labels, logits, axis=None, name=None, dim=None):
    """Softmax cross-entropy per example (gradients also flow into `labels`)."""
    ax = axis if axis is not None else (dim if dim is not None else -1)
    return _ops().softmax_cross_entropy_with_logits(labels, logits, axis=ax)


def _sparse_xent(labels=None, logits=None, name=None):
    """Sparse softmax cross-entropy per example."""
    return _ops().sparse_softmax_cross_entropy_with_logits(labels, logits)


def _dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """Dropout with TF1's `keep_prob` (or `rate`)."""
    if rate is None:
        if keep_prob is None:
            raise ValueError("You must provide a rate to dropout.")
        rate = 1 - keep_prob
    return _ops().dropout(x, rate, noise_shape=noise_shape, seed=seed)


def _xw_plus_b(x, weights, biases, name=None):
    """`matmul(x, weights) + biases`."""
    return _ops().bias_add(_ops().matmul(x, weights), biases)


nn = _Namespace("nanotf.compat.v1.nn", "nanotf.nn", "TF1 `tf.nn`.",
                softmax=_softmax, log_softmax=_log_softmax,
                softmax_cross_entropy_with_logits=_xent_v1,
                softmax_cross_entropy_with_logits_v2=_xent_v2,
                sparse_softmax_cross_entropy_with_logits=_sparse_xent,
                dropout=_dropout, xw_plus_b=_xw_plus_b)


def _weighted(losses, weights, collection="losses"):
    """TF1's SUM_BY_NONZERO_WEIGHTS reduction; the result joins the LOSSES collection."""
    o = _ops()
    w = _ops().cast(convert_to_tensor(weights), losses.dtype)
    total = o.reduce_sum(o.multiply(losses, w))
    count = o.reduce_sum(o.cast(o.not_equal(o.multiply(o.ones_like(losses), w), 0.0),
                                losses.dtype))
    loss = o.divide_no_nan(total, count)
    if isinstance(loss, Tensor) and loss._symbolic:
        get_default_graph().add_to_collection(collection, loss)
    return loss


def _softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                           loss_collection="losses", reduction=None):
    """Mean softmax cross-entropy of one-hot labels and logits."""
    labels = _ops().cast(onehot_labels, logits.dtype)
    if label_smoothing:
        n = logits.shape[-1]
        labels = labels * (1.0 - label_smoothing) + label_smoothing / n
    return _weighted(_ops().softmax_cross_entropy_with_logits(labels, logits), weights)


def _sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                  loss_collection="losses", reduction=None):
    """Mean sparse softmax cross-entropy of integer labels and logits."""
    return _weighted(_ops().sparse_softmax_cross_entropy_with_logits(labels, logits), weights)


def _mean_squared_error(labels, predictions, weights=1.0, scope=None,
                        loss_collection="losses", reduction=None):
    """Mean squared error."""
    o = _ops()
    return _weighted(o.square(o.subtract(predictions, o.cast(labels, predictions.dtype))),
                     weights)


def _absolute_difference(labels, predictions, weights=1.0, scope=None,
                         loss_collection="losses", reduction=None):
    """Mean absolute error."""
    o = _ops()
    return _weighted(o.abs(o.subtract(predictions, o.cast(labels, predictions.dtype))), weights)


def _sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0,
                           scope=None, loss_collection="losses", reduction=None):
    """Mean sigmoid cross-entropy."""
    o = _ops()
    labels = o.cast(multi_class_labels, logits.dtype)
    if label_smoothing:
        labels = labels * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return _weighted(o.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits), weights)


def _get_total_loss(add_regularization_losses=True, name="total_loss", scope=None):
    """The sum of the LOSSES collection (plus regularization losses)."""
    g = get_default_graph()
    items = g.get_collection("losses", scope)
    if add_regularization_losses:
        items += g.get_collection("regularization_losses", scope)
    return _ops().add_n(items)


def _get_regularization_loss(scope=None, name="total_regularization_loss"):
    """The sum of the REGULARIZATION_LOSSES collection (0 if empty)."""
    items = get_default_graph().get_collection("regularization_losses", scope)
    return _ops().add_n(items) if items else convert_to_tensor(0.0)


losses = _Namespace("nanotf.compat.v1.losses", "nanotf.keras.losses", "TF1 `tf.losses`.",
                    softmax_cross_entropy=_softmax_cross_entropy,
                    sparse_softmax_cross_entropy=_sparse_softmax_cross_entropy,
                    mean_squared_error=_mean_squared_error,
                    absolute_difference=_absolute_difference,
                    sigmoid_cross_entropy=_sigmoid_cross_entropy,
                    get_total_loss=_get_total_loss,
                    get_regularization_loss=_get_regularization_loss,
                    add_loss=lambda loss, loss_collection="losses": compat_v1.add_to_collection(
                        loss_collection, loss))


def _dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
           bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
           activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
           trainable=True, name=None, reuse=None):
    """A fully connected layer from `get_variable`s (`<name>/kernel`, `<name>/bias`)."""
    o = _ops()
    x = convert_to_tensor(inputs)
    with compat_v1.variable_scope(name, default_name="dense", reuse=reuse):
        kernel = compat_v1.get_variable("kernel", [int(x.shape[-1]), units], dtype=x.dtype,
                                        initializer=kernel_initializer,
                                        regularizer=kernel_regularizer, trainable=trainable)
        y = o.matmul(x, kernel) if x.shape.rank == 2 else o.tensordot(x, kernel, [[-1], [0]])
        if use_bias:
            bias = compat_v1.get_variable(
                "bias", [units], dtype=x.dtype, trainable=trainable,
                initializer=bias_initializer or compat_v1.zeros_initializer(),
                regularizer=bias_regularizer)
            y = o.bias_add(y, bias)
        return activation(y) if activation is not None else y


def _flatten(inputs, name=None, data_format="channels_last"):
    """Flattens all dimensions but the first."""
    x = convert_to_tensor(inputs)
    n = 1
    for d in x.shape.as_list()[1:]:
        n *= d
    return _ops().reshape(x, [-1, n])


def _layer_dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """Dropout applied only when `training` (a bool or a bool tensor)."""
    from nanotf._src.ops.control import cond

    return cond(convert_to_tensor(training), lambda: _ops().dropout(inputs, rate, noise_shape,
                                                                    seed),
                lambda: _ops().identity(inputs))


def _conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
            data_format="channels_last", dilation_rate=(1, 1), activation=None, use_bias=True,
            kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
            bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
            bias_constraint=None, trainable=True, name=None, reuse=None):
    """A 2-D convolution layer (NHWC) from `get_variable`s."""
    o = _ops()
    x = convert_to_tensor(inputs)
    k = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    s = (strides, strides) if isinstance(strides, int) else tuple(strides)
    with compat_v1.variable_scope(name, default_name="conv2d", reuse=reuse):
        kernel = compat_v1.get_variable("kernel", [*k, int(x.shape[-1]), filters],
                                        dtype=x.dtype, initializer=kernel_initializer,
                                        trainable=trainable)
        y = o.conv2d(x, kernel, [1, *s, 1], padding.upper())
        if use_bias:
            bias = compat_v1.get_variable(
                "bias", [filters], dtype=x.dtype, trainable=trainable,
                initializer=bias_initializer or compat_v1.zeros_initializer())
            y = o.bias_add(y, bias)
        return activation(y) if activation is not None else y


def _pool(kind):
    def op(inputs, pool_size, strides, padding="valid", data_format="channels_last", name=None):
        p = (pool_size, pool_size) if isinstance(pool_size, int) else tuple(pool_size)
        s = (strides, strides) if isinstance(strides, int) else tuple(strides)
        fn = _ops().max_pool2d if kind == "max" else _ops().avg_pool2d
        return fn(inputs, [1, *p, 1], [1, *s, 1], padding.upper())

    op.__doc__ = f"2-D {kind} pooling (NHWC)."
    return op


layers = _Namespace("nanotf.compat.v1.layers", "nanotf.keras.layers", "TF1 `tf.layers`.",
                    dense=_dense, flatten=_flatten, dropout=_layer_dropout, conv2d=_conv2d,
                    max_pooling2d=_pool("max"), average_pooling2d=_pool("avg"))

# =============================== train, random, logging, app ===============================

train = _Namespace(
    "nanotf.compat.v1.train", "nanotf.train", "TF1 `tf.train`.",
    Optimizer=compat_v1_train.Optimizer,
    GradientDescentOptimizer=compat_v1_train.GradientDescentOptimizer,
    MomentumOptimizer=compat_v1_train.MomentumOptimizer,
    AdamOptimizer=compat_v1_train.AdamOptimizer,
    RMSPropOptimizer=compat_v1_train.RMSPropOptimizer,
    AdagradOptimizer=compat_v1_train.AdagradOptimizer,
    get_or_create_global_step=compat_v1_train.get_or_create_global_step,
    get_global_step=compat_v1_train.get_global_step)

random = _Namespace("nanotf.compat.v1.random", "nanotf.random", "TF1 `tf.random`.",
                    set_random_seed=set_random_seed, normal=random_normal, uniform=random_uniform,
                    truncated_normal=truncated_normal, shuffle=random_shuffle,
                    multinomial=multinomial)


class _Logging:
    DEBUG, INFO, WARN, ERROR, FATAL = 10, 20, 30, 40, 50
    level = 30


def _log(level):
    def fn(msg, *args, **kwargs):
        if level >= _Logging.level:
            print(msg % args if args else msg, file=sys.stderr)

    fn.__doc__ = "Logs a message to stderr when the verbosity allows it."
    return fn


def _set_verbosity(v) -> None:
    """Sets the threshold of `tf.compat.v1.logging`."""
    _Logging.level = int(v)


logging = _Namespace("nanotf.compat.v1.logging", None, "TF1 `tf.logging`.",
                     DEBUG=10, INFO=20, WARN=30, WARNING=30, ERROR=40, FATAL=50,
                     set_verbosity=_set_verbosity, get_verbosity=lambda: _Logging.level,
                     debug=_log(10), info=_log(20), warn=_log(30), warning=_log(30),
                     error=_log(40), fatal=_log(50),
                     log=lambda level, msg, *a: _log(level)(msg, *a))


def _app_run(main=None, argv=None):
    """Calls `main(argv)` and exits with its result, as TF1's `tf.app.run`."""
    main = main or sys.modules["__main__"].main
    sys.exit(main(list(argv) if argv is not None else sys.argv))


app = _Namespace("nanotf.compat.v1.app", None, "TF1 `tf.app`.", run=_app_run)

initializers = _Namespace(
    "nanotf.compat.v1.initializers", "nanotf.keras.initializers", "TF1 `tf.initializers`.",
    global_variables=session.global_variables_initializer,
    local_variables=session.local_variables_initializer,
    variables=session.variables_initializer,
    zeros=compat_v1.zeros_initializer, ones=compat_v1.ones_initializer,
    constant=compat_v1.constant_initializer, random_normal=compat_v1.random_normal_initializer,
    random_uniform=compat_v1.random_uniform_initializer,
    truncated_normal=compat_v1.truncated_normal_initializer,
    variance_scaling=compat_v1.variance_scaling_initializer,
    glorot_uniform=compat_v1.glorot_uniform_initializer,
    glorot_normal=compat_v1.glorot_normal_initializer)


class ConfigProto:
    """Session configuration (accepted and kept; nanotf has nothing to configure).

    Unknown nested options (`config.gpu_options.allow_growth = True`) are created on access.
    """

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

    def __getattr__(self, item):
        if item.startswith("__"):
            raise AttributeError(item)
        value = ConfigProto()
        self.__dict__[item] = value
        return value

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__dict__})"


class GPUOptions(ConfigProto):
    """GPU options of a ConfigProto (accepted, ignored)."""


class RunOptions(ConfigProto):
    """Options of one `Session.run` (accepted, ignored)."""


class RunMetadata(ConfigProto):
    """Metadata of one `Session.run` (accepted, empty)."""


arg_max = argmax  # TF1 names
arg_min = argmin
