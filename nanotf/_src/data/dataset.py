"""`tf.data.Dataset`: input pipelines over in-memory arrays, generators and other datasets.

Elements travel through the pipeline as nested structures of NumPy values and become Tensors
only when handed to user code (map functions, iteration). Datasets that are a permutation of
indexed rows (slices, shuffled, taken, skipped, repeated) expose an *index plan*, so `batch`
gathers a whole batch with one fancy-index per component instead of a Python loop per element."""

from __future__ import annotations

from nanotf._src import errors, nest
from nanotf._src.backend import asnumpy, np
from nanotf._src.tensor import Tensor, _wrap, convert_to_tensor

AUTOTUNE = -1
INFINITE = -1
UNKNOWN = -2
INFINITE_CARDINALITY = INFINITE
UNKNOWN_CARDINALITY = UNKNOWN


def to_numpy(value):
    """A nested structure's leaves as NumPy values (Tensors unwrapped, Python values converted)."""
    return nest.map_structure(_leaf_np, value)


def _leaf_np(x):
    if isinstance(x, Tensor):
        return asnumpy(x._v)
    if isinstance(x, np.ndarray):
        return x
    return asnumpy(convert_to_tensor(x)._v)


def to_tensors(value):
    """A nested structure of NumPy values as Tensors."""
    if type(value) is tuple:
        return tuple(_wrap(v) if not isinstance(v, (tuple, dict, list)) else to_tensors(v)
                     for v in value)
    if not nest.is_nested(value):
        return _wrap(value)
    return nest.map_structure(_wrap, value)


def _normalize(structure):
    """TF treats lists in dataset structures as tensors; tuples/dicts are structure."""
    if isinstance(structure, list):
        return np.asarray(to_numpy(convert_to_tensor(structure)))
    if isinstance(structure, tuple) and not hasattr(structure, "_fields"):
        return tuple(_normalize(s) for s in structure)
    if isinstance(structure, tuple):
        return type(structure)(*[_normalize(s) for s in structure])
    if isinstance(structure, dict):
        return {k: _normalize(v) for k, v in structure.items()}
    return _leaf_np(structure)


