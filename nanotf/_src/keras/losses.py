"""Keras losses (`tf.keras.losses`): a function per loss plus a thin `Loss` class around it.

The numbers follow Keras 2 exactly: probabilities are clipped to `[1e-7, 1 - 1e-7]` before a log,
reductions are `sum / count`, and `Reduction.AUTO` means `SUM_OVER_BATCH_SIZE`.
"""

from __future__ import annotations

import difflib
from typing import Any, Callable

from nanotf._src import dtypes, ops
from nanotf._src.backend import np
from nanotf._src.keras.backend import epsilon as _epsilon  # Keras's fuzz factor, 1e-7
from nanotf._src.tensor import Tensor, convert_to_tensor


class Reduction:
    """Types of loss reduction (`tf.keras.losses.Reduction`).

    `AUTO` is `SUM_OVER_BATCH_SIZE` outside distribution strategies; `NONE` keeps per-sample losses;
    `SUM` adds them; `SUM_OVER_BATCH_SIZE` divides the sum by the number of elements.
    """

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls) -> tuple:
        """All valid reduction keys."""
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key) -> None:
        """Raises ValueError unless `key` is a valid reduction."""
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


# ------------------------------------------------------------------ shape and weight helpers


def _rank(t) -> int:
    return len(t._shape_tuple())


def squeeze_or_expand_dimensions(y_pred, y_true=None, sample_weight=None):
    """Squeezes or expands the last dimension of `y_true`/`sample_weight` to line up with `y_pred`.

    Returns `(y_pred, y_true)`, or `(y_pred, y_true, sample_weight)` when a weight is given.
    """
    ps = y_pred._shape_tuple()
    if y_true is not None:
        ts = y_true._shape_tuple()
        diff = len(ps) - len(ts)
        if diff != 1 or (ps and ps[-1] == 1):
            if diff == 1 and ps[-1] == 1:
                y_pred = ops.squeeze(y_pred, [-1])
            elif diff == -1 and ts[-1] == 1:
                y_true = ops.squeeze(y_true, [-1])
    if sample_weight is None:
        return y_pred, y_true
    wr = _rank(sample_weight)
    if wr == 0:
        return y_pred, y_true, sample_weight
    pr = _rank(y_pred)
    if wr - pr == 1:
        sample_weight = ops.squeeze(sample_weight, [-1])
    elif pr - wr == 1:
        sample_weight = ops.expand_dims(sample_weight, -1)
    return y_pred, y_true, sample_weight


def reduce_weighted_loss(weighted_losses: Tensor, reduction: str = Reduction.SUM_OVER_BATCH_SIZE):
    """Reduces already weighted per-sample losses as `reduction` says."""
    if reduction == Reduction.NONE:
        return weighted_losses
    total = ops.reduce_sum(weighted_losses)
    if reduction == Reduction.SUM:
        return total
    shape = weighted_losses._shape_tuple()
    if None in shape:
        return ops.divide_no_nan(total, ops.cast(ops.size(weighted_losses), total.dtype))
    n = int(np.prod(shape, dtype=np.int64))
    # divide_no_nan(sum, count): a plain division unless there is nothing to average
    return ops.divide(total, total.dtype.as_numpy_dtype(n)) if n else ops.zeros_like(total)


def compute_weighted_loss(losses, sample_weight=None,
                          reduction: str = Reduction.SUM_OVER_BATCH_SIZE, name=None) -> Tensor:
    """Weights per-sample `losses` by `sample_weight` (broadcast) and reduces them.

    Example:
      >>> compute_weighted_loss(tf.constant([1., 3.]), [1., 0.])
      <tf.Tensor: shape=(), dtype=float32, numpy=0.5>
    """
    Reduction.validate(reduction)
    if reduction == Reduction.AUTO:
        reduction = Reduction.SUM_OVER_BATCH_SIZE
    losses = losses if isinstance(losses, Tensor) else convert_to_tensor(losses)
    in_dtype = losses.dtype
    cast_back = not in_dtype.is_floating
    if cast_back:
        losses = ops.cast(losses, dtypes.float32)
    if sample_weight is not None:  # x * 1.0 == x, so no weight means no multiply
        sw = ops.cast(sample_weight, losses.dtype)
        losses, _, sw = squeeze_or_expand_dimensions(losses, None, sw)
        losses = ops.multiply(losses, sw)
    loss = reduce_weighted_loss(losses, reduction)
    return ops.cast(loss, in_dtype) if cast_back else loss


