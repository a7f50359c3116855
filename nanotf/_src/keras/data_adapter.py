"""Turns what `fit`/`evaluate`/`predict` receive into batches: arrays, Datasets, generators.

`DataHandler` wraps one adapter and serves epochs of `(x, y, sample_weight)` batches (tuples of
Tensors, `y`/`sample_weight` left out when absent, as Keras packs them). Array inputs are converted
once (floats to float32, as Keras does) and sliced per batch; shuffling uses one permutation per
epoch.
"""

from __future__ import annotations

import contextlib
import math
import sys
from typing import Iterator

from nanotf._src import nest
from nanotf._src.backend import np
from nanotf._src.tensor import Tensor, tensor_of


def unpack_x_y_sample_weight(data) -> tuple:
    """Splits a batch into `(x, y, sample_weight)`; missing parts are None.

    Example:
      >>> unpack_x_y_sample_weight((x, y))
      (x, y, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None) -> tuple:
    """Packs a batch the way `train_step` receives it (shortest tuple)."""
    if y is None:
        return (x,) if not isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


# ------------------------------------------------------------------ input kinds


def _is_dataset(x) -> bool:
    from nanotf._src.data.dataset import DatasetV2

    return isinstance(x, DatasetV2)


def _is_scalar_list(x) -> bool:
    """A (nested) Python list of numbers: one array, not a structure of inputs."""
    while isinstance(x, (list, tuple)) and x:
        x = x[0]
    return isinstance(x, (int, float, bool, np.number, np.bool_))


def _is_array_like(x) -> bool:
    return isinstance(x, (np.ndarray, Tensor)) or _is_scalar_list(x) or np.isscalar(x)


def _to_array(x):
    """One input as a NumPy array; floats become float32 (Keras converts with floatx)."""
    a = x.numpy() if isinstance(x, Tensor) else np.asarray(x)
    if a.dtype.kind == "f" and a.dtype != np.float32:
        a = a.astype(np.float32)
    if a.ndim == 0:
        raise ValueError(f"Expected array-like data with a batch dimension, got the scalar {x!r}")
    return a


def _arrays(structure):
    if structure is None:
        return None
    if _is_scalar_list(structure):
        return _to_array(structure)
    return nest.map_structure(_to_array, structure)


def train_validation_split(arrays: tuple, validation_split: float) -> tuple:
    """Splits `(x, y, sample_weight)` arrays: the last `validation_split` fraction validates.

    Returns `((x, y, sw) for training, (x, y, sw) for validation)`.
    """
    flat = [a for a in nest.flatten(arrays) if a is not None]
    if any(not _is_array_like(a) for a in flat):
        kinds = sorted({type(a).__name__ for a in flat if not _is_array_like(a)})
        raise ValueError("`validation_split` is only supported for Tensors or NumPy arrays, "
                         f"found following types in the input: {kinds}")
    arrays = tuple(_arrays(a) for a in arrays)
    n = len(nest.flatten(arrays[0])[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it "
                         "into a validation and training set as specified by `validation_split="
                         f"{validation_split}`. Either provide more data, or a different value for "
                         "the `validation_split` argument.")

    def cut(lo, hi):
        return tuple(None if a is None else nest.map_structure(lambda t: t[lo:hi], a)
                     for a in arrays)

    return cut(0, split_at), cut(split_at, n)


def _class_weights_to_sample_weights(y, class_weight: dict, sw):
    if isinstance(y, (list, tuple, dict)):
        raise ValueError("`class_weight` is only supported for Models with a single output.")
    ids = sorted(class_weight)
    if ids != list(range(len(ids))):
        raise ValueError("Expected `class_weight` to be a dict with keys from 0 to one less than "
                         f"the number of classes, found {class_weight}")
    labels = y.argmax(-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= len(ids)):
        raise ValueError(f"`class_weight` has weights for classes 0..{len(ids) - 1}, but the "
                         f"labels contain class {int(labels.max())}.")
    cw = np.asarray([class_weight[i] for i in ids], np.float32)[labels]
    return cw if sw is None else sw * cw


# ------------------------------------------------------------------ the handler


class DataHandler:
    """Epochs of batches for `fit`, `evaluate` and `predict`.

    Args:
      x, y, sample_weight: NumPy arrays / Tensors / lists (any nest of them), or `x` a
        `tf.data.Dataset`, a generator/iterator of batches, or a `keras.utils.Sequence`.
      batch_size: batch size for array inputs (default 32).
      steps_per_epoch: batches per epoch (default: one pass over the data).
      shuffle: reshuffle array inputs every epoch (True, False or 'batch').
      class_weight: `{class: weight}` folded into the sample weights.
    """

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps_per_epoch=None,
                 initial_epoch=0, epochs=1, shuffle=False, class_weight=None, model=None,
                 steps_per_execution=None, **kwargs):
        self._initial_epoch, self._epochs = initial_epoch, epochs
        self._steps = steps_per_epoch
        self._shuffle = shuffle
        self._kind = "arrays"
        self._stream = None
        self._exhausted = False
        if _is_dataset(x) or hasattr(x, "__next__") or _is_sequence(x):
            if y is not None or sample_weight is not None:
                what = "`y`" if y is not None else "`sample_weight`"
                raise ValueError(f"{what} argument is not supported when using dataset, "
                                 "generator or `keras.utils.Sequence` as input.")
            if batch_size is not None and not _is_sequence(x):
                raise ValueError("The `batch_size` argument must not be specified for the given "
                                 f"input type. Received input: {x}, batch_size: {batch_size}")
            if class_weight:
                raise ValueError("`class_weight` is only supported for NumPy array inputs here.")
            self._kind = "dataset" if _is_dataset(x) else ("sequence" if _is_sequence(x) else
                                                           "generator")
            self._source = x
            n = _known_length(x)
            self.inferred_steps = steps_per_epoch if steps_per_epoch is not None else n
            return
        self._x, self._y, self._sw = _arrays(x), _arrays(y), _arrays(sample_weight)
        if class_weight:
            self._sw = _class_weights_to_sample_weights(self._y, class_weight, self._sw)
        self._n = _check_cardinality(self._x, self._y, self._sw)
        self._bs = batch_size or 32
        self.inferred_steps = steps_per_epoch if steps_per_epoch is not None else \
            int(math.ceil(self._n / self._bs))

    # --- iteration ---------------------------------------------------------------------------
    def enumerate_epochs(self) -> Iterator[tuple]:
        """Yields `(epoch, iterator_of_batches)` for each epoch to run."""
        for epoch in range(self._initial_epoch, self._epochs):
            if self._exhausted:
                break
            yield epoch, self._epoch_batches()

    def _epoch_batches(self) -> Iterator:
        if self._kind == "arrays":
            src = self._array_batches() if self._steps is None else self._array_stream()
        elif self._kind == "sequence":
            src = self._sequence_batches()
        elif self._kind == "dataset" and self._steps is None:
            src = (_as_batch(e) for e in self._source)
        else:
            if self._stream is None:
                self._stream = iter(self._source)
            src = (_as_batch(e) for e in self._stream)
        limit = self._steps
        count = 0
        for batch in src:
            yield batch
            count += 1
            if limit is not None and count >= limit:
                return
        if limit is not None and count < limit or self._kind == "generator":
            self._exhausted = True
            if limit is not None:
                sys.stderr.write(
                    "WARNING:tensorflow:Your input ran out of data; interrupting training. Make "
                    "sure that your dataset or generator can generate at least `steps_per_epoch "
                    f"* epochs` batches (in this case, {limit * self._epochs} batches). You may "
                    "need to use the repeat() function when building your dataset.\n")

    def _order(self):
        n = self._n
        if self._shuffle == "batch":
            starts = np.random.permutation(int(math.ceil(n / self._bs))) * self._bs
            return np.concatenate([np.arange(s, min(s + self._bs, n)) for s in starts])
        return np.random.permutation(n) if self._shuffle else None

    def _array_batches(self):
        order = self._order()
        x, y, sw, bs = self._x, self._y, self._sw, self._bs
        single = isinstance(x, np.ndarray) and (y is None or isinstance(y, np.ndarray))
        for start in range(0, self._n, bs):
            if order is None:
                sl = slice(start, start + bs)
                take = (lambda a, sl=sl: tensor_of(a[sl]))
            else:
                idx = order[start:start + bs]
                take = (lambda a, idx=idx: tensor_of(a.take(idx, axis=0)))
            if single:
                xb = take(x)
                if y is None:
                    yield (xb,)
                elif sw is None:
                    yield (xb, take(y))
                else:
                    yield (xb, take(y), take(sw))
            else:
                yield pack_x_y_sample_weight(
                    nest.map_structure(take, x), None if y is None else
                    nest.map_structure(take, y), None if sw is None else take(sw))

    def _array_stream(self):
        if self._stream is None:
            def forever():
                while True:
                    yield from self._array_batches()
            self._stream = forever()
        return self._stream

    def _sequence_batches(self):
        seq = self._source
        order = np.random.permutation(len(seq)) if self._shuffle else range(len(seq))
        for i in order:
            yield _as_batch(seq[int(i)])
        end = getattr(seq, "on_epoch_end", None)
        if end is not None:
            end()

    @contextlib.contextmanager
    def catch_stop_iteration(self):
        """Turns a generator running dry into the end of the epoch."""
        try:
            yield
        except StopIteration:
            self._exhausted = True


def _is_sequence(x) -> bool:
    """A `keras.utils.Sequence`-like object: indexable batches, not an array-like."""
    return (hasattr(x, "__getitem__") and hasattr(x, "__len__") and not isinstance(
        x, (list, tuple, dict, np.ndarray, Tensor, str)) and not hasattr(x, "__array__")
        and not hasattr(x, "shape") and not _is_dataset(x))


def _known_length(x):
    if _is_dataset(x):
        n = int(x.cardinality().numpy())
        return n if n >= 0 else None
    if _is_sequence(x):
        return len(x)
    return None


def _as_batch(element) -> tuple:
    """A dataset/generator element as the tuple `train_step` receives."""
    if isinstance(element, (list, tuple)):
        return tuple(_to_tensor_tree(e) for e in element)
    return (_to_tensor_tree(element),)


def _to_tensor_tree(e):
    return nest.map_structure(lambda a: a if isinstance(a, Tensor) else tensor_of(_to_array(a)),
                              e)


def _check_cardinality(x, y, sw) -> int:
    sizes = {}
    for label, s in (("x", x), ("y", y), ("sample_weight", sw)):
        if s is not None:
            sizes[label] = [len(a) for a in nest.flatten(s)]
    flat = {n for v in sizes.values() for n in v}
    if len(flat) > 1:
        lines = "\n".join(f"  {k} sizes: {', '.join(str(n) for n in v)}" for k, v in sizes.items())
        raise ValueError(f"Data cardinality is ambiguous:\n{lines}\nMake sure all arrays contain "
                         "the same number of samples.")
    return flat.pop() if flat else 0


def get_data_handler(*args, **kwargs) -> DataHandler:
    """Creates the `DataHandler` for `fit`/`evaluate`/`predict` arguments."""
    return DataHandler(*args, **kwargs)
