"""Compiled backward passes for eager tapes whose recorded ops repeat.

A training loop records the same ops on a fresh GradientTape every step, and `tape.gradient`
walks them with the same VJP rules each time: binds, Tensor wrappers and dict lookups cost more
than the arithmetic of a small model. So the log is summarised as a key (each op, its attributes,
which recorded value feeds which, every value's shape and dtype, the targets and sources); the
second time a key is seen, `GradientTape._sweep` itself is traced on placeholders for the
recorded values and lowered to a Plan, as `tf.function` does, and later gradients of that key
run the Plan on the recorded arrays. The rules and their order are the eager sweep's, so the
numbers are too. A first sighting, and anything the trace cannot take, runs the eager sweep.
"""

from __future__ import annotations

from nanotf._src.graph import Graph, building
from nanotf._src.plan import GuardFailed, Plan, prune
from nanotf._src.tensor import Tensor, _wrap

_CACHE: dict = {}  # key -> a _Compiled, _EAGER, or the number of sightings so far
_MAX_KEYS = 64  # distinct structures remembered (a loop has a few: full and last batch)
_EAGER = object()  # this structure's gradient is swept eagerly (its trace failed)


class _Compiled:
    __slots__ = ("plan", "captured", "outputs")

    def __init__(self, plan, captured, outputs):
        self.plan = plan
        self.captured = captured  # outer values the traced rules read (variables, constants)
        self.outputs = outputs  # per source: an index into the plan's results, None, or a Tensor


class _Log:
    """The part of a GradientTape that `_sweep` reads, over traced stand-ins."""

    __slots__ = ("_log", "_roots", "_watched", "_snaps")

    def __init__(self, log, snaps):
        self._log = log
        self._roots: dict = {}  # no roots: the sweep then finds the needed values from sources
        self._watched: dict = {}
        self._snaps = snaps


def gradient(tape, targets, sources, uc):
    """`tape._sweep(targets, sources, None, uc)` through a cached Plan, or None when the caller
    should sweep eagerly (first sighting, untraceable rules, a failed guard)."""
    pos: dict = {}
    leaves: list = []
    parts: list = [uc]  # flat: per op its prim, input and output slots, attributes
    get = pos.get
    add = parts.append
    try:
        for prim, inputs, outs, attrs in tape._log:
            if not prim.replay:
                return None
            add(prim)
            for x in inputs:  # each value's slot: its first position in `leaves`
                i = get(id(x))
                if i is None:
                    i = pos[id(x)] = len(leaves)
                    leaves.append(x)
                add(i)
            add(-1)  # ends the group, so the flat key reads back one way only
            for x in outs:  # new values (bind made them), unless a rule recorded one twice
                if id(x) in pos:
                    return None
                pos[id(x)] = len(leaves)
                leaves.append(x)
            add(len(outs))
            add(tuple(attrs.items()) if attrs else None)
        snaps = tape._snaps  # the targets, then each source with the snapshots standing for it
        for group in [targets, *([s, *snaps.get(id(s), ())] for s in sources)]:
            for t in group:
                i = get(id(t))
                if i is None:
                    i = pos[id(t)] = len(leaves)
                    leaves.append(t)
                add(i)
            add(-1)
        for t in leaves:
            if t._symbolic:
                return None  # a log recorded while tracing: the graph's own path applies
            v = t._v
            add(v.shape)
            add(v.dtype)
        key = tuple(parts)
        hit = _CACHE.get(key)
    except (TypeError, AttributeError):  # unhashable attributes, symbolic or non-Tensor values
        return None
    if type(hit) is not _Compiled:
        if hit is _EAGER:
            return None
        if hit is None:  # first sighting: sweep eagerly, compile if it comes back
            if len(_CACHE) >= _MAX_KEYS:
                _CACHE.clear()
            _CACHE[key] = 1
            return None
        hit = _compile(tape._log, pos, targets, sources, snaps, leaves, uc)
        _CACHE[key] = _EAGER if hit is None else hit
        if hit is None:
            return None
    arrays = [t._v for t in leaves]
    if hit.captured:
        arrays += [c._v for c in hit.captured]
    try:
        res = hit.plan(arrays)
    except GuardFailed:  # a data-dependent size changed: this call sweeps eagerly
        return None
    return [o if o is None or type(o) is not int else _wrap(res[o]) for o in hit.outputs]


def _compile(tape_log, pos, targets, sources, snaps, leaves, uc):
    """Traces the eager sweep over placeholders for `leaves` (`pos`: id -> slot); None if the
    rules cannot be traced."""
    from nanotf._src.tape import GradientTape

    graph = Graph(building_function=True)
    graph.concrete = {}  # placeholders carry this call's arrays: static shapes, guarded sizes
    try:
        with building(graph):
            syms = []
            for t in leaves:
                p = graph.placeholder(t.dtype, t._v.shape)
                graph.concrete[id(p)] = t._v
                syms.append(p)

            def sym(t):
                return syms[pos[id(t)]]

            log = [(prim, tuple(map(sym, ins)), tuple(map(sym, outs)), attrs)
                   for prim, ins, outs, attrs in tape_log]
            stand_ins = [sym(s) for s in sources]
            sn = {id(sym(s)): [sym(t) for t in snaps[id(s)]] for s in sources if id(s) in snaps}
            grads = GradientTape._sweep(_Log(log, sn), [sym(t) for t in targets], stand_ins,
                                        None, uc)
    except Exception:  # noqa: BLE001 - any rule the trace cannot take is swept eagerly instead
        return None
    graph.concrete = None
    outs, outputs = [], []
    for g in grads:
        if g is None:
            outputs.append(None)
        elif isinstance(g, Tensor) and g._symbolic:
            outputs.append(len(outs))
            outs.append(g)
        else:  # a constant (folded while tracing): the same for every call of this structure
            outputs.append(g)
    captured = [t for t, _ in graph.captures]
    if not all(t._is_variable for t in captured):
        return None  # a rule read an eager tensor from elsewhere: it may differ next time
    inputs = syms + [c for _, c in graph.captures]
    nodes = prune(graph.nodes, outs, fed=inputs, keep_stateful=True)
    if any(n.prim.stateful for n in nodes):
        return None  # a rule with side effects must run every time as written
    plan = Plan(nodes, inputs, outs, graph.guards, lower=True)
    return _Compiled(plan, captured, outputs)