# ------------------------------------------------------------------ loss functions


def _keras_logits(output):
    """The logits behind a Keras softmax/sigmoid output, when the activation recorded them."""
    return getattr(output, "_keras_logits", None)


def _pred_true(y_true, y_pred):
    y_pred = y_pred if isinstance(y_pred, Tensor) else convert_to_tensor(y_pred)
    return ops.cast(y_true, y_pred.dtype), y_pred


def _clip(x, lo, hi):
    return ops.clip_by_value(x, ops.cast(lo, x.dtype), ops.cast(hi, x.dtype))


def mean_squared_error(y_true, y_pred) -> Tensor:
    """Mean of `(y_true - y_pred)**2` over the last axis.

    Example:
      >>> tf.keras.losses.mean_squared_error([[0., 1.]], [[1., 1.]]).numpy()
      array([0.5], dtype=float32)
    """
    y_true, y_pred = _pred_true(y_true, y_pred)
    return ops.reduce_mean(ops.squared_difference(y_pred, y_true), axis=-1)


def mean_absolute_error(y_true, y_pred) -> Tensor:
    """Mean of `|y_true - y_pred|` over the last axis."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    return ops.reduce_mean(ops.abs(ops.subtract(y_pred, y_true)), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> Tensor:
    """`100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|)` over the last axis."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    den = ops.maximum(ops.abs(y_true), ops.cast(_epsilon(), y_pred.dtype))
    diff = ops.abs(ops.divide(ops.subtract(y_true, y_pred), den))
    return ops.multiply(ops.cast(100.0, y_pred.dtype), ops.reduce_mean(diff, axis=-1))


def mean_squared_logarithmic_error(y_true, y_pred) -> Tensor:
    """Mean of `(log(y_pred + 1) - log(y_true + 1))**2` (inputs floored at eps)."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    eps = ops.cast(_epsilon(), y_pred.dtype)
    one = ops.cast(1.0, y_pred.dtype)
    a = ops.log(ops.add(ops.maximum(y_pred, eps), one))
    b = ops.log(ops.add(ops.maximum(y_true, eps), one))
    return ops.reduce_mean(ops.squared_difference(a, b), axis=-1)


def _maybe_convert_labels(y_true):
    """Maps {0, 1} labels to {-1, 1} (only when every label is 0 or 1), as Keras's hinge does."""
    zero, one = ops.zeros_like(y_true), ops.ones_like(y_true)
    is_binary = ops.reduce_all(ops.logical_or(ops.equal(y_true, zero), ops.equal(y_true, one)))
    converted = ops.subtract(ops.multiply(ops.cast(2.0, y_true.dtype), y_true), one)
    return ops.where(is_binary, converted, y_true)


def _hinge_margin(y_true, y_pred):
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true = _maybe_convert_labels(y_true)
    return ops.maximum(ops.subtract(ops.cast(1.0, y_pred.dtype), ops.multiply(y_true, y_pred)),
                       ops.zeros_like(y_pred))


def hinge(y_true, y_pred) -> Tensor:
    """Mean of `max(1 - y_true * y_pred, 0)`; labels in {0, 1} are mapped to {-1, 1}."""
    return ops.reduce_mean(_hinge_margin(y_true, y_pred), axis=-1)


def squared_hinge(y_true, y_pred) -> Tensor:
    """Mean of `max(1 - y_true * y_pred, 0)**2`; labels in {0, 1} are mapped to {-1, 1}."""
    return ops.reduce_mean(ops.square(_hinge_margin(y_true, y_pred)), axis=-1)


