"""Dataset transformations that change how many elements flow: repeat, take, skip, shard, cache,
concatenate, flat_map, interleave, window, prefetch."""

from __future__ import annotations

import itertools
import queue
import threading

from nanotf._src import errors
from nanotf._src.data.dataset import INFINITE, UNKNOWN, DatasetV2


class _Repeat(DatasetV2):
    _tf_name = "RepeatDataset"

    def __init__(self, parent, count):
        super().__init__(parent)
        self._count = -1 if count is None else int(count)

    def _card(self):
        n = self._parent._card()
        if self._count < 0:
            return INFINITE if n != 0 else 0
        return n * self._count if n >= 0 else n

    def _epochs(self):
        return itertools.count() if self._count < 0 else range(self._count)

    def _plan(self):
        plan = self._parent._plan()
        if plan is None:
            return None
        arrays, structure, orders = plan

        def repeated():
            for _ in self._epochs():
                yield from orders()

        return arrays, structure, repeated

    def _gen(self):
        for _ in self._epochs():
            yield from self._parent._gen()


class _Take(DatasetV2):
    _tf_name = "TakeDataset"

    def __init__(self, parent, count):
        super().__init__(parent)
        self._count = int(count)

    def _card(self):
        n = self._parent._card()
        if self._count < 0:
            return n
        return self._count if n == INFINITE else (min(n, self._count) if n >= 0 else UNKNOWN)

    def _plan(self):
        plan = self._parent._plan()
        if plan is None or self._count < 0:
            return plan
        arrays, structure, orders = plan

        def taken():
            left = self._count
            for o in orders():
                if left <= 0:
                    return
                yield o[:left]
                left -= len(o)

        return arrays, structure, taken

    def _gen(self):
        if self._count < 0:
            yield from self._parent._gen()
        else:
            yield from itertools.islice(self._parent._gen(), self._count)


class _Skip(_Take):
    _tf_name = "SkipDataset"

    def _card(self):
        n = self._parent._card()
        if self._count < 0:
            return 0
        return max(n - self._count, 0) if n >= 0 else n

    def _plan(self):
        plan = self._parent._plan()
        if plan is None:
            return None
        arrays, structure, orders = plan

        def skipped():
            left = self._count if self._count >= 0 else float("inf")
            for o in orders():
                if left >= len(o):
                    left -= len(o)
                    continue
                yield o[int(left):]
                left = 0

        return arrays, structure, skipped

    def _gen(self):
        if self._count < 0:
            return
        yield from itertools.islice(self._parent._gen(), self._count, None)


def repeat(ds, count=None):
    return _Repeat(ds, count)


def take(ds, count):
    return _Take(ds, count)


def skip(ds, count):
    return _Skip(ds, count)


class _Shard(DatasetV2):
    _tf_name = "ShardDataset"

    def __init__(self, parent, n, i):
        super().__init__(parent)
        if not 0 <= int(i) < int(n):
            raise errors.invalid_argument(f"Index must be in [0, {n}), got {i}", "ShardDataset")
        self._n, self._i = int(n), int(i)

    def _card(self):
        n = self._parent._card()
        return n if n < 0 else n // self._n + (1 if n % self._n > self._i else 0)

    def _gen(self):
        return itertools.islice(self._parent._gen(), self._i, None, self._n)


def shard(ds, num_shards, index):
    return _Shard(ds, num_shards, index)


class _Cache(DatasetV2):
    _tf_name = "CacheDataset"

    def __init__(self, parent):
        super().__init__(parent)
        self._items = None

    def _card(self):
        return self._parent._card()

    def _gen(self):
        if self._items is not None:
            yield from self._items
            return
        items = []
        for e in self._parent._gen():
            items.append(e)
            yield e
        self._items = items  # only a completed pass is cached


def cache(ds, filename=""):
    return _Cache(ds)


class _Concat(DatasetV2):
    _tf_name = "ConcatenateDataset"

    def __init__(self, a, b):
        super().__init__(a)
        self._b = b

    def _card(self):
        x, y = self._parent._card(), self._b._card()
        if INFINITE in (x, y):
            return INFINITE
        return UNKNOWN if UNKNOWN in (x, y) else x + y

    def _gen(self):
        yield from self._parent._gen()
        yield from self._b._gen()


def concatenate(ds, other):
    return _Concat(ds, other)


class _Interleave(DatasetV2):
    _tf_name = "InterleaveDataset"

    def __init__(self, parent, fn, cycle, block):
        super().__init__(parent)
        self._fn, self._cycle, self._block = fn, cycle, block

    def _gen(self):
        from nanotf._src.data.transforms import _call

        src = self._parent._gen()
        cycle = self._cycle or 1
        block = self._block or 1
        active = []
        exhausted = False
        while True:
            while len(active) < cycle and not exhausted:
                e = next(src, None)
                if e is None:
                    exhausted = True
                    break
                active.append(_call(self._fn, e)._gen())
            if not active:
                return
            for g in list(active):
                for _ in range(block):
                    item = next(g, None)
                    if item is None:
                        active.remove(g)
                        break
                    yield item


def flat_map(ds, map_func):
    return _Interleave(ds, map_func, 1, 1)


def interleave(ds, map_func, cycle_length=None, block_length=None):
    return _Interleave(ds, map_func, cycle_length, block_length)


class _Window(DatasetV2):
    _tf_name = "_WindowDataset"

    def __init__(self, parent, size, shift, stride, drop):
        super().__init__(parent)
        self._size, self._shift = int(size), int(shift or size)
        self._stride, self._drop = int(stride), drop

    def _gen(self):
        items = list(self._parent._gen())
        span = (self._size - 1) * self._stride + 1
        for s in range(0, len(items), self._shift):
            w = items[s:s + span:self._stride]
            if not w or (self._drop and len(w) < self._size):
                continue
            yield _ListDataset(w)


class _ListDataset(DatasetV2):
    _tf_name = "_VariantDataset"

    def __init__(self, items):
        super().__init__()
        self._items = items

    def _card(self):
        return len(self._items)

    def _gen(self):
        yield from self._items


def window(ds, size, shift=None, stride=1, drop_remainder=False):
    return _Window(ds, size, shift, stride, drop_remainder)


class _Prefetch(DatasetV2):
    _tf_name = "PrefetchDataset"

    def __init__(self, parent, size):
        super().__init__(parent)
        self._size = int(size) if size is not None and int(size) > 0 else 2

    def _card(self):
        return self._parent._card()

    def _plan(self):
        return None

    def _gen(self):
        q: queue.Queue = queue.Queue(self._size)
        stop = threading.Event()
        done = object()

        def produce():
            try:
                for e in self._parent._gen():
                    while not stop.is_set():
                        try:
                            q.put(("ok", e), timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                q.put(("ok", done))
            except BaseException as ex:  # delivered to the consumer
                q.put(("err", ex))

        t = threading.Thread(target=produce, daemon=True, name="nanotf-prefetch")
        t.start()
        try:
            while True:
                kind, e = q.get()
                if kind == "err":
                    raise e
                if e is done:
                    return
                yield e
        finally:
            stop.set()


def prefetch(ds, buffer_size):
    return _Prefetch(ds, buffer_size)

