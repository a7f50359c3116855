"""The dataset transformations behind `Dataset.batch`, `.shuffle`, `.map`, ... ."""

from __future__ import annotations

from nanotf._src import errors, nest
from nanotf._src.backend import np
from nanotf._src.data.dataset import DatasetV2, to_numpy, to_tensors


def _call(fn, element):
    args = to_tensors(element)
    if isinstance(element, tuple) and not hasattr(element, "_fields"):
        return fn(*args)
    return fn(args)


def _stack(items):
    """Stacks a list of same-structured elements into one batch element."""
    first = items[0]
    if not nest.is_nested(first):
        return _stack_leaf(items)
    flats = [nest.flatten(e) for e in items]
    return nest.pack_sequence_as(first, [_stack_leaf(col) for col in zip(*flats)])


def _stack_leaf(col):
    try:
        return np.stack([np.asarray(c) for c in col])
    except ValueError as e:
        shapes = sorted({np.shape(c) for c in col})
        raise errors.invalid_argument(
            f"Cannot batch tensors with different shapes in component 0. First element had shape "
            f"{list(shapes[0])} and element {len(col) - 1} had shape {list(shapes[-1])}.",
            "BatchDataset") from e


class _Passthrough(DatasetV2):
    def __init__(self, parent, tf_name):
        super().__init__(parent)
        self._tf_name = tf_name

    def _gen(self):
        return self._parent._gen()

    def _card(self):
        return self._parent._card()

    def _plan(self):
        return self._parent._plan()


# =============================== batching ===============================


class _Batch(DatasetV2):
    _tf_name = "BatchDataset"

    def __init__(self, parent, batch_size, drop_remainder):
        super().__init__(parent)
        self._b = int(batch_size)
        if self._b <= 0:
            raise errors.invalid_argument(f"Batch size must be greater than zero, got {self._b}",
                                          "BatchDataset")
        self._drop = bool(drop_remainder)

    def _card(self):
        n = self._parent._card()
        if n < 0:
            return n
        return n // self._b if self._drop else -(-n // self._b)

    def _infer_spec(self):
        from nanotf._src.tensor_spec import TensorSpec

        lead = self._b if self._drop else None  # a last partial batch is possible
        return nest.map_structure(lambda s: TensorSpec([lead] + s.shape.as_list(), s.dtype),
                                  self._parent.element_spec)

    def _gen(self):
        plan = self._parent._plan()
        if plan is not None:
            yield from self._gen_plan(*plan)
            return
        buf = []
        for e in self._parent._gen():
            buf.append(e)
            if len(buf) == self._b:
                yield _stack(buf)
                buf = []
        if buf and not self._drop:
            yield _stack(buf)

    def _gen_plan(self, arrays, structure, orders):
        b = self._b
        flat = not nest.is_nested(structure)
        pending = None
        for order in orders():
            if pending is not None and len(pending):
                order = np.concatenate([pending, order])
            n = len(order) - len(order) % b
            contiguous = n > 0 and order[0] + n - 1 == order[n - 1] and \
                bool(np.all(np.diff(order[:n]) == 1))
            for s in range(0, n, b):
                if contiguous:
                    lo = int(order[s])
                    parts = [a[lo:lo + b] for a in arrays]
                else:
                    idx = order[s:s + b]
                    parts = [a[idx] for a in arrays]
                yield parts[0] if flat else nest.pack_sequence_as(structure, parts)
            pending = order[n:]
        if pending is not None and len(pending) and not self._drop:
            parts = [a[pending] for a in arrays]
            yield parts[0] if flat else nest.pack_sequence_as(structure, parts)


def batch(ds, batch_size, drop_remainder=False):
    return _Batch(ds, batch_size, drop_remainder)


class _Unbatch(DatasetV2):
    _tf_name = "_UnbatchDataset"

    def _gen(self):
        for e in self._parent._gen():
            flat = nest.flatten(e)
            n = len(flat[0])
            for i in range(n):
                yield nest.pack_sequence_as(e, [a[i] for a in flat])