class DatasetV2:
    """A sequence of elements: `tf.data.Dataset`.

    Example:
      >>> ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3], [4, 5, 6])).batch(2)
      >>> [x.numpy().tolist() for x, _ in ds]
      [[1, 2], [3]]
    """

    _tf_name = "Dataset"

    def __init__(self, parent=None):
        self._parent = parent
        self._spec = None
        self._opts = None

    # --- to implement -------------------------------------------------------------------
    def _gen(self):
        """Yields elements (nested NumPy structures)."""
        raise NotImplementedError

    def _card(self) -> int:
        return UNKNOWN

    def _plan(self):
        """(arrays, structure, orders) where orders() yields index arrays, or None."""
        return None

    # --- iteration ----------------------------------------------------------------------
    def __iter__(self):
        from nanotf._src.data.iterator import OwnedIterator

        return OwnedIterator(self)

    def __len__(self) -> int:
        n = self._card()
        if n == INFINITE:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self) -> bool:
        return True

    def as_numpy_iterator(self):
        """Iterates the elements as NumPy values.

        Example: `list(tf.data.Dataset.range(3).as_numpy_iterator())` is [0, 1, 2].
        """
        for e in self._gen():
            yield nest.map_structure(_py_scalar_to_np, e)

    def cardinality(self) -> Tensor:
        """The number of elements as an int64 scalar tensor (-1 infinite, -2 unknown)."""
        return _wrap(np.array(self._card(), dtype=np.int64))

    @property
    def element_spec(self):
        """The nested `tf.TensorSpec` structure of one element."""
        if self._spec is None:
            self._spec = self._infer_spec()
        return self._spec

    def _infer_spec(self):
        from nanotf._src.tensor_spec import TensorSpec

        first = next(iter(self._gen()), None)
        if first is None:
            raise ValueError("Cannot infer the element spec of an empty dataset.")
        return nest.map_structure(
            lambda a: TensorSpec(np.shape(a), _wrap(np.asarray(a)).dtype), first)

    def __repr__(self) -> str:
        try:
            spec = self.element_spec
        except Exception:  # an empty dataset or a failing generator: still printable
            spec = "?"
        return f"<{self._tf_name} element_spec={spec}>"

    def options(self):
        """The dataset's `tf.data.Options`."""
        from nanotf._src.data.options import Options

        return self._opts or (self._parent.options() if self._parent is not None else Options())

    def with_options(self, options):
        """The same dataset with `options` attached (accepted; nanotf runs one pipeline)."""
        from nanotf._src.data.transforms import _Passthrough

        ds = _Passthrough(self, "_OptionsDataset")
        ds._opts = options
        return ds


    # --- transformations (implemented in transforms.py) --------------------------------------
    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None,
              deterministic=None, name=None):
        """Combines consecutive elements into batches (stacked along a new first dimension).

        Example: `tf.data.Dataset.range(5).batch(2)` yields [0, 1], [2, 3], [4].
        """
        return self._transform("batch", batch_size, drop_remainder)

    def unbatch(self, name=None):
        """Splits each element along its first dimension into separate elements."""
        return self._transform("unbatch")

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False, name=None):
        """Batches elements of different shapes, padding each to a common shape."""
        return self._transform("padded_batch", batch_size, padded_shapes, padding_values,
                               drop_remainder)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None, name=None):
        """Shuffles with a buffer of `buffer_size` elements (a full shuffle when it holds them all).

        Example: `ds.shuffle(10000, seed=1)`.
        """
        return self._transform("shuffle", buffer_size, seed, reshuffle_each_iteration)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies `map_func` to each element (tuples are unpacked into arguments).

        Example: `ds.map(lambda x, y: (x / 255, y))`.
        """
        return self._transform("map", map_func)

    def filter(self, predicate, name=None):
        """Keeps the elements for which `predicate` returns True."""
        return self._transform("filter", predicate)

    def repeat(self, count=None, name=None):
        """Repeats the dataset `count` times (forever when None or -1)."""
        return self._transform("repeat", count)

    def take(self, count, name=None):
        """The first `count` elements (all when -1)."""
        return self._transform("take", count)

    def skip(self, count, name=None):
        """All but the first `count` elements."""
        return self._transform("skip", count)

    def prefetch(self, buffer_size, name=None):
        """Produces elements ahead of use in a background thread."""
        return self._transform("prefetch", buffer_size)

    def cache(self, filename="", name=None):
        """Keeps elements in memory after the first full pass."""
        return self._transform("cache", filename)

    def enumerate(self, start=0, name=None):
        """Pairs each element with its int64 index: `(i, element)`."""
        return self._transform("enumerate", start)

    def reduce(self, initial_state, reduce_func, name=None):
        """Folds the elements into a state with `reduce_func(state, element)`."""
        return self._transform("reduce", initial_state, reduce_func)

    def concatenate(self, dataset, name=None):
        """This dataset's elements followed by `dataset`'s."""
        return self._transform("concatenate", dataset)

    def flat_map(self, map_func, name=None):
        """Maps each element to a dataset and flattens the results in order."""
        return self._transform("flat_map", map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None,
                   num_parallel_calls=None, deterministic=None, name=None):
        """Maps elements to datasets and interleaves them round robin."""
        return self._transform("interleave", map_func, cycle_length, block_length)

    def shard(self, num_shards, index, name=None):
        """Every `num_shards`-th element starting at `index`."""
        return self._transform("shard", num_shards, index)

    def apply(self, transformation_func):
        """Returns `transformation_func(self)`."""
        return transformation_func(self)

    def unique(self, name=None):
        """The elements with duplicates removed (scalar elements)."""
        return self._transform("unique")

    def take_while(self, predicate, name=None):
        """Elements up to the first for which `predicate` is False."""
        return self._transform("take_while", predicate)

    def get_single_element(self, name=None):
        """The only element of a one-element dataset."""
        return self._transform("get_single_element")

    def window(self, size, shift=None, stride=1, drop_remainder=False, name=None):
        """Groups elements into windows, each a dataset."""
        return self._transform("window", size, shift, stride, drop_remainder)

    def scan(self, initial_state, scan_func, name=None):
        """Like reduce, yielding an output per element."""
        return self._transform("scan", initial_state, scan_func)

    # --- sources ------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """Slices `tensors` (arrays, tuples, dicts, nested) along their first dimension.

        Example: `tf.data.Dataset.from_tensor_slices([1, 2, 3])` yields 1, 2, 3.
        """
        return _Slices(_normalize(tensors))

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset with the single element `tensors`.

        Example: `tf.data.Dataset.from_tensors([1, 2])` yields [1, 2] once.
        """
        return _Tensors(_normalize(tensors))

    @staticmethod
    def range(*args, output_type=None, name=None):
        """Like Python's range, as int64 scalars.

        Example: `list(tf.data.Dataset.range(2, 5).as_numpy_iterator())` is [2, 3, 4].
        """
        from nanotf._src import dtypes

        dt = dtypes.as_dtype(output_type or dtypes.int64)._np
        return _Range(range(*[int(a) for a in args]), dt)

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None,
                       output_signature=None, name=None):
        """Elements produced by calling `generator(*args)` anew for each iteration.

        Args:
          generator: a callable returning an iterator.
          output_types, output_shapes: the element structure (TF 1 style), or
          output_signature: a nested `tf.TensorSpec` structure.
        """
        from nanotf._src.data.sources import GeneratorDataset

        return GeneratorDataset(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def zip(*datasets, name=None):
        """Zips datasets (a tuple or nested structure of them) elementwise.

        Example: `Dataset.zip((a, b))` yields `(a_i, b_i)`.
        """
        from nanotf._src.data.sources import ZipDataset

        structure = datasets[0] if len(datasets) == 1 else datasets
        return ZipDataset(structure)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None, name=None):
        """The files matching a glob pattern, as string elements."""
        import glob

        pats = [file_pattern] if isinstance(file_pattern, (str, bytes)) else list(file_pattern)
        files = sorted(f for p in pats for f in glob.glob(p if isinstance(p, str) else p.decode()))
        if not files:
            raise errors.InvalidArgumentError(None, None, f"Expected 'file_pattern' argument to "
                                              f"match at least one file: {file_pattern}")
        ds = _Slices(np.array([f.encode() for f in files], dtype=object))
        return ds.shuffle(len(files), seed=seed) if shuffle or shuffle is None else ds

    def _transform(self, name, *args, **kwargs):
        from nanotf._src.data import counting, transforms

        fn = getattr(transforms, name + "_", None) or getattr(transforms, name, None) \
            or getattr(counting, name)
        return fn(self, *args, **kwargs)


