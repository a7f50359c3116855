"""Iterators over datasets: `iter(dataset)`."""

from __future__ import annotations

from nanotf._src import errors
from nanotf._src.data.dataset import to_tensors


class OwnedIterator:
    """An iterator over a dataset's elements (as Tensors).

    Supports `next(it)`, TF 1's `it.next()` and `it.get_next()`.
    """

    def __init__(self, dataset):
        self._ds = dataset
        self._gen = dataset._gen()

    def __iter__(self):
        return self

    def __next__(self):
        return to_tensors(next(self._gen))

    def next(self):
        """The next element (StopIteration at the end)."""
        return self.__next__()

    def get_next(self):
        """The next element; `tf.errors.OutOfRangeError` at the end."""
        try:
            return self.__next__()
        except StopIteration:
            raise errors.OutOfRangeError(None, None, "End of sequence") from None

    def get_next_as_optional(self):
        """The next element wrapped in an Optional (empty at the end)."""
        from nanotf._src.data.options import Optional

        try:
            return Optional(self.__next__())
        except StopIteration:
            return Optional(None)

    @property
    def element_spec(self):
        """The element structure of the dataset."""
        return self._ds.element_spec


Iterator = OwnedIterator