def unbatch(ds):
    return _Unbatch(ds)


class _PaddedBatch(DatasetV2):
    _tf_name = "PaddedBatchDataset"

    def __init__(self, parent, b, shapes, values, drop):
        super().__init__(parent)
        self._b, self._shapes, self._values, self._drop = int(b), shapes, values, drop

    def _card(self):
        n = self._parent._card()
        return n if n < 0 else (n // self._b if self._drop else -(-n // self._b))

    def _pad(self, items):
        first = items[0]
        flats = [nest.flatten(e) for e in items]
        shapes = nest.flatten(self._shapes) if self._shapes is not None else [None] * len(flats[0])
        vals = nest.flatten(self._values) if self._values is not None else [None] * len(flats[0])
        if len(vals) == 1 and len(flats[0]) > 1:
            vals = vals * len(flats[0])
        out = []
        for j, col in enumerate(zip(*flats)):
            col = [np.asarray(c) for c in col]
            target = [max(c.shape[d] for c in col) for d in range(col[0].ndim)]
            if shapes[j] is not None:
                want = list(shapes[j]) if not hasattr(shapes[j], "as_list") else shapes[j].as_list()
                target = [t if w is None or w == -1 else int(w) for t, w in zip(target, want)]
            fill = 0 if vals[j] is None else np.asarray(to_numpy(vals[j]))
            arr = np.full([len(col)] + target, fill, dtype=col[0].dtype)
            for i, c in enumerate(col):
                arr[(i,) + tuple(slice(0, d) for d in c.shape)] = c
            out.append(arr)
        return nest.pack_sequence_as(first, out)

    def _gen(self):
        buf = []
        for e in self._parent._gen():
            buf.append(e)
            if len(buf) == self._b:
                yield self._pad(buf)
                buf = []
        if buf and not self._drop:
            yield self._pad(buf)


def padded_batch(ds, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False):
    return _PaddedBatch(ds, batch_size, padded_shapes, padding_values, drop_remainder)


# =============================== shuffle ===============================


def _rng(seed):
    from nanotf._src import philox

    pair = philox.get_seed(seed)
    if pair is None:
        return np.random.default_rng()
    return np.random.default_rng([int(pair[0]) & 0xFFFFFFFF, int(pair[1]) & 0xFFFFFFFF])


class _Shuffle(DatasetV2):
    _tf_name = "ShuffleDataset"

    def __init__(self, parent, buffer_size, seed, reshuffle):
        super().__init__(parent)
        self._buf = int(buffer_size)
        if self._buf <= 0 and self._buf != -1:
            raise errors.invalid_argument("buffer_size must be greater than zero.",
                                          "ShuffleDataset")
        self._seed = seed
        self._reshuffle = True if reshuffle is None else bool(reshuffle)
        self._rng = _rng(seed)
        self._state = self._rng.bit_generator.state

    def _card(self):
        return self._parent._card()

    def _epoch_rng(self):
        if not self._reshuffle:
            self._rng.bit_generator.state = self._state
        return self._rng

    def _plan(self):
        plan = self._parent._plan()
        if plan is None:
            return None
        arrays, structure, orders = plan

        def shuffled():
            rng = self._epoch_rng()
            parts = list(orders()) if self._parent._card() >= 0 else None
            if parts is not None:
                order = np.concatenate(parts) if parts else np.arange(0)
                if self._buf == -1 or self._buf >= len(order):
                    yield order[rng.permutation(len(order))]
                else:
                    yield np.asarray(list(_buffered(iter(order.tolist()), self._buf, rng)))
                return
            stream = (int(i) for o in orders() for i in o)
            chunk = []
            for i in _buffered(stream, self._buf, rng):
                chunk.append(i)
                if len(chunk) == 4096:
                    yield np.asarray(chunk)
                    chunk = []
            if chunk:
                yield np.asarray(chunk)

        return arrays, structure, shuffled

    def _gen(self):
        plan = self._plan()
        if plan is not None:
            arrays, structure, orders = plan
            flat = not nest.is_nested(structure)
            for order in orders():
                for i in order:
                    yield arrays[0][i] if flat else nest.pack_sequence_as(
                        structure, [a[i] for a in arrays])
            return
        yield from _buffered(self._parent._gen(), self._buf, self._epoch_rng())


def _buffered(stream, size, rng):
    """TF's shuffle buffer: fill `size` slots, then emit a random slot and refill it."""
    buf = []
    it = iter(stream)
    for e in it:
        buf.append(e)
        if len(buf) >= size:
            break
    draws = rng.integers(0, 1 << 62, size=1 << 12)
    k = 0
    for e in it:
        if k == len(draws):
            draws, k = rng.integers(0, 1 << 62, size=1 << 12), 0
        j = int(draws[k]) % len(buf)
        k += 1
        yield buf[j]
        buf[j] = e
    order = rng.permutation(len(buf))
    for j in order:
        yield buf[j]


def shuffle(ds, buffer_size, seed=None, reshuffle_each_iteration=None):
    return _Shuffle(ds, buffer_size, seed, reshuffle_each_iteration)


# =============================== element-wise ===============================


class _Map(DatasetV2):
    _tf_name = "MapDataset"

    def __init__(self, parent, fn):
        super().__init__(parent)
        self._fn = fn

    def _card(self):
        return self._parent._card()

    def _gen(self):
        fn = self._fn
        for e in self._parent._gen():
            r = _call(fn, e)
            if isinstance(r, list):
                r = tuple(r)
            yield to_numpy(r)


def map_(ds, map_func):
    return _Map(ds, map_func)


class _Filter(DatasetV2):
    _tf_name = "FilterDataset"

    def __init__(self, parent, pred):
        super().__init__(parent)
        self._pred = pred

    def _gen(self):
        for e in self._parent._gen():
            keep = _call(self._pred, e)
            if bool(np.asarray(to_numpy(keep))):
                yield e


def filter_(ds, predicate):
    return _Filter(ds, predicate)


class _TakeWhile(_Filter):
    _tf_name = "_TakeWhileDataset"

    def _gen(self):
        for e in self._parent._gen():
            if not bool(np.asarray(to_numpy(_call(self._pred, e)))):
                return
            yield e


def take_while(ds, predicate):
    return _TakeWhile(ds, predicate)


class _Enumerate(DatasetV2):
    _tf_name = "_EnumerateDataset"

    def __init__(self, parent, start):
        super().__init__(parent)
        self._start = int(start)

    def _card(self):
        return self._parent._card()

    def _gen(self):
        for i, e in enumerate(self._parent._gen(), self._start):
            yield (np.int64(i), e)


def enumerate_(ds, start=0):
    return _Enumerate(ds, start)


def reduce(ds, initial_state, reduce_func):
    state = to_numpy(initial_state)
    for e in ds._gen():
        state = to_numpy(reduce_func(to_tensors(state), to_tensors(e)))
    return to_tensors(state)


class _Scan(DatasetV2):
    _tf_name = "_ScanDataset"

    def __init__(self, parent, init, fn):
        super().__init__(parent)
        self._init, self._fn = init, fn

    def _card(self):
        return self._parent._card()

    def _gen(self):
        state = to_numpy(self._init)
        for e in self._parent._gen():
            state, out = self._fn(to_tensors(state), to_tensors(e))
            state = to_numpy(state)
            yield to_numpy(out)


def scan(ds, initial_state, scan_func):
    return _Scan(ds, initial_state, scan_func)


def get_single_element(ds):
    it = iter(ds._gen())
    first = next(it, None)
    if first is None:
        raise errors.InvalidArgumentError(None, None, "Dataset was empty.")
    if next(it, None) is not None:
        raise errors.InvalidArgumentError(None, None, "Dataset had more than one element.")
    return to_tensors(first)


class _Unique(DatasetV2):
    _tf_name = "_UniqueDataset"

    def _gen(self):
        seen = set()
        for e in self._parent._gen():
            key = np.asarray(e).item()
            if key not in seen:
                seen.add(key)
                yield e


def unique(ds):
    return _Unique(ds)