def _py_scalar_to_np(x):
    return x


class _Slices(DatasetV2):
    _tf_name = "TensorSliceDataset"

    def __init__(self, structure):
        super().__init__()
        self._structure = structure
        self._arrays = nest.flatten(structure)
        if not self._arrays:
            raise ValueError("Invalid `tensors`: at least one component is required.")
        lens = {np.shape(a)[0] if np.ndim(a) else None for a in self._arrays}
        if None in lens:
            raise ValueError("Invalid `tensors`: slicing needs components of rank >= 1; got a "
                             "scalar.")
        if len(lens) != 1:
            shapes = [np.shape(a) for a in self._arrays]
            raise errors.invalid_argument(
                f"Dimensions of the components must agree along dimension 0: shapes {shapes}",
                "TensorSliceDataset")
        self._n = lens.pop()

    def _card(self):
        return self._n

    def _plan(self):
        n = self._n

        def orders():
            yield np.arange(n)

        return self._arrays, self._structure, orders

    def _gen(self):
        arrays, structure = self._arrays, self._structure
        flat = not nest.is_nested(structure)
        for i in range(self._n):
            if flat:
                yield arrays[0][i]
            else:
                yield nest.pack_sequence_as(structure, [a[i] for a in arrays])


class _Tensors(DatasetV2):
    _tf_name = "TensorDataset"

    def __init__(self, structure):
        super().__init__()
        self._structure = structure

    def _card(self):
        return 1

    def _gen(self):
        yield self._structure


class _Range(DatasetV2):
    _tf_name = "RangeDataset"

    def __init__(self, r, dt):
        super().__init__()
        self._r, self._dt = r, dt

    def _card(self):
        return len(self._r)

    def _plan(self):
        arr = np.arange(self._r.start, self._r.stop, self._r.step, dtype=self._dt)

        def orders():
            yield np.arange(len(arr))

        return [arr], arr, orders

    def _gen(self):
        t = self._dt.type
        for i in self._r:
            yield t(i)


Dataset = DatasetV2
