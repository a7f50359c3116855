"""Keras metrics (`tf.keras.metrics`): stateful `Metric` objects and the plain metric functions.

A metric keeps its state in non-trainable `tf.Variable`s (`total`, `count`) and updates them with
ops, so an update also works inside a traced train step. Precision/Recall/AUC are in
`confusion_metrics.py`.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Callable

from nanotf._src import dtypes, ops
from nanotf._src.backend import np
from nanotf._src.keras import losses as L
from nanotf._src.tensor import Tensor, convert_to_tensor
from nanotf._src.variables import Variable

_F32 = dtypes.float32


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def _snake(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


# ------------------------------------------------------------------ metric functions


def accuracy(y_true, y_pred) -> Tensor:
    """1.0 where `y_true == y_pred` elementwise, else 0.0.

    Example:
      >>> tf.keras.metrics.accuracy([1, 2], [1, 3]).numpy()
      array([1., 0.], dtype=float32)
    """
    y_true, y_pred = _tensor(y_true), _tensor(y_pred)
    if y_true.dtype != y_pred.dtype:
        y_pred = ops.cast(y_pred, y_true.dtype)
    return ops.cast(ops.equal(y_true, y_pred), _F32)


def _binary_matches(y_true, y_pred, threshold: float = 0.5) -> Tensor:
    y_pred = _tensor(y_pred)
    pred = ops.cast(ops.greater(y_pred, ops.cast(threshold, y_pred.dtype)), y_pred.dtype)
    return ops.cast(ops.equal(ops.cast(y_true, y_pred.dtype), pred), _F32)


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> Tensor:
    """Mean over the last axis of `y_true == (y_pred > threshold)`."""
    return ops.reduce_mean(_binary_matches(y_true, y_pred, threshold), -1)


def _sparse_matches(y_true, y_pred) -> Tensor:
    """1.0 where the label equals `argmax(y_pred)`, shaped like `y_true`."""
    y_true, y_pred = _tensor(y_true), _tensor(y_pred)
    shape = y_true._shape_tuple()
    squeeze = len(shape) == len(y_pred._shape_tuple())
    if squeeze:
        y_true = ops.squeeze(y_true, [-1])
    pred = ops.argmax(y_pred, axis=-1)
    if pred.dtype != y_true.dtype:
        pred = ops.cast(pred, y_true.dtype)
    m = ops.cast(ops.equal(y_true, pred), _F32)
    return ops.reshape(m, shape) if squeeze else m


def sparse_categorical_accuracy(y_true, y_pred) -> Tensor:
    """1.0 where the integer label equals `argmax(y_pred)`, else 0.0.

    Example:
      >>> tf.keras.metrics.sparse_categorical_accuracy([2, 1], [[0.1, 0.3, 0.6], [0.5, 0.4, 0.1]])
      <tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 0.], dtype=float32)>
    """
    m = _sparse_matches(y_true, y_pred)
    shape = m._shape_tuple()
    return ops.squeeze(m, [-1]) if len(shape) > 1 and shape[-1] == 1 else m


def categorical_accuracy(y_true, y_pred) -> Tensor:
    """1.0 where `argmax(y_true) == argmax(y_pred)`, else 0.0."""
    return _sparse_matches(ops.argmax(_tensor(y_true), axis=-1), y_pred)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> Tensor:
    """1.0 where the integer label is among the `k` highest predictions."""
    y_true, y_pred = _tensor(y_true), _tensor(y_pred)
    shape = y_true._shape_tuple()
    if len(y_pred._shape_tuple()) > 2:
        y_pred = ops.reshape(y_pred, [-1, y_pred._shape_tuple()[-1]])
    labels = ops.reshape(ops.cast(y_true, dtypes.int32), [-1])
    out = ops.cast(ops.in_top_k(labels, y_pred, k), _F32)
    return ops.reshape(out, shape) if len(shape) > 1 else out


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> Tensor:
    """1.0 where `argmax(y_true)` is among the `k` highest predictions."""
    return sparse_top_k_categorical_accuracy(ops.argmax(_tensor(y_true), axis=-1), y_pred, k)


acc = ACC = accuracy
mse = MSE = mean_squared_error = L.mean_squared_error
mae = MAE = mean_absolute_error = L.mean_absolute_error
mape = MAPE = mean_absolute_percentage_error = L.mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error = L.mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence = L.kl_divergence
logcosh = log_cosh = L.log_cosh
binary_crossentropy = L.binary_crossentropy
categorical_crossentropy = L.categorical_crossentropy
sparse_categorical_crossentropy = L.sparse_categorical_crossentropy
hinge, squared_hinge, categorical_hinge = L.hinge, L.squared_hinge, L.categorical_hinge
poisson = L.poisson


# ------------------------------------------------------------------ base classes


class Metric:
    """Base class of stateful metrics: `update_state` accumulates, `result` reads.

    Subclasses create their state with `add_weight` in `__init__`.

    Args:
      name: the metric name (defaults to the class name in snake case).
      dtype: the dtype of the state and result (float32).
    """

    def __init__(self, name: str | None = None, dtype=None, **kwargs):
        self._name = name or _snake(type(self).__name__)
        self._dtype = dtypes.as_dtype(dtype or _F32)
        self._vars: list = []
        self.stateful = True
        self.built = True

    @property
    def name(self) -> str:
        """The metric's name (the key in logs)."""
        return self._name

    @property
    def dtype(self) -> str:
        """The dtype name of the state, e.g. `'float32'`."""
        return self._dtype.name

    @property
    def variables(self) -> list:
        """The state variables."""
        return list(self._vars)

    weights = non_trainable_weights = variables

    @property
    def trainable_weights(self) -> list:
        """Always empty: metric state is not trained."""
        return []

    def add_weight(self, name: str, shape=(), aggregation=None, synchronization=None,
                   initializer=None, dtype=None) -> Variable:
        """Creates a state variable (zeros unless `initializer` says otherwise)."""
        dt = dtypes.as_dtype(dtype or self._dtype)
        shape = tuple(int(d) for d in (shape or ()))
        if initializer is None or initializer == "zeros":
            value = np.zeros(shape, dt.as_numpy_dtype)
        elif initializer == "ones":
            value = np.ones(shape, dt.as_numpy_dtype)
        else:
            from nanotf._src.keras import initializers

            value = initializers.get(initializer)(shape, dtype=dt)
        v = Variable(value, trainable=False, name=name, dtype=dt)
        self._vars.append(v)
        return v

    def update_state(self, *args, **kwargs):
        """Accumulates statistics; subclasses override this."""
        raise NotImplementedError("Must be implemented in subclasses.")

    def result(self) -> Tensor:
        """The metric value from the accumulated state; subclasses override this."""
        raise NotImplementedError("Must be implemented in subclasses.")

    def reset_state(self) -> None:
        """Sets every state variable back to zeros."""
        for v in self._vars:
            v.assign(np.zeros(v._v.shape, v._v.dtype))

    def reset_states(self) -> None:
        """Alias of `reset_state` (older Keras name)."""
        self.reset_state()

    def merge_state(self, metrics) -> None:
        """Adds the state of other metrics of the same kind to this one."""
        for m in metrics:
            for mine, theirs in zip(self._vars, m.variables):
                mine.assign_add(theirs)

    def __call__(self, *args, **kwargs) -> Tensor:
        """Updates the state with this batch, then returns the result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        """The constructor arguments."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        """Creates a metric from `get_config()`'s output."""
        return cls(**config)


