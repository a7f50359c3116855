"""The compiled loss and metrics of a Keras model (`model.compiled_loss`/`compiled_metrics`).

Both containers line the user's losses/metrics/weights up with the model outputs (one object, a
list per output, or a dict by output name) on the first batch, as Keras 2's `compile_utils` does,
and resolve `'accuracy'`/`'crossentropy'` from the shapes of labels and predictions.
"""

from __future__ import annotations

from nanotf._src import dtypes, ops
from nanotf._src.backend import np
from nanotf._src.keras import losses as losses_mod
from nanotf._src.keras import metrics as metrics_mod
from nanotf._src.tensor import Tensor, convert_to_tensor


def _tensor(x):
    return x if x is None or isinstance(x, Tensor) else convert_to_tensor(x)


def _output_names(y_pred, names) -> list:
    if isinstance(y_pred, dict):
        return sorted(y_pred)
    n = len(y_pred) if isinstance(y_pred, (list, tuple)) else 1
    names = list(names or [])
    return names if len(names) == n else [f"output_{i + 1}" for i in range(n)]


def _flat_outputs(y_pred) -> list:
    if isinstance(y_pred, dict):
        return [y_pred[k] for k in sorted(y_pred)]
    return list(y_pred) if isinstance(y_pred, (list, tuple)) else [y_pred]


def _conform(struct, names: list, what: str, broadcast_list: bool = False) -> list:
    """`struct` (one object, a list per output, or a dict by output name), one entry per output."""
    n = len(names)
    if struct is None:
        return [None] * n
    if isinstance(struct, dict):
        extra = set(struct) - set(names)
        if extra:
            raise ValueError(f"Found unexpected {what} that do not correspond to any Model output: "
                             f"{sorted(extra)}. Valid mode output names: {names}. Received struct "
                             f"is: {struct}.")
        return [struct.get(k) for k in names]
    if isinstance(struct, (list, tuple)) and not broadcast_list:
        if n == 1 and len(struct) != 1:
            return [struct]
        if len(struct) != n:
            raise ValueError(f"When passing a list as {what}, it should have one entry per model "
                             f"output. The model has {n} outputs, but you passed {what}="
                             f"{struct}")
        return list(struct)
    return [struct] * n


def match_dtype_and_rank(y_t, y_p, sw):
    """Expands rank-1 targets/weights for rank-2 outputs; casts float->float and int->int."""
    y_t, sw = _tensor(y_t), _tensor(sw)
    p_rank = len(y_p._shape_tuple())
    if len(y_t._shape_tuple()) == 1 and p_rank == 2:
        y_t = ops.expand_dims(y_t, -1)
    if sw is not None and len(sw._shape_tuple()) == 1 and p_rank == 2:
        sw = ops.expand_dims(sw, -1)
    td, pd = y_t.dtype, y_p.dtype
    if (td.is_floating and pd.is_floating) or (td.is_integer and pd.is_integer):
        y_t = ops.cast(y_t, pd)
    if sw is not None:
        sw = ops.cast(sw, pd)
    return y_t, y_p, sw


def _mean_update(metric, value, weight: float) -> None:
    """`metric.update_state(value, sample_weight=weight)` for a scalar value and weight."""
    w = np.float32(weight)
    metric.total.assign_add(ops.multiply(ops.cast(value, metric._dtype), w))
    metric.count.assign_add(w)


class LossesContainer:
    """The compiled loss: per-output losses, `loss_weights` and regularization, plus the running
    `loss` mean shown in logs."""

    def __init__(self, losses, loss_weights=None, output_names=None):
        self._user_losses, self._user_weights = losses, loss_weights
        self._output_names = output_names
        self._total_loss_mean = metrics_mod.Mean(name="loss")
        self._per_output = []
        self._built = False

    @property
    def metrics(self) -> list:
        """The loss metrics (total first, then one per output for multi-output models)."""
        if not self._built:
            return []
        return [self._total_loss_mean] + [m for m in self._per_output if m is not None]

    def build(self, y_pred) -> None:
        self._names = _output_names(y_pred, self._output_names)
        losses = _conform(self._user_losses, self._names, "losses")
        self._losses = [None if x is None else _loss_object(x) for x in losses]
        self._weights = _conform(self._user_weights, self._names, "loss_weights")
        multi = len(self._names) > 1
        self._per_output = [metrics_mod.Mean(f"{n}_loss") if multi and lo is not None else None
                            for n, lo in zip(self._names, self._losses)]
        self._built = True

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None,
                 per_sample=None):
        """The total loss of a batch (and updates the loss metrics). `per_sample`: each output's
        per-sample losses, already computed (by `loss.call`), to weight and reduce here."""
        if not self._built:
            self.build(y_pred)
        preds = _flat_outputs(y_pred)
        ys = _conform(y_true, self._names, "targets") if len(preds) > 1 else [y_true]
        sws = _conform(sample_weight, self._names, "sample weights") if len(preds) > 1 \
            else [sample_weight]
        values, means, batch = [], [], None
        for i, (yt, yp, sw, lo, w, m) in enumerate(zip(ys, preds, sws, self._losses,
                                                       self._weights, self._per_output)):
            if yt is None or lo is None:
                continue
            yt, yp, sw = match_dtype_and_rank(yt, yp, sw)
            if per_sample is None:
                v = lo(yt, yp, sample_weight=sw)
            else:  # what `Loss.__call__` does after `call`
                v = losses_mod.compute_weighted_loss(per_sample[i], sw,
                                                     reduction=lo._get_reduction())
            if batch is None:
                batch = yt._shape_tuple()[0] if yt._shape_tuple() else 1
            if m is not None:
                _mean_update(m, v, batch)
            mv = v
            if w is not None:
                w = ops.cast(w, v.dtype)
                v, mv = ops.multiply(v, w), ops.multiply(mv, w)
            values.append(v)
            means.append(mv)
        if regularization_losses:
            reg = ops.add_n([ops.cast(r, dtypes.float32) for r in regularization_losses])
            values.append(reg)
            means.append(reg)
        if not values:
            return None
        total_mean = means[0] if len(means) == 1 else ops.add_n(
            [ops.cast(x, dtypes.float32) for x in means])
        _mean_update(self._total_loss_mean, total_mean, 1 if batch is None else batch)
        return values[0] if len(values) == 1 else ops.add_n(
            [ops.cast(x, dtypes.float32) for x in values])

    def reset_state(self) -> None:
        """Resets the loss metrics."""
        for m in self.metrics:
            m.reset_state()