def categorical_hinge(y_true, y_pred) -> Tensor:
    """`max(neg - pos + 1, 0)`, `pos = sum(y_true * y_pred)`, `neg = max((1 - y_true) * y_pred)`."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    pos = ops.reduce_sum(ops.multiply(y_true, y_pred), axis=-1)
    neg = ops.reduce_max(ops.multiply(ops.subtract(ops.cast(1.0, y_pred.dtype), y_true), y_pred),
                         axis=-1)
    return ops.maximum(ops.add(ops.subtract(neg, pos), ops.cast(1.0, y_pred.dtype)),
                       ops.zeros_like(pos))


def huber(y_true, y_pred, delta: float = 1.0) -> Tensor:
    """Huber loss: quadratic for `|error| <= delta`, linear beyond, averaged over the last axis."""
    y_pred = ops.cast(y_pred, dtypes.float32)
    y_true = ops.cast(y_true, dtypes.float32)
    d = ops.cast(delta, dtypes.float32)
    err = ops.subtract(y_pred, y_true)
    abs_err = ops.abs(err)
    half = ops.cast(0.5, dtypes.float32)
    quad = ops.multiply(half, ops.square(err))
    lin = ops.subtract(ops.multiply(d, abs_err), ops.multiply(half, ops.square(d)))
    return ops.reduce_mean(ops.where(ops.less_equal(abs_err, d), quad, lin), axis=-1)


def log_cosh(y_true, y_pred) -> Tensor:
    """Mean of `log(cosh(y_pred - y_true))`, computed stably."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    x = ops.subtract(y_pred, y_true)
    two = ops.cast(-2.0, x.dtype)
    lc = ops.subtract(ops.add(x, ops.softplus(ops.multiply(two, x))),
                      ops.cast(np.log(np.float32(2.0)), x.dtype))
    return ops.reduce_mean(lc, axis=-1)


