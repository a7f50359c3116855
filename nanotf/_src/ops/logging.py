"""`tf.print`: prints tensors in TF's summarized format each time the op runs.

Eagerly it prints at once. In a graph it is a stateful node, so a traced function prints on every
call (unlike Python's `print`, which runs only while tracing).
"""

from __future__ import annotations

import sys

from nanotf._src import nest
from nanotf._src.backend import asnumpy, np
from nanotf._src.dispatch import bind, context, primitive
from nanotf._src.tensor import Tensor


class _Slot:
    """Marks where the i-th tensor goes in a print template."""

    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i


def print(*inputs, **kwargs) -> None:  # noqa: A001 - TF's public name
    """Prints `inputs` (tensors formatted as TF does, long dims summarized) to stderr.

    Args:
      *inputs: tensors, Python values or nested structures of them.
      output_stream: `sys.stdout`, `sys.stderr` (default) or a `'file://path'` string.
      summarize: how many leading and trailing items of each dim to show (-1 for all).
      sep: the separator between inputs; end: the string written last.

    Example:
      >>> tf.print(tf.range(10), output_stream=sys.stdout)
      [0 1 2 ... 7 8 9]
    """
    stream = kwargs.pop("output_stream", None)
    summarize = kwargs.pop("summarize", 3)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    kwargs.pop("name", None)
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments for tf.print: {sorted(kwargs)}")
    tensors: list = []

    def slot(x):
        if isinstance(x, Tensor):
            tensors.append(x._as_tensor() if x._is_variable else x)
            return _Slot(len(tensors) - 1)
        return x

    template = nest.map_structure(slot, list(inputs))
    summarize = -1 if summarize is None else int(summarize)
    if context.graph is not None or any(t._symbolic for t in tensors):
        return bind(_print_op, *tensors, template=template, stream=stream, summarize=summarize,
                    sep=sep, end=end)
    _write([t._v for t in tensors], template, stream, summarize, sep, end)
    return None


@primitive("PrintV2", nout=0, nondiff=True, stateful=True)
def _print_op(xp, *arrays, template, stream, summarize, sep, end):
    _write(arrays, template, stream, summarize, sep, end)
    return ()


_print_op.shape_fn = lambda ins, attrs: []


def _write(arrays, template, stream, summarize, sep, end):
    def fmt(x, top):
        if isinstance(x, _Slot):
            return format_array(asnumpy(arrays[x.i]), summarize)
        if isinstance(x, (list, tuple)) and not hasattr(x, "_fields"):
            inner = ", ".join(fmt(v, False) for v in x)
            return f"[{inner}]" if isinstance(x, list) else f"({inner}{',' if len(x) == 1 else ''})"
        if isinstance(x, dict):
            return "{" + ", ".join(f"{k!r}: {fmt(v, False)}" for k, v in x.items()) + "}"
        return str(x) if top and isinstance(x, str) else (str(x) if top else repr(x))

    text = sep.join(fmt(x, True) for x in template) + end
    if stream is None or stream is sys.stderr:
        sys.stderr.write(text)
    elif isinstance(stream, str) and stream.startswith("file://"):
        with open(stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text)
    elif callable(stream) and not hasattr(stream, "write"):
        stream(text.rstrip("\n"))
    else:
        stream.write(text)


def _scalar(v) -> str:
    if isinstance(v, (bytes, str)):
        b = v if isinstance(v, bytes) else v.encode()
        return '"' + b.decode("utf-8", "backslashreplace") + '"'
    k = v.dtype.kind
    if k == "b":
        return "1" if v else "0"
    if k == "f":
        if np.isnan(v):
            return "nan"
        if np.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v.dtype == np.float64:
            s = f"{float(v):.15g}"
            return s if float(s) == v else f"{float(v):.17g}"
        v32 = np.float32(v)
        s = f"{float(v32):.6g}"
        return s if np.float32(s) == v32 else f"{float(v32):.9g}"
    if k == "c":
        return "?"
    return str(v)


def format_array(a, summarize: int = 3) -> str:
    """An array in tf.print's format, e.g. `[[1 2]\\n [3 4]]`, summarizing long dims."""
    a = np.asarray(a)
    if a.ndim == 0:
        return _scalar(a[()])
    return _block(a, summarize, 0)


def _block(a, summarize, depth):
    n = a.shape[0]
    cut = 0 <= summarize and n > 2 * summarize
    idx = list(range(summarize)) + [None] + list(range(n - summarize, n)) if cut else range(n)
    if a.ndim == 1:
        return "[" + " ".join("..." if i is None else _scalar(a[i]) for i in idx) + "]"
    if n == 0:
        return "[]"
    sep = "\n" * (a.ndim - 1) + " " * (depth + 1)
    return "[" + sep.join("..." if i is None else _block(a[i], summarize, depth + 1)
                          for i in idx) + "]"
