"""`evaluate` over in-memory arrays a chunk of batches at a time, for models that map rows alone.

`evaluate` normally runs the traced test step once per batch. At batch 32 that is a product of
32 rows on one BLAS thread (MNIST's first layer: ~0.1 ms) and a loss kernel whose cost is mostly
fixed overhead, 313 times for 10,000 samples. When every layer maps each input row on its own
(Dense, convolutions, pooling, inference-mode Dropout and BatchNormalization, ...) and the loss is
a built-in per-sample loss, a row's prediction and loss do not depend on which other rows share
its batch. So the model's outputs and per-sample losses are computed for about 1,024 rows at once
(one traced call), and each batch then reduces its slice of the per-sample losses and updates
the metrics in a small traced step: callbacks, logs and results stay per batch, as before.

Anything else (a subclassed model, a Lambda or custom layer, a custom activation or loss, sample
weights, datasets or generators, a custom `test_step`) takes the ordinary per-batch loop.
"""

from __future__ import annotations

from nanotf._src import function as function_mod
from nanotf._src.backend import np
from nanotf._src.keras import activations, compile_utils, layers
from nanotf._src.keras import losses as losses_mod
from nanotf._src.keras import metrics as metrics_mod
from nanotf._src.keras.functional import Functional, InputLayer
from nanotf._src.keras.sequential import Sequential
from nanotf._src.keras.trainer import Trainer
from nanotf._src.tensor import tensor_of

CHUNK_ROWS = 1024  # rows per forward chunk at most: large enough for multithreaded BLAS products
CHUNK_BYTES = 16 << 20  # and at most this much for the largest activation (or conv patches)

# layers whose inference output row i depends on input row i only (their activations checked too)
_ROWWISE_LAYERS = (
    InputLayer, layers.Dense, layers.Flatten, layers.Reshape, layers.Activation, layers.ReLU,
    layers.Softmax, layers.LeakyReLU, layers.ELU, layers.Dropout, layers.SpatialDropout1D,
    layers.SpatialDropout2D, layers.GaussianNoise, layers.GaussianDropout, layers.Conv1D,
    layers.Conv2D, layers.Conv2DTranspose, layers.MaxPooling1D, layers.MaxPooling2D,
    layers.AveragePooling1D, layers.AveragePooling2D, layers.GlobalAveragePooling1D,
    layers.GlobalMaxPooling1D, layers.GlobalAveragePooling2D, layers.GlobalMaxPooling2D,
    layers.BatchNormalization, layers.Embedding, layers.ZeroPadding2D, layers.UpSampling2D,
)
_CONVS = (layers.Conv1D, layers.Conv2D, layers.Conv2DTranspose)
_ACTIVATIONS = frozenset(v for k, v in vars(activations).items()  # the module's own functions
                         if getattr(v, "__module__", None) == activations.__name__
                         and callable(v) and not k.startswith("_")
                         and k not in ("get", "serialize", "deserialize"))
# the built-in per-sample loss functions (each reduces the class / feature axis only)
_LOSS_FNS = frozenset((
    losses_mod.mean_squared_error, losses_mod.mean_absolute_error,
    losses_mod.mean_absolute_percentage_error, losses_mod.mean_squared_logarithmic_error,
    losses_mod.hinge, losses_mod.squared_hinge, losses_mod.categorical_hinge, losses_mod.huber,
    losses_mod.log_cosh, losses_mod.categorical_crossentropy,
    losses_mod.sparse_categorical_crossentropy, losses_mod.binary_crossentropy,
    losses_mod.kl_divergence, losses_mod.poisson, losses_mod.cosine_similarity,
))


def _rowwise_layer(layer) -> bool:
    if type(layer) in (Sequential, Functional):  # a nested model of row-wise layers
        return _rowwise_model(layer)
    if type(layer) not in _ROWWISE_LAYERS or getattr(layer, "activity_regularizer", None):
        return False  # exact classes only: a subclass may redefine `call`
    axis = getattr(layer, "axis", None)  # Softmax, BatchNormalization: never over the batch axis
    if axis is not None and 0 in (axis if isinstance(axis, (list, tuple)) else [axis]):
        return False
    act = getattr(layer, "activation", None)
    return act is None or act in _ACTIVATIONS