def _smooth(y_true, y_pred, label_smoothing, categorical: bool, axis: int = -1):
    if not label_smoothing:
        return y_true
    ls = ops.cast(label_smoothing, y_pred.dtype)
    keep = ops.multiply(y_true, ops.subtract(ops.cast(1.0, y_pred.dtype), ls))
    if categorical:
        n = ops.cast(y_true._shape_tuple()[axis], y_pred.dtype)
        return ops.add(keep, ops.divide(ls, n))
    return ops.add(keep, ops.multiply(ops.cast(0.5, y_pred.dtype), ls))


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """Cross-entropy between one-hot (or soft) labels and predicted probabilities or logits.

    Probabilities are renormalised along `axis` and clipped to `[eps, 1 - eps]` first.

    Example:
      >>> tf.keras.losses.categorical_crossentropy([1., 0.], [0.6, 0.4]).numpy()
      0.5108256
    """
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true = _smooth(y_true, y_pred, label_smoothing, True, axis)
    if y_true._shape_tuple() != y_pred._shape_tuple():
        raise ValueError(f"categorical_crossentropy: labels of shape {y_true._shape_tuple()} do "
                         f"not match predictions of shape {y_pred._shape_tuple()}. Use "
                         "sparse_categorical_crossentropy for integer labels.")
    logits = _keras_logits(y_pred)
    if logits is not None:
        y_pred, from_logits = logits, True
    if from_logits:
        return ops.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    p = ops.divide(y_pred, ops.reduce_sum(y_pred, axis=axis, keepdims=True))
    p = _clip(p, _epsilon(), 1.0 - _epsilon())
    return ops.negative(ops.reduce_sum(ops.multiply(y_true, ops.log(p)), axis=axis))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False, axis: int = -1,
                                    ignore_class: int | None = None) -> Tensor:
    """Cross-entropy between integer labels and predicted probabilities or logits.

    Labels have the predictions' shape without the class axis (a trailing 1 is allowed).

    Example:
      >>> tf.keras.losses.sparse_categorical_crossentropy([1], [[0.1, 0.9]]).numpy()
      array([0.10536041], dtype=float32)
    """
    y_pred = y_pred if isinstance(y_pred, Tensor) else convert_to_tensor(y_pred)
    y_true = y_true if isinstance(y_true, Tensor) else convert_to_tensor(y_true)
    target = ops.cast(y_true, dtypes.int64)
    logits = _keras_logits(y_pred)
    if logits is not None:
        y_pred, from_logits = logits, True
    out = y_pred
    if not from_logits:
        out = ops.log(_clip(out, _epsilon(), 1.0 - _epsilon()))
    rank = _rank(out)
    axis %= rank
    if axis != rank - 1:
        out = ops.transpose(out, [*range(axis), *range(axis + 1, rank), axis])
    out_shape = out._shape_tuple()
    reshaped = _rank(target) != rank - 1
    if reshaped:
        target = ops.reshape(target, [-1])
        if rank != 2:
            out = ops.reshape(out, [-1, out_shape[-1]])
    if target._shape_tuple() != out._shape_tuple()[:-1]:
        raise ValueError(
            f"sparse_categorical_crossentropy: labels of shape {y_true._shape_tuple()} do not fit "
            f"predictions of shape {y_pred._shape_tuple()} (expected integer class ids of shape "
            f"{out_shape[:-1]}; one-hot labels need categorical_crossentropy). `labels.shape` "
            f"must equal `logits.shape` except for the last dimension. Received: labels.shape="
            f"{target._shape_tuple()} and logits.shape={out._shape_tuple()}")
    valid = None
    if ignore_class is not None:
        valid = ops.not_equal(target, ops.cast(ignore_class, dtypes.int64))
        target = ops.where(valid, target, ops.zeros_like(target))
    res = ops.sparse_softmax_cross_entropy_with_logits(labels=target, logits=out)
    if valid is not None:
        res = ops.where(valid, res, ops.zeros_like(res))
    if reshaped and rank >= 3:
        res = ops.reshape(res, out_shape[:-1])
    return res


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> Tensor:
    """Mean binary cross-entropy over `axis`; probabilities are clipped to `[eps, 1 - eps]`.

    Example:
      >>> tf.keras.losses.binary_crossentropy([[0., 1.]], [[0.4, 0.6]]).numpy()
      array([0.5108254], dtype=float32)
    """
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true = _smooth(y_true, y_pred, label_smoothing, False)
    logits = _keras_logits(y_pred)
    if logits is not None:
        y_pred, from_logits = logits, True
    if from_logits:
        bce = ops.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        eps = _epsilon()
        out = _clip(y_pred, eps, 1.0 - eps)
        e = ops.cast(eps, out.dtype)
        one = ops.cast(1.0, out.dtype)
        pos = ops.multiply(y_true, ops.log(ops.add(out, e)))
        neg = ops.multiply(ops.subtract(one, y_true), ops.log(ops.add(ops.subtract(one, out), e)))
        bce = ops.negative(ops.add(pos, neg))
    return ops.reduce_mean(bce, axis=axis)


