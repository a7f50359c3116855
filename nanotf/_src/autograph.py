"""Python control flow on tensor values inside `tf.function`.

TF's AutoGraph rewrites `if`/`while`/`for` over tensors into `tf.cond`/`tf.while_loop`. nanotf
takes the simplest route that gives the same results: when tracing meets `bool(tensor)` or
iteration over a symbolic tensor, the trace is abandoned and that function runs eagerly from then
on (Python's control flow then sees real values), with a one-time notice on stderr.
"""

from __future__ import annotations

import sys
import types

from nanotf._src.dispatch import context


class OperatorNotAllowedInGraphError(TypeError):
    """A Python operator (bool, iteration) was used on a symbolic tensor outside AutoGraph."""


class AutographFallback(Exception):
    """Raised inside a trace to ask `tf.function` to run its function eagerly instead."""


class _State:
    active = 0  # how many autograph-enabled tf.function traces are running


state = _State()
_noticed: set = set()


def _in_autograph_trace() -> bool:
    g = context.graph
    return state.active > 0 and g is not None and g.building_function


def symbolic_bool(t):
    """`bool()` of a symbolic tensor: fall back to eager inside tf.function, else TF's error."""
    if _in_autograph_trace():
        raise AutographFallback(f"bool() of {t.name}")
    raise OperatorNotAllowedInGraphError(
        "Using a symbolic `tf.Tensor` as a Python `bool` is not allowed. You can attempt the "
        "following resolutions to the problem: If you are running in Graph mode, use Eager "
        "execution mode or decorate this function with @tf.function. If you are using AutoGraph, "
        "you can try decorating this function with @tf.function. If that does not work, then you "
        "may be using an unsupported feature or your source code may not be visible to AutoGraph.")


def symbolic_iter(t):
    """Iteration over a symbolic tensor: fall back to eager in tf.function; TF1 graphs unstack."""
    if _in_autograph_trace():
        raise AutographFallback(f"iteration over {t.name}")
    shape = t._v.shape
    if not t._node.graph.building_function and shape and shape[0] is not None:
        return (t[i] for i in range(shape[0]))
    raise OperatorNotAllowedInGraphError(
        "Iterating over a symbolic `tf.Tensor` is not allowed. You can attempt the following "
        "resolutions to the problem: If you are running in Graph mode, use Eager execution mode "
        "or decorate this function with @tf.function.")


def notice(fn_name: str, why: str) -> None:
    """Prints, once per function, that it will run eagerly."""
    if fn_name in _noticed:
        return
    _noticed.add(fn_name)
    print(f"nanotf: tf.function '{fn_name}' cannot be traced into a graph ({why}); it runs "
          f"eagerly instead, with the same results.", file=sys.stderr)


# --- the public `tf.autograph` helpers (nanotf converts nothing, so they are pass-throughs) ---


def do_not_convert(func=None):
    """Marks `func` as not to be converted by AutoGraph (nanotf never converts; returns it)."""
    return (lambda f: f) if func is None else func


def to_graph(entity, recursive=True, experimental_optional_features=None):
    """Returns `entity` unchanged (nanotf traces Python directly; see `tf.function`)."""
    return entity


def set_verbosity(level, alsologtostdout=False) -> None:
    """Accepted for compatibility (AutoGraph logging)."""


experimental = types.ModuleType("nanotf.autograph.experimental", "`tf.autograph.experimental`.")
experimental.do_not_convert = do_not_convert