def _rowwise_model(model) -> bool:
    """Whether `model` is a Sequential or functional model of row-wise layers only (a TFOpLambda,
    e.g. `tf.reduce_mean(x, 0)` on a Keras tensor, is not one)."""
    if type(model) not in (Sequential, Functional):
        return False
    for node in getattr(model, "_network_nodes", None) or ():
        if any(v is not None and v is not False for v in (node.kwargs or {}).values()):
            return False  # e.g. Dropout(...)(x, training=True): noise drawn per chunk, not batch
    return all(_rowwise_layer(sub) for sub in model.layers)


# built-in per-sample metric functions (each row's value depends on that row only)
_METRIC_FNS = _LOSS_FNS | frozenset((
    metrics_mod.accuracy, metrics_mod._binary_matches, metrics_mod.binary_accuracy,
    metrics_mod._sparse_matches, metrics_mod.sparse_categorical_accuracy,
    metrics_mod.categorical_accuracy, metrics_mod.top_k_categorical_accuracy,
    metrics_mod.sparse_top_k_categorical_accuracy, metrics_mod._cosine,
))
_F32 = np.dtype(np.float32)


def _rowwise_loss(loss) -> bool:
    if not isinstance(loss, losses_mod.LossFunctionWrapper) or loss.fn not in _LOSS_FNS:
        return False
    kw = loss._fn_kwargs
    if kw.get("axis", -1) != -1 or kw.get("ignore_class") is not None:
        return False
    call = type(loss).__call__
    return call is losses_mod.Loss.__call__ or \
        call is losses_mod.SparseCategoricalCrossentropy.__call__