def kl_divergence(y_true, y_pred) -> Tensor:
    """`sum(y_true * log(y_true / y_pred))` over the last axis, both clipped to `[eps, 1]`."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    y_true = _clip(y_true, _epsilon(), 1.0)
    y_pred = _clip(y_pred, _epsilon(), 1.0)
    return ops.reduce_sum(ops.multiply(y_true, ops.log(ops.divide(y_true, y_pred))), axis=-1)


def poisson(y_true, y_pred) -> Tensor:
    """Mean of `y_pred - y_true * log(y_pred + eps)` over the last axis."""
    y_true, y_pred = _pred_true(y_true, y_pred)
    lg = ops.log(ops.add(y_pred, ops.cast(_epsilon(), y_pred.dtype)))
    return ops.reduce_mean(ops.subtract(y_pred, ops.multiply(y_true, lg)), axis=-1)


def cosine_similarity(y_true, y_pred, axis: int = -1) -> Tensor:
    """Negative cosine similarity along `axis` (-1 for identical directions)."""
    y_pred = y_pred if isinstance(y_pred, Tensor) else convert_to_tensor(y_pred)
    y_true = y_true if isinstance(y_true, Tensor) else convert_to_tensor(y_true)
    y_true = ops.l2_normalize(y_true, axis=axis)
    y_pred = ops.l2_normalize(y_pred, axis=axis)
    return ops.negative(ops.reduce_sum(ops.multiply(y_true, y_pred), axis=axis))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


# ------------------------------------------------------------------ classes


class Loss:
    """Base class of Keras losses: `__call__` = `call` + sample weighting + reduction.

    Subclasses implement `call(y_true, y_pred)` returning per-sample losses.

    Args:
      reduction: a `tf.keras.losses.Reduction` value (default AUTO = SUM_OVER_BATCH_SIZE).
      name: the loss name.
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str | None = None):
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name
        self._allow_sum_over_batch_size = False

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        """Computes the weighted, reduced loss."""
        losses = self.call(y_true, y_pred)
        return compute_weighted_loss(losses, sample_weight, reduction=self._get_reduction())

    def call(self, y_true, y_pred) -> Tensor:
        """Per-sample losses; subclasses override this."""
        raise NotImplementedError("Must be implemented in subclasses.")

    def _get_reduction(self) -> str:
        return Reduction.SUM_OVER_BATCH_SIZE if self.reduction == Reduction.AUTO \
            else self.reduction

    def get_config(self) -> dict:
        """The constructor arguments."""
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        """Creates a loss from `get_config()`'s output."""
        config = dict(config)
        config.pop("fn", None)  # written by newer Keras versions
        return cls(**config)


class LossFunctionWrapper(Loss):
    """Wraps a loss function `fn(y_true, y_pred, **kwargs)` as a `Loss`."""

    def __init__(self, fn: Callable, reduction: str = Reduction.AUTO, name: str | None = None,
                 **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred) -> Tensor:
        """Lines up the ranks of tensor inputs, then applies `fn`."""
        if isinstance(y_true, Tensor) and isinstance(y_pred, Tensor):
            y_pred, y_true = squeeze_or_expand_dimensions(y_pred, y_true)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        """The constructor arguments, including the function's keyword arguments."""
        cfg = super().get_config()
        for k, v in self._fn_kwargs.items():
            cfg[k] = v.numpy().item() if isinstance(v, Tensor) else v
        return cfg



_AUTO = Reduction.AUTO


def _simple_loss(cls_name: str, fn: Callable) -> type:
    """A `LossFunctionWrapper` subclass around `fn` taking only `reduction` and `name`."""

    def __init__(self, reduction=Reduction.AUTO, name=fn.__name__):
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name)

    doc = f"`{fn.__name__}` as a `Loss`: {fn.__doc__.splitlines()[0]}\n\n" \
          f"  Example: `tf.keras.losses.{cls_name}()(y_true, y_pred)`."
    return type(cls_name, (LossFunctionWrapper,), {
        "__init__": __init__, "__doc__": doc, "__module__": __name__, "__qualname__": cls_name})


MeanSquaredError = _simple_loss("MeanSquaredError", mean_squared_error)
MeanAbsoluteError = _simple_loss("MeanAbsoluteError", mean_absolute_error)
MeanAbsolutePercentageError = _simple_loss("MeanAbsolutePercentageError",
                                           mean_absolute_percentage_error)
MeanSquaredLogarithmicError = _simple_loss("MeanSquaredLogarithmicError",
                                           mean_squared_logarithmic_error)