class Reduce(Metric):
    """A `total` (and `count`) reduction of values: 'sum', 'weighted_mean' or
    'sum_over_batch_size'."""

    def __init__(self, reduction: str, name: str, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total")
        if reduction != "sum":
            self.count = self.add_weight("count")

    def update_state(self, values, sample_weight=None) -> None:
        """Adds `values` (optionally weighted by `sample_weight`) to the state."""
        values = ops.cast(values, self._dtype)
        shape = values._shape_tuple()
        if sample_weight is not None:
            sw = ops.cast(sample_weight, self._dtype)
            values, _, sw = L.squeeze_or_expand_dimensions(values, None, sw)
            wshape = sw._shape_tuple()
            vshape = values._shape_tuple()
            if len(wshape) < len(vshape) and vshape[:len(wshape)] == wshape and wshape:
                red = ops.reduce_sum if self.reduction == "sum" else ops.reduce_mean
                values = red(values, axis=list(range(len(wshape), len(vshape))))
            sw = ops.broadcast_to(sw, values._shape_tuple())
            values = ops.multiply(values, sw)
            shape = values._shape_tuple()
        self.total.assign_add(ops.reduce_sum(values))
        if self.reduction == "sum":
            return
        if sample_weight is None or self.reduction == "sum_over_batch_size":
            n = 1
            for d in shape:
                n *= d
            self.count.assign_add(np.asarray(n, self._dtype.as_numpy_dtype))
        else:
            self.count.assign_add(ops.reduce_sum(sw))

    def result(self) -> Tensor:
        """`total` for a sum, else `total / count` (0 when nothing was seen)."""
        if self.reduction == "sum":
            return ops.identity(self.total)
        return ops.divide_no_nan(self.total, self.count)


class Sum(Reduce):
    """The (weighted) sum of the values seen."""

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__("sum", name=name, dtype=dtype)


class Mean(Reduce):
    """The (weighted) mean of the values seen.

    Example:
      >>> m = tf.keras.metrics.Mean()
      >>> m.update_state([1, 3, 5, 7])
      >>> m.result().numpy()
      4.0
    """

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__("weighted_mean", name=name, dtype=dtype)


class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred, **kwargs)` over all samples seen.

    Args:
      fn: a per-sample metric function.
      name: the metric name.
      **kwargs: passed to `fn`.
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Applies `fn` to the batch and averages the matches."""
        super().update_state(self._values(y_true, y_pred), sample_weight)

    def _values(self, y_true, y_pred) -> Tensor:
        """`fn`'s per-sample values, before they are averaged."""
        y_true = ops.cast(y_true, self._dtype)
        y_pred = ops.cast(y_pred, self._dtype)
        y_pred, y_true = L.squeeze_or_expand_dimensions(y_pred, y_true)
        return self._fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        cfg = super().get_config()
        if type(self) is MeanMetricWrapper:
            cfg["fn"] = self._fn
        cfg.update(self._fn_kwargs)
        return cfg

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        config = dict(config)
        if cls is MeanMetricWrapper:
            fn = config.pop("fn")
            return cls(get(fn) if isinstance(fn, str) else fn, **config)
        return cls(**config)


def _wrapper(cls_name: str, fn: Callable, default: str, params: tuple = ()) -> type:
    """A `MeanMetricWrapper` subclass around `fn`; `params` are `(name, default)` pairs."""
    names = [p for p, _ in params]

    def __init__(self, *args, name=default, dtype=None, **kwargs):
        values = dict(params)
        values.update(zip(names, args))
        for k in kwargs:
            if k not in values:
                raise TypeError(f"{cls_name}.__init__() got an unexpected keyword argument {k!r}")
        values.update(kwargs)
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **values)

    doc = f"The mean of `{default}` over the samples seen."
    return type(cls_name, (MeanMetricWrapper,), {
        "__init__": __init__, "__doc__": doc, "__module__": __name__, "__qualname__": cls_name})


def cosine_similarity(y_true, y_pred, axis: int = -1) -> Tensor:
    """The cosine similarity of `y_true` and `y_pred` along `axis` (1 for equal directions):
    the metric named 'cosine_similarity' (the loss of that name is its negative).

    Example:
      >>> tf.keras.metrics.get('cosine_similarity')([[0., 1.]], [[1., 1.]]).numpy()
      array([0.70710677], dtype=float32)
    """
    return ops.negative(L.cosine_similarity(y_true, y_pred, axis=axis))


_cosine = cosine_similarity

Accuracy = _wrapper("Accuracy", accuracy, "accuracy")
BinaryAccuracy = _wrapper("BinaryAccuracy", _binary_matches, "binary_accuracy",
                          (("threshold", 0.5),))
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy,
                               "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", _sparse_matches,
                                     "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrapper("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                   "top_k_categorical_accuracy", (("k", 5),))
SparseTopKCategoricalAccuracy = _wrapper(
    "SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy", (("k", 5),))
MeanSquaredError = _wrapper("MeanSquaredError", L.mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", L.mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper("MeanAbsolutePercentageError",
                                       L.mean_absolute_percentage_error,
                                       "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _wrapper("MeanSquaredLogarithmicError",
                                       L.mean_squared_logarithmic_error,
                                       "mean_squared_logarithmic_error")
BinaryCrossentropy = _wrapper("BinaryCrossentropy", L.binary_crossentropy, "binary_crossentropy",
                              (("from_logits", False), ("label_smoothing", 0)))
CategoricalCrossentropy = _wrapper(
    "CategoricalCrossentropy", L.categorical_crossentropy, "categorical_crossentropy",
    (("from_logits", False), ("label_smoothing", 0)))
SparseCategoricalCrossentropy = _wrapper(
    "SparseCategoricalCrossentropy", L.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", (("from_logits", False), ("ignore_class", None),
                                        ("axis", -1)))
KLDivergence = _wrapper("KLDivergence", L.kl_divergence, "kullback_leibler_divergence")
Hinge = _wrapper("Hinge", L.hinge, "hinge")
SquaredHinge = _wrapper("SquaredHinge", L.squared_hinge, "squared_hinge")
CategoricalHinge = _wrapper("CategoricalHinge", L.categorical_hinge, "categorical_hinge")
Poisson = _wrapper("Poisson", L.poisson, "poisson")
LogCoshError = _wrapper("LogCoshError", L.log_cosh, "logcosh")
CosineSimilarity = _wrapper("CosineSimilarity", _cosine, "cosine_similarity", (("axis", -1),))


class RootMeanSquaredError(Mean):
    """The square root of the mean squared error over all values seen."""

    def __init__(self, name: str = "root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates squared errors."""
        y_true = ops.cast(y_true, self._dtype)
        y_pred = ops.cast(y_pred, self._dtype)
        y_pred, y_true = L.squeeze_or_expand_dimensions(y_pred, y_true)
        super().update_state(ops.squared_difference(y_pred, y_true), sample_weight)

    def result(self) -> Tensor:
        """`sqrt(total / count)`."""
        return ops.sqrt(ops.divide_no_nan(self.total, self.count))


# ------------------------------------------------------------------ identifiers

_OBJECTS: dict = {k: v for k, v in globals().items() if not k.startswith("_") and (
    isinstance(v, type) and issubclass(v, Metric)
    or callable(v) and getattr(v, "__module__", "").endswith(("keras.metrics", "keras.losses"))
    and not isinstance(v, type))}


def _objects() -> dict:
    """Every metric known by name (the confusion metrics live in their own module)."""
    if "AUC" not in _OBJECTS:
        from nanotf._src.keras import confusion_metrics as cm

        _OBJECTS.update(Precision=cm.Precision, Recall=cm.Recall, AUC=cm.AUC)
    return _OBJECTS


def serialize(metric) -> Any:
    """A metric's config (`{'module', 'class_name', 'config', 'registered_name'}`), or a
    function's name."""
    from nanotf._src.keras import serialization

    if isinstance(metric, Metric):
        return serialization.serialize_object(metric, "keras.metrics")
    if isinstance(metric, str):
        return metric
    return getattr(metric, "__name__", None)


def deserialize(config, custom_objects: dict | None = None):
    """The metric named by `config` (a string or a `serialize` dict)."""
    from nanotf._src.keras import serialization

    if isinstance(config, dict):
        if config.get("class_name") == "function":
            config = config.get("config")
        else:
            return serialization.deserialize_object(config, _objects(), custom_objects,
                                                    "metric function")
    obj = serialization.get_registered_object(config, custom_objects, _objects())
    if obj is None:
        hint = difflib.get_close_matches(str(config), list(_OBJECTS), n=1)
        extra = f" Did you mean '{hint[0]}'?" if hint else ""
        raise ValueError(serialization.unknown_message("metric function", config) + extra)
    return obj() if isinstance(obj, type) else obj


def get(identifier):
    """Resolves a metric identifier: a name, a config dict, a callable or a Metric.

    Example:
      >>> tf.keras.metrics.get('accuracy') is tf.keras.metrics.accuracy
      True
    """
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")
