"""Dataset sources beyond arrays: Python generators and zipped datasets."""

from __future__ import annotations

from nanotf._src import dtypes, errors, nest
from nanotf._src.backend import np
from nanotf._src.data.dataset import INFINITE, UNKNOWN, DatasetV2, to_numpy


class GeneratorDataset(DatasetV2):
    """Elements from a Python generator, converted to the declared types."""

    _tf_name = "FlatMapDataset"

    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        super().__init__()
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is None and output_types is None:
            raise TypeError("The `output_types` argument can not be None when `output_signature` "
                            "is not specified.")
        self._fn = generator
        self._args = () if args is None else tuple(args)
        if output_signature is not None:
            self._types = nest.map_structure(lambda s: s.dtype, output_signature)
            self._shapes = nest.map_structure(lambda s: s.shape, output_signature)
        else:
            self._types = output_types
            self._shapes = output_shapes
        self._flat_types = [dtypes.as_dtype(t) for t in nest.flatten(self._types)]

    def _infer_spec(self):
        from nanotf._src.tensor_shape import TensorShape
        from nanotf._src.tensor_spec import TensorSpec

        shapes = self._shapes
        flat_shapes = nest.flatten(shapes) if shapes is not None else [None] * len(
            self._flat_types)
        if shapes is not None and not nest.is_nested(self._types) and nest.is_nested(shapes) \
                and not isinstance(shapes, tuple):
            flat_shapes = [shapes]
        specs = [TensorSpec(TensorShape(s), t) for s, t in zip(flat_shapes, self._flat_types)]
        return nest.pack_sequence_as(self._types, specs)

    def _gen(self):
        flat_types = self._flat_types
        structured = nest.is_nested(self._types)
        for value in self._fn(*self._args):
            if structured:
                if isinstance(value, list):
                    value = tuple(value)
                leaves = _flatten_up_to(self._types, value)
                if leaves is None or len(leaves) != len(flat_types):
                    raise TypeError(f"`generator` yielded an element that did not match the "
                                    f"expected structure. The expected structure was "
                                    f"{self._types}, but the yielded element was {value!r}.")
            else:
                leaves = [value]
            out = []
            for leaf, t in zip(leaves, flat_types):
                a = np.asarray(to_numpy(leaf))
                if t.as_numpy_dtype is not object and a.dtype != t._np:
                    if a.dtype.kind == "f" and t.is_integer:
                        raise errors.InvalidArgumentError(
                            None, None, f"TypeError: `generator` yielded an element of type "
                            f"{a.dtype} where an element of type {t.name} was expected.")
                    a = a.astype(t._np)
                out.append(a)
            yield nest.pack_sequence_as(self._types, out) if structured else out[0]


class ZipDataset(DatasetV2):
    """Zips a nested structure of datasets."""

    _tf_name = "ZipDataset"

    def __init__(self, structure):
        super().__init__()
        for d in nest.flatten(structure):
            if not isinstance(d, DatasetV2):
                raise TypeError(f"Invalid `datasets`. `datasets` is expected to be a (nested) "
                                f"structure of `tf.data.Dataset` objects. Encountered object with "
                                f"type {type(d)}.")
        self._structure = structure

    def _card(self):
        cards = [d._card() for d in nest.flatten(self._structure)]
        finite = [c for c in cards if c >= 0]
        if finite:
            return min(finite)
        return INFINITE if all(c == INFINITE for c in cards) else UNKNOWN

    def _gen(self):
        gens = [d._gen() for d in nest.flatten(self._structure)]
        for items in zip(*gens):
            yield nest.pack_sequence_as(self._structure, list(items))


def _flatten_up_to(shallow, value):
    """Leaves of `value` at the positions of `shallow`'s leaves (lists inside stay whole)."""
    if not nest.is_nested(shallow):
        return [value]
    if isinstance(shallow, dict):
        if not isinstance(value, dict):
            return None
        items = [(shallow[k], value.get(k)) for k in sorted(shallow)]
    else:
        if not isinstance(value, (tuple, list)) or len(value) != len(shallow):
            return None
        items = list(zip(shallow, value))
    out = []
    for s, v in items:
        sub = _flatten_up_to(s, v)
        if sub is None:
            return None
        out.extend(sub)
    return out