def _loss_object(loss):
    loss = losses_mod.get(loss)
    if not isinstance(loss, losses_mod.Loss):
        name = getattr(loss, "__name__", None) or type(loss).__name__
        loss = losses_mod.LossFunctionWrapper(loss, name=name)
    return loss


class MetricsContainer:
    """The compiled metrics, resolved per output on the first batch ('accuracy' from shapes)."""

    def __init__(self, metrics=None, weighted_metrics=None, output_names=None):
        self._user_metrics, self._user_weighted = metrics, weighted_metrics
        self._output_names = output_names
        self._built = False
        self._in_order: list = []

    @property
    def metrics(self) -> list:
        """The metric objects in log order."""
        return self._in_order if self._built else []

    def build(self, y_pred, y_true) -> None:
        names = _output_names(y_pred, self._output_names)
        preds = _flat_outputs(y_pred)
        ys = _conform(y_true, names, "targets") if len(preds) > 1 else [y_true]
        multi = len(names) > 1

        def per_output(user):
            if user is None:
                return [[] for _ in names]
            nested = isinstance(user, dict) or (isinstance(user, (list, tuple)) and multi and any(
                isinstance(u, (list, tuple, dict)) for u in user))
            groups = _conform(user, names, "metrics") if nested else [user] * len(names)
            out = []
            for i, g in enumerate(groups):
                g = [] if g is None else (list(g) if isinstance(g, (list, tuple)) else [g])
                out.append([_metric_object(m, ys[i], preds[i], copy=multi and not nested)
                            for m in g])
            return out

        self._metrics = per_output(self._user_metrics)
        self._weighted = per_output(self._user_weighted)
        seen: set = set()
        for name, ms, wms in zip(names, self._metrics, self._weighted):
            for m in ms:
                if multi:
                    m._name = f"{name}_{m._name}"
                if m._name in seen:
                    raise ValueError(f"Found two metrics with the same name: {m._name}. All the "
                                     "metrics added to the model need to have unique names.")
                seen.add(m._name)
            for m in wms:
                if multi:
                    m._name = (f"{name}_weighted_{m._name}" if f"{name}_{m._name}" in seen
                               else f"{name}_{m._name}")
                elif m._name in seen:
                    m._name = "weighted_" + m._name
                seen.add(m._name)
        self._in_order = [m for ms, wms in zip(self._metrics, self._weighted) for m in ms + wms]
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Updates every metric with a batch."""
        if not self._built:
            self.build(y_pred, y_true)
        preds = _flat_outputs(y_pred)
        if len(preds) > 1:
            names = _output_names(y_pred, self._output_names)
            ys = _conform(y_true, names, "targets")
            sws = _conform(sample_weight, names, "sample weights")
        else:
            ys, sws = [y_true], [sample_weight]
        for yt, yp, sw, ms, wms in zip(ys, preds, sws, self._metrics, self._weighted):
            if yt is None or not (ms or wms):
                continue
            yt, yp, sw = match_dtype_and_rank(yt, yp, sw)
            for m in ms:
                m.update_state(yt, yp)
            for m in wms:
                m.update_state(yt, yp, sample_weight=sw)

    def reset_state(self) -> None:
        """Resets every metric."""
        for m in self._in_order:
            m.reset_state()


def _metric_object(metric, y_t, y_p, copy: bool):
    if metric is None:
        return None
    if isinstance(metric, metrics_mod.Metric):
        return type(metric).from_config(metric.get_config()) if copy else metric
    key = str(metric).lower() if isinstance(metric, str) else None
    if key in ("accuracy", "acc", "crossentropy", "ce"):
        y_t, y_p = _tensor(y_t), _tensor(y_p)
        ts, ps = y_t._shape_tuple(), y_p._shape_tuple()
        binary = ps[-1] == 1
        sparse = len(ts) < len(ps) or (ts[-1] == 1 and ps[-1] > 1)
        if key in ("accuracy", "acc"):
            fn = (metrics_mod.binary_accuracy if binary else
                  metrics_mod.sparse_categorical_accuracy if sparse else
                  metrics_mod.categorical_accuracy)
        else:
            fn = (losses_mod.binary_crossentropy if binary else
                  losses_mod.sparse_categorical_crossentropy if sparse else
                  losses_mod.categorical_crossentropy)
    else:
        fn = metrics_mod.get(metric)
    if isinstance(fn, metrics_mod.Metric):
        return fn
    if isinstance(metric, str):
        name = metric
    else:
        name = getattr(metric, "name", None) or getattr(metric, "__name__", None)
        if name is None:
            raise ValueError(f"Metric should be a callable, received: {metric}")
    return metrics_mod.MeanMetricWrapper(fn, name=name)