def runner(model, handler, test_function):
    """A callable `callbacks -> logs` running evaluate's loop in chunks, or None when the model,
    its compiled loss or the data need the ordinary per-batch loop."""
    if test_function._nanotf_eager or function_mod.functions_run_eagerly():
        return None
    if handler._kind != "arrays" or handler._steps is not None or handler._sw is not None:
        return None
    x, y = handler._x, handler._y
    if type(x).__module__ != "numpy" or type(y).__module__ != "numpy" or handler._n == 0:
        return None
    cls = type(model)
    for name in ("test_step", "compute_loss", "compute_metrics", "get_metrics_result"):
        if getattr(cls, name) is not getattr(Trainer, name):
            return None
    container = model.compiled_loss
    if type(container) is not compile_utils.LossesContainer or not _rowwise_model(model):
        return None
    user = container._user_losses  # one loss for one output (others: the per-batch loop)
    if user is None or isinstance(user, (list, tuple, dict)) or \
            not _rowwise_loss(compile_utils._loss_object(user)):
        return None
    outs = getattr(model, "outputs", None)
    if outs is not None and len(outs) != 1:
        return None
    rows = min(CHUNK_ROWS, CHUNK_BYTES // max(1, _row_bytes(model)))
    if rows < 2 * handler._bs:
        return None  # too little to gain over the batches themselves
    steps = getattr(test_function, "_nanotf_chunk_steps", None)
    if steps is None or steps.container is not container:  # traced once per compiled model
        steps = test_function._nanotf_chunk_steps = _Steps(model, container)
    return _Runner(steps, x, y, handler._n, handler._bs, rows)


def _row_bytes(model) -> int:
    """The bytes one row needs in the model's largest activation (a convolution's patch matrix
    counts its kernel volume); 4 bytes per value, as float32."""
    most = 0
    for layer in _flat_layers(model):
        shape = getattr(layer, "output_shape", None)
        if not isinstance(shape, tuple) or any(d is None for d in shape[1:]):
            continue
        n = int(np.prod(shape[1:], dtype=np.int64))
        kernel = getattr(layer, "kernel", None)
        if isinstance(layer, _CONVS) and kernel is not None:  # im2col: kh * kw * c per position
            n = max(n, int(np.prod(shape[1:-1], dtype=np.int64)) * int(
                np.prod(kernel.shape[:-1], dtype=np.int64)))
        most = max(most, n)
    return 4 * most


def _flat_layers(model):
    for layer in model.layers:
        if hasattr(layer, "layers"):
            yield from _flat_layers(layer)
        else:
            yield layer


class _Steps:
    """The two traced steps of chunked evaluation for one compiled model (kept on its test
    function, so later `evaluate` calls reuse the traces)."""

    def __init__(self, model, container):
        self.model, self.container = model, container
        self.chunk_fn = function_mod.Function(self._chunk, name="evaluate_chunk",
                                              autograph=False)
        self.batch_fn = function_mod.Function(self._batch, name="test_function",
                                              autograph=False)
        self.values_fn = function_mod.Function(self._metric_values, name="evaluate_metrics",
                                               autograph=False)
        self.summary = None  # decided once the first batch has built the metrics
        self.metrics: list = []

    def _chunk(self, x, y):
        """The outputs and per-sample losses of a chunk of rows."""
        y_pred = self.model(x, training=False)
        c = self.container
        if not c._built:
            c.build(y_pred)
        lo = c._losses[0]
        yt, yp, _ = compile_utils.match_dtype_and_rank(y, y_pred, None)
        return y_pred, lo.call(yt, yp)

    def _batch(self, y, y_pred, per_sample):
        """The rest of `test_step` for one batch, from its slice of per-sample losses."""
        m = self.model
        self.container(y, y_pred, None, regularization_losses=getattr(m, "losses", None),
                       per_sample=[per_sample])
        return m.compute_metrics(None, y, y_pred, None)

    def _metric_values(self, y, y_pred):
        """Each compiled metric's per-sample values for a chunk (as its `update_state` makes)."""
        yt, yp, _ = compile_utils.match_dtype_and_rank(y, y_pred, None)
        return [m._values(yt, yp) for m in self.metrics]

    def summarise(self):
        """Whether the loss and metric updates of whole batches can be computed for a chunk at
        once (`_Summary`): after the first batch built them, every metric must be the loss mean
        or a built-in per-sample metric over float32, with no loss weight or regularisation."""
        if self.summary is not None:
            return self.summary
        m, c = self.model, self.container
        ok = (c._built and len(c._losses) == 1 and c._weights == [None]
              and c._per_output == [None] and not getattr(m, "losses", None)
              and c._losses[0]._get_reduction() == losses_mod.Reduction.SUM_OVER_BATCH_SIZE)
        compiled = getattr(m, "compiled_metrics", None)
        ok = ok and compiled is not None and compiled._built and not any(compiled._weighted)
        if ok:
            self.metrics = list(compiled._in_order)
            means = [c._total_loss_mean] + self.metrics
            updates = (metrics_mod.Reduce.update_state, metrics_mod.MeanMetricWrapper.update_state)
            ok = (m.metrics == means
                  and all(x.dtype == "float32" and x.reduction == "weighted_mean"
                          and type(x).update_state in updates
                          and type(x).result is metrics_mod.Reduce.result for x in means)
                  and all(type(x)._values is metrics_mod.MeanMetricWrapper._values
                          and x._fn in _METRIC_FNS for x in self.metrics))
        self.summary = ok
        return ok

    def usable(self, y_pred, per) -> bool:
        """Whether the first chunk gave one output and one per-sample loss per row (`runner`
        checked the loss itself)."""
        c = self.container
        return (c._built and len(c._losses) == 1 and c._losses[0] is not None
                and y_pred._v.ndim >= 1 and per._v.ndim >= 1 and len(y_pred._v) == len(per._v))


class _Runner:
    def __init__(self, steps, x, y, n, batch_size, rows):
        self.steps = steps
        self.x, self.y, self.n, self.bs = x, y, n, batch_size
        self.chunk = rows // batch_size * batch_size

    def __call__(self, callbacks, fallback):
        """Runs every batch; `fallback()` runs the ordinary loop instead (returns its logs)."""
        x, y, n, bs, chunk = self.x, self.y, self.n, self.bs, self.chunk
        steps = self.steps
        chunk_fn, batch_fn = steps.chunk_fn, steps.batch_fn
        full = None  # the batch step's trace for full batches
        logs: dict = {}
        for c0 in range(0, n, chunk):
            xc, yc = x[c0:c0 + chunk], y[c0:c0 + chunk]
            if c0 == 0:
                try:  # bad data or shapes: the per-batch loop reports them as TF does
                    y_pred, per = chunk_fn(tensor_of(xc), tensor_of(yc))
                except Exception:  # noqa: BLE001
                    return fallback()
                if not steps.usable(y_pred, per):
                    return fallback()
            else:
                y_pred, per = chunk_fn(tensor_of(xc), tensor_of(yc))
            pv, ppv = y_pred._v, per._v
            end = min(c0 + chunk, n)
            s = c0
            while s < end:
                whole = (end - s) // bs
                if whole > 1 and s > 0 and steps.summarise():  # the first batch builds metrics
                    lo = s - c0
                    hi = lo + whole * bs
                    logs = _Summary(steps, y[s:s + whole * bs], pv[lo:hi], ppv[lo:hi], whole,
                                    bs).run(callbacks, s // bs)
                    s += whole * bs
                    continue
                step = s // bs
                callbacks.on_test_batch_begin(step)
                lo = s - c0
                args = [tensor_of(y[s:s + bs]), tensor_of(pv[lo:lo + bs]),
                        tensor_of(ppv[lo:lo + bs])]
                if full is not None and len(args[0]._v) == bs:
                    logs = full._call_flat(args)  # the full-batch trace, without re-keying
                else:
                    logs = batch_fn(*args)
                    if full is None and len(args[0]._v) == bs:
                        full = batch_fn.get_concrete_function(*args)
                callbacks.on_test_batch_end(step, logs)
                s += bs
        return logs


class _Summary:
    """The loss and metric updates of `nb` whole batches, computed for all of them at once.

    Per batch, the traced step sums each metric's values (the loss mean: the batch loss, summed,
    divided by the batch size and weighted by it), adds the sum and the count to the metric's
    float32 `total` and `count`, and divides. Here one pass sums every batch's row (the same
    pairwise order as a batch's own sum), `np.add.accumulate` runs the float32 additions in
    order, and one division gives every batch's result: the same bits. The variables still take
    each batch's state before its callbacks run.
    """

    def __init__(self, steps, y, pred, per, nb, bs):
        f = np.float32
        c = steps.container
        vals = steps.values_fn(tensor_of(y), tensor_of(pred)) if steps.metrics else []
        sums = np.add.reduce(per.reshape(nb, bs), axis=1)
        self.series = [_running(c._total_loss_mean, sums / f(bs) * f(bs), f(bs))]
        for m, v in zip(steps.metrics, vals):
            a = v._v.reshape(nb, -1)
            if a.dtype != _F32:
                a = a.astype(_F32)  # Reduce.update_state's cast
            self.series.append(_running(m, np.add.reduce(a, axis=1), f(a.shape[1])))
        self.nb = nb

    def run(self, callbacks, step0) -> dict:
        logs: dict = {}
        # no callback has batch hooks (a CallbackList knows): only the last state is ever seen
        first = 0 if getattr(callbacks, "_test_hooks", True) else self.nb - 1
        for b in range(first, self.nb):
            callbacks.on_test_batch_begin(step0 + b)
            logs = {}
            for m, total, count, result in self.series:
                m.total._assign_array(total[b])
                m.count._assign_array(count[b])
                logs[m.name] = tensor_of(result[b:b + 1].reshape(()))
            callbacks.on_test_batch_end(step0 + b, logs)
        return logs


def _running(metric, sums, count):
    """`metric`'s total, count and result after each batch adding `sums[i]` and `count`."""
    f = np.float32
    total = np.add.accumulate(np.concatenate([metric.total._v.reshape(1).astype(f), sums]))[1:]
    counts = np.add.accumulate(np.concatenate([metric.count._v.reshape(1).astype(f),
                                               np.full(len(sums), count, f)]))[1:]
    result = np.zeros(len(sums), f)
    np.divide(total, counts, out=result, where=counts != 0)
    return metric, total, counts, result
