"""Confusion-matrix metrics (`tf.keras.metrics.Precision`, `Recall`, `AUC`), Keras 2 behaviour.

Counts of true/false positives/negatives at one or more thresholds are accumulated in variables
with ops (predictions above a threshold count as positive), then turned into the metric.
"""

from __future__ import annotations

from nanotf._src import dtypes, ops
from nanotf._src.backend import np
from nanotf._src.keras import losses as L
from nanotf._src.keras.metrics import Metric, _tensor
from nanotf._src.tensor import Tensor, convert_to_tensor


def _update_confusion(metric, y_true, y_pred, sample_weight, counts: dict) -> None:
    """Adds thresholded true/false positive/negative counts of a batch to `counts` variables."""
    dt = metric._dtype
    y_true, y_pred = ops.cast(y_true, dt), ops.cast(y_pred, dt)
    if getattr(metric, "_from_logits", False):
        y_pred = ops.sigmoid(y_pred)
    sw = None if sample_weight is None else ops.cast(sample_weight, dt)
    if sw is None:
        y_pred, y_true = L.squeeze_or_expand_dimensions(y_pred, y_true)
    else:
        y_pred, y_true, sw = L.squeeze_or_expand_dimensions(y_pred, y_true, sw)
    top_k, class_id = getattr(metric, "top_k", None), getattr(metric, "class_id", None)
    if top_k is not None:
        y_pred = ops.where(_top_k_mask(y_pred, top_k), y_pred,
                           ops.fill(y_pred._shape_tuple(), -np.inf))
    if class_id is not None:
        y_true, y_pred = y_true[..., class_id], y_pred[..., class_id]
    thr = convert_to_tensor(np.asarray(metric.thresholds, dt.as_numpy_dtype))
    multi = getattr(metric, "multi_label", False)
    if multi:  # [T, N, labels]
        preds, labels = ops.expand_dims(y_pred, 0), ops.expand_dims(y_true, 0)
        thr = ops.reshape(thr, [-1, 1, 1])
    else:  # [T, N*labels]
        preds, labels = ops.reshape(y_pred, [1, -1]), ops.reshape(y_true, [1, -1])
        thr = ops.reshape(thr, [-1, 1])
    pred_pos = ops.greater(preds, thr)
    label_pos = ops.cast(labels, dtypes.bool)
    w = None
    if sw is not None:
        w = ops.reshape(ops.broadcast_to(sw, y_pred._shape_tuple()), preds._shape_tuple())
    lw = getattr(metric, "label_weights", None)
    if lw is not None and not multi:
        lwb = ops.broadcast_to(ops.cast(lw, dt), y_pred._shape_tuple())
        lwb = ops.reshape(lwb, preds._shape_tuple())
        w = lwb if w is None else ops.multiply(w, lwb)
    pairs = {"tp": (label_pos, pred_pos), "fp": (ops.logical_not(label_pos), pred_pos),
             "fn": (label_pos, ops.logical_not(pred_pos)),
             "tn": (ops.logical_not(label_pos), ops.logical_not(pred_pos))}
    for key, var in counts.items():
        a, b = pairs[key]
        hit = ops.cast(ops.logical_and(a, b), dt)
        if w is not None:
            hit = ops.multiply(hit, w)
        var.assign_add(ops.reduce_sum(hit, axis=1))


def _top_k_mask(x, k) -> Tensor:
    """True at each row's `k` largest entries (ties: the lower index first, as tf.math.top_k)."""
    idx = ops.top_k(x, k=k).indices
    hot = ops.reduce_sum(ops.one_hot(idx, x._shape_tuple()[-1], dtype=dtypes.int32), axis=-2)
    return ops.greater(hot, 0)