LogCosh = _simple_loss("LogCosh", log_cosh)
KLDivergence = _simple_loss("KLDivergence", kl_divergence)
Hinge = _simple_loss("Hinge", hinge)
SquaredHinge = _simple_loss("SquaredHinge", squared_hinge)
CategoricalHinge = _simple_loss("CategoricalHinge", categorical_hinge)
Poisson = _simple_loss("Poisson", poisson)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for errors up to `delta`, linear beyond."""

    def __init__(self, delta=1.0, reduction=_AUTO, name="huber_loss"):
        super().__init__(huber, reduction=reduction, name=name, delta=delta)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy for 0/1 labels.

    Args:
      from_logits: whether `y_pred` holds logits (else probabilities).
      label_smoothing: moves the labels towards 0.5 by this fraction.
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_AUTO,
                 name="binary_crossentropy"):
        super().__init__(binary_crossentropy, reduction=reduction, name=name,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for one-hot (or soft) labels.

    Args:
      from_logits: whether `y_pred` holds logits (else probabilities).
      label_smoothing: mixes the labels with the uniform distribution by this fraction.
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction=_AUTO,
                 name="categorical_crossentropy"):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy for integer class labels.

    Args:
      from_logits: whether `y_pred` holds logits (else probabilities).
      ignore_class: a label id whose entries contribute 0.

    Example:
      >>> tf.keras.losses.SparseCategoricalCrossentropy()([1], [[0.1, 0.9]]).numpy()
      0.10536041
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction=_AUTO,
                 name="sparse_categorical_crossentropy"):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         from_logits=from_logits, ignore_class=ignore_class)

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        """As `Loss.__call__`; entries labelled `ignore_class` get weight 0 (mean over the rest)."""
        ignore = self._fn_kwargs["ignore_class"]
        if ignore is None:
            return super().__call__(y_true, y_pred, sample_weight)
        losses = self.call(y_true, y_pred)
        yt = y_true if isinstance(y_true, Tensor) else convert_to_tensor(y_true)
        mask = ops.cast(ops.not_equal(ops.reshape(yt, losses._shape_tuple()),
                                      ops.cast(ignore, yt.dtype)), losses.dtype)
        red = self._get_reduction()
        if red == Reduction.SUM_OVER_BATCH_SIZE:
            n = ops.cast(ops.size(mask), losses.dtype)
            mask = ops.multiply(mask, ops.divide_no_nan(n, ops.reduce_sum(mask)))
        if sample_weight is not None:
            sw = ops.cast(sample_weight, losses.dtype)
            mask = ops.multiply(squeeze_or_expand_dimensions(mask, None, sw)[2], mask)
        return compute_weighted_loss(losses, mask, reduction=red)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity between labels and predictions along `axis`."""

    def __init__(self, axis=-1, reduction=_AUTO, name="cosine_similarity"):
        super().__init__(cosine_similarity, reduction=reduction, name=name, axis=axis)


# ------------------------------------------------------------------ identifiers

_HELPERS = ("squeeze_or_expand_dimensions", "reduce_weighted_loss", "compute_weighted_loss")
_OBJECTS: dict = {k: v for k, v in globals().items() if not k.startswith("_") and k not in _HELPERS
                  and (isinstance(v, type) and issubclass(v, Loss) or callable(v) and not
                       isinstance(v, type) and getattr(v, "__module__", "") == __name__)}


def serialize(loss) -> Any:
    """A loss's config (`{'module', 'class_name', 'config', 'registered_name'}`), or a
    function's name."""
    from nanotf._src.keras import serialization

    if loss is None:
        return None
    if isinstance(loss, Loss):
        return serialization.serialize_object(loss, "keras.losses")
    if isinstance(loss, str):
        return loss
    return getattr(loss, "__name__", None)


def deserialize(name, custom_objects: dict | None = None):
    """The loss named by `name` (a string or a `serialize` dict)."""
    from nanotf._src.keras import serialization

    if isinstance(name, dict):
        if name.get("class_name") == "function":  # tf_keras's form of a plain function
            name = name.get("config")
        else:
            return serialization.deserialize_object(name, _OBJECTS, custom_objects,
                                                    "loss function")
    obj = serialization.get_registered_object(name, custom_objects, _OBJECTS)
    if obj is None:
        hint = difflib.get_close_matches(str(name), list(_OBJECTS), n=1)
        extra = f" Did you mean '{hint[0]}'?" if hint else ""
        raise ValueError(serialization.unknown_message("loss function", name) + extra)
    return obj() if isinstance(obj, type) else obj


def get(identifier):
    """Resolves a loss identifier: a name, a config dict, a callable, or None.

    Example:
      >>> tf.keras.losses.get('mse') is tf.keras.losses.mean_squared_error
      True
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss function identifier: {identifier}")