class _Thresholded(Metric):
    """Precision/Recall base: confusion counts at one or more thresholds."""

    _keys: tuple = ()

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else -np.inf
        t = default if thresholds is None else thresholds
        self.thresholds = [float(x) for x in (t if isinstance(t, (list, tuple)) else [t])]
        for _, vname in self._keys:
            setattr(self, vname, self.add_weight(vname, shape=(len(self.thresholds),)))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates the confusion counts of a batch."""
        _update_confusion(self, y_true, y_pred, sample_weight,
                          {k: getattr(self, v) for k, v in self._keys})

    def _ratio(self, a, b) -> Tensor:
        r = ops.divide_no_nan(a, ops.add(a, b))
        return r[0] if len(self.thresholds) == 1 else r

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg.update(thresholds=self.init_thresholds, top_k=self.top_k, class_id=self.class_id)
        return cfg


class Precision(_Thresholded):
    """`tp / (tp + fp)` for predictions above `thresholds` (default 0.5)."""

    _keys = (("tp", "true_positives"), ("fp", "false_positives"))

    def result(self) -> Tensor:
        """The precision (one value per threshold when several are given)."""
        return self._ratio(self.true_positives, self.false_positives)


class Recall(_Thresholded):
    """`tp / (tp + fn)` for predictions above `thresholds` (default 0.5)."""

    _keys = (("tp", "true_positives"), ("fn", "false_negatives"))

    def result(self) -> Tensor:
        """The recall (one value per threshold when several are given)."""
        return self._ratio(self.true_positives, self.false_negatives)


class AUC(Metric):
    """Area under the ROC or PR curve, from counts at `num_thresholds` thresholds.

    Args:
      num_thresholds: number of thresholds spread over [0, 1].
      curve: 'ROC' or 'PR'.
      summation_method: 'interpolation', 'minoring' or 'majoring'.
      multi_label: treat each label column separately and average the AUCs.
      from_logits: apply a sigmoid to predictions first.
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC",
                 summation_method: str = "interpolation", name=None, dtype=None, thresholds=None,
                 multi_label: bool = False, num_labels=None, label_weights=None,
                 from_logits: bool = False):
        super().__init__(name=name, dtype=dtype)
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             '["ROC", "PR"]')
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". Expected '
                             'values are ["interpolation", "majoring", "minoring"]')
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.num_thresholds = num_thresholds
        self.thresholds = [0.0 - 1e-7] + inner + [1.0 + 1e-7]
        self._init_thresholds = thresholds
        self.curve, self.summation_method = curve.upper(), summation_method
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights)
        self._from_logits = from_logits
        self._built_vars = False
        if not multi_label or num_labels is not None:
            self._build(num_labels)

    def _build(self, num_labels) -> None:
        shape = (self.num_thresholds,) if not self.multi_label else (self.num_thresholds,
                                                                     num_labels)
        for key in ("true_positives", "true_negatives", "false_positives", "false_negatives"):
            setattr(self, key, self.add_weight(key, shape=shape))
        self._built_vars = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Accumulates the confusion counts of a batch."""
        if not self._built_vars:
            self._build(_tensor(y_pred)._shape_tuple()[-1])
        _update_confusion(self, y_true, y_pred, sample_weight, {
            "tp": self.true_positives, "tn": self.true_negatives,
            "fp": self.false_positives, "fn": self.false_negatives})

    def result(self) -> Tensor:
        """The area under the curve."""
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._average(self._interpolate_pr(tp, fp, fn))
        recall = ops.divide_no_nan(tp, ops.add(tp, fn))
        if self.curve == "ROC":
            x, y = ops.divide_no_nan(fp, ops.add(fp, tn)), recall
        else:
            x, y = recall, ops.divide_no_nan(tp, ops.add(tp, fp))
        lo, hi = y[:-1], y[1:]
        if self.summation_method == "interpolation":
            heights = ops.divide(ops.add(lo, hi), ops.cast(2.0, self._dtype))
        elif self.summation_method == "minoring":
            heights = ops.minimum(lo, hi)
        else:
            heights = ops.maximum(lo, hi)
        return self._average(ops.multiply(ops.subtract(x[:-1], x[1:]), heights))

    def _interpolate_pr(self, tp, fp, fn) -> Tensor:
        zero = ops.cast(0.0, self._dtype)
        dtp = ops.subtract(tp[:-1], tp[1:])
        p = ops.add(tp, fp)
        dp = ops.subtract(p[:-1], p[1:])
        slope = ops.divide_no_nan(dtp, ops.maximum(dp, zero))
        intercept = ops.subtract(tp[1:], ops.multiply(slope, p[1:]))
        both = ops.logical_and(ops.greater(p[:-1], zero), ops.greater(p[1:], zero))
        ratio = ops.where(both, ops.divide_no_nan(p[:-1], ops.maximum(p[1:], zero)),
                          ops.ones_like(p[1:]))
        inc = ops.multiply(slope, ops.add(dtp, ops.multiply(intercept, ops.log(ratio))))
        return ops.divide_no_nan(inc, ops.maximum(ops.add(tp[1:], fn[1:]), zero))

    def _average(self, terms) -> Tensor:
        if not self.multi_label:
            return ops.reduce_sum(terms)
        by_label = ops.reduce_sum(terms, axis=0)
        if self.label_weights is None:
            return ops.reduce_mean(by_label)
        lw = ops.cast(self.label_weights, self._dtype)
        return ops.divide_no_nan(ops.reduce_sum(ops.multiply(by_label, lw)), ops.reduce_sum(lw))

    def reset_state(self) -> None:
        if self._built_vars:
            super().reset_state()

    def get_config(self) -> dict:
        cfg = super().get_config()
        lw = None if self.label_weights is None else self.label_weights.tolist()
        cfg.update(num_thresholds=self.num_thresholds, curve=self.curve,
                   summation_method=self.summation_method, multi_label=self.multi_label,
                   num_labels=self.num_labels, label_weights=lw, from_logits=self._from_logits)
        if self._init_thresholds is not None:
            cfg["thresholds"] = self.thresholds[1:-1]
        return cfg
