"""Control flow: cond, case, switch_case, while_loop, map_fn, scan, foldl, foldr.

Eagerly these are Python control flow. With a symbolic input (or while a graph is traced) each
branch or loop body is traced once into a sub-graph whose free tensors are captured, and one node
runs the sub-graphs' Plans. Its gradient recomputes the node's forward pass under a tape
(rematerialisation), so any body that can be differentiated eagerly can be differentiated here.
"""

from __future__ import annotations

from nanotf._src import nest
from nanotf._src.backend import np
from nanotf._src.dispatch import Primitive, bind, context
from nanotf._src.graph import AbstractArray, Graph, building
from nanotf._src.plan import Plan, prune, replay
from nanotf._src.tensor import Tensor, _wrap, convert_to_tensor


def _is_sym(x) -> bool:
    return isinstance(x, Tensor) and x._symbolic


def _outer_graph(*xs):
    for x in nest.flatten(xs):
        if _is_sym(x):
            return x._node.graph if context.graph is None else context.graph
    return context.graph


class _Body:
    """A traced sub-graph: placeholders in, tensors out; runs as a Plan or by replay."""

    def __init__(self, outer: Graph, fn, specs=(), names=None):
        self.graph = g = Graph(outer=outer, building_function=outer.building_function)
        with building(g):
            self.args = [g.placeholder(dt, shape, name=(names or {}).get(i, "arg"))
                         for i, (shape, dt) in enumerate(specs)]
            self.structure = fn(*self.args)
            flat = []
            for x in nest.flatten(self.structure):
                if isinstance(x, Tensor) and (x._is_variable or (
                        x._symbolic and x._node.graph is not g)):
                    x = g.capture(x)
                elif not isinstance(x, Tensor) and x is not None:
                    x = convert_to_tensor(x)
                flat.append(x)
        self.outputs = [x for x in flat if x is not None]
        self.captured = [t for t, _ in g.captures]
        self.inputs = self.args + [c for _, c in g.captures]
        self.nodes = prune(g.nodes, self.outputs, fed=self.inputs, keep_stateful=True)
        self.stateful = any(n.prim.stateful for n in self.nodes)
        self._plan = None

    def run(self, arrays, xp):
        if self._plan is None:
            self._plan = Plan(self.nodes, self.inputs, self.outputs)
        return self._plan(arrays, xp)

    def replay(self, tensors) -> list:
        env = {id(p): t for p, t in zip(self.inputs, tensors)}
        replay(self.nodes, env)
        return [env.get(id(o), o) if o._symbolic else o for o in self.outputs]


def _capture_union(bodies):
    """The outer tensors all bodies capture (deduplicated) and each body's indices into them."""
    caps, pos = [], {}
    for b in bodies:
        for t in b.captured:
            if id(t) not in pos:
                pos[id(t)] = len(caps)
                caps.append(t)
    return caps, [[pos[id(t)] for t in b.captured] for b in bodies]


def _node(name, impl, rematerialize, inputs, abstracts, stateful):
    """Binds a control-flow primitive whose VJP reruns `rematerialize` under a tape."""
    prim = Primitive(impl, name, nout=len(abstracts), stateful=stateful)
    prim.shape_fn = lambda ins, attrs: list(abstracts)
    prim.vjps = _remat_vjp(name, rematerialize)
    prim.replay = False
    return bind(prim, *inputs)


def _remat_vjp(name, rematerialize):
    def vjp_all(g, out, *inputs):
        gs = list(g) if isinstance(g, tuple) else [g]
        if context.graph is not None or any(_is_sym(x) for x in list(inputs) + gs):
            grad = Primitive(lambda xp, *arrays: _grad_arrays(rematerialize, arrays, len(gs)),
                             name + "Grad", nout=len(inputs), nondiff=True)
            shapes = [AbstractArray(x._v.shape, x._v.dtype) for x in inputs]
            grad.shape_fn = lambda ins, attrs: shapes
            res = bind(grad, *gs, *inputs)
            res = res if isinstance(res, tuple) else (res,)
            return [r if x.dtype.is_floating or x.dtype.is_complex else None
                    for r, x in zip(res, inputs)]
        return _remat(rematerialize, list(inputs), gs)

    return vjp_all


def _remat(rematerialize, inputs, gs):
    from nanotf._src.tape import GradientTape

    # fresh handles: an input passed twice (loop var and capture) gets each use's own gradient
    inputs = [_wrap(x._v) for x in inputs]
    with GradientTape(watch_accessed_variables=False) as tape:
        for x in inputs:
            if x.dtype.is_floating or x.dtype.is_complex:
                tape.watch(x)
        outs = rematerialize(*inputs)
    return tape.gradient(outs, inputs, output_gradients=gs)


def _grad_arrays(rematerialize, arrays, ng):
    gs = [_wrap(a) for a in arrays[:ng]]
    grads = _remat(rematerialize, [_wrap(a) for a in arrays[ng:]], gs)
    return tuple(np.zeros_like(a) if g is None else g._v for g, a in zip(grads, arrays[ng:]))


def _merge(shapes):
    s0 = shapes[0]
    if any(len(s) != len(s0) for s in shapes):
        return None
    return tuple(d if all(s[i] == d for s in shapes) else None for i, d in enumerate(s0))


# =============================== cond, case, switch_case ===============================


def _branches(index, fns, select, name):
    """One node choosing the branch `select(index_value)` among traced `fns`."""
    outer = _outer_graph(index)
    bodies = [_Body(outer, fn) for fn in fns]
    first = bodies[0]
    for b in bodies[1:]:
        try:
            nest.assert_same_structure(first.structure, b.structure)
        except (TypeError, ValueError) as e:
            raise ValueError(f"true_fn and false_fn arguments to tf.{name} must have the same "
                             f"number, type, and overall structure of return values.\n\n{e}"
                             ) from None
        for x, y in zip(first.outputs, b.outputs):
            if x.dtype != y.dtype:
                raise TypeError(f"Branches of tf.{name} return different dtypes: "
                                f"{x.dtype.name} and {y.dtype.name}")
    caps, idx = _capture_union(bodies)
    abstracts = []
    for i, o in enumerate(first.outputs):
        shape = _merge([b.outputs[i]._v.shape for b in bodies])
        if shape is None:
            raise ValueError(f"Branches of tf.{name} return tensors of different ranks: "
                             f"{[tuple(b.outputs[i]._v.shape) for b in bodies]}")
        abstracts.append(AbstractArray(shape, o._v.dtype))
    n = len(abstracts)

    def impl(xp, k, *cap_arrays):
        i = select(k)
        out = bodies[i].run(list(cap_arrays[j] for j in idx[i]), xp)
        return out[0] if n == 1 else tuple(out)

    def rematerialize(k, *cap_tensors):
        i = select(k._v)
        out = bodies[i].replay([cap_tensors[j] for j in idx[i]])
        return out[0] if n == 1 else out

    res = _node(name, impl, rematerialize, [index] + caps, abstracts,
                any(b.stateful for b in bodies))
    flat = [res] if n == 1 else list(res) if n else []
    return _pack(first.structure, flat)


def _pack(structure, flat):
    it = iter(flat)
    leaves = [None if x is None else next(it) for x in nest.flatten(structure)]
    return nest.pack_sequence_as(structure, leaves)


def cond(pred, true_fn=None, false_fn=None, name=None):
    """Returns `true_fn()` if `pred` is true, else `false_fn()`.

    Eagerly only one branch runs; in a graph both are traced and one runs per call.

    Example:
      >>> tf.cond(tf.constant(2) > 1, lambda: tf.constant(10), lambda: tf.constant(20))
      <tf.Tensor: shape=(), dtype=int32, numpy=10>
    """
    if true_fn is None or false_fn is None:
        raise TypeError("cond(): 'true_fn' and 'false_fn' arguments are required")
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("'true_fn' and 'false_fn' must be callable.")
    if not _is_sym(pred):
        return true_fn() if bool(pred) else false_fn()
    if pred._v.shape not in ((), (1,)) and None not in pred._v.shape:
        raise ValueError(f"Shape must be rank 0 but is rank {len(pred._v.shape)} for "
                         f"'cond/Switch' with input shapes: {list(pred._v.shape)}, [].")
    return _branches(pred, [true_fn, false_fn], lambda k: 0 if bool(np.asarray(k)) else 1,
                     "cond")


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """Runs `branch_fns[branch_index]()`; an out-of-range index runs `default` (or the last).

    Args:
      branch_index: an int32 scalar tensor.
      branch_fns: a list of callables, or a dict `{int: callable}`, or a list of (int, callable).

    Example:
      >>> tf.switch_case(tf.constant(1), [lambda: 10, lambda: 20])
      <tf.Tensor: shape=(), dtype=int32, numpy=20>
    """
    if isinstance(branch_fns, dict):
        branch_fns = sorted(branch_fns.items())
    fns = [f[1] if isinstance(f, tuple) else f for f in branch_fns]
    if not fns:
        raise ValueError("Must provide at least one item in `branch_fns`")
    fns = fns + [default if default is not None else fns[-1]]
    last = len(fns) - 1

    def select(k):
        k = int(np.asarray(k))
        return k if 0 <= k < last else last

    if not _is_sym(branch_index):
        return fns[select(convert_to_tensor(branch_index)._v)]()
    return _branches(branch_index, fns, select, "switch_case")


def _value(x):
    return nest.map_structure(lambda v: convert_to_tensor(v) if v is not None else v, x)


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """Runs the function paired with the first true predicate, else `default`.

    Example:
      >>> x = tf.constant(3)
      >>> tf.case([(x < 2, lambda: 1), (x < 5, lambda: 2)], default=lambda: 3)
      <tf.Tensor: shape=(), dtype=int32, numpy=2>
    """
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else list(pred_fn_pairs)
    if not pairs and default is None:
        raise ValueError("Must provide at least one item in `pred_fn_pairs` or a `default`.")
    if default is None:
        default = pairs[-1][1]
        pairs = pairs[:-1]
    fn = default
    for pred, f in reversed(pairs):
        fn = (lambda p, t, e: lambda: cond(p, t, e))(pred, f, fn)
    return fn()


# =============================== loops ===============================


def _up_to(structure, value) -> list:
    """`value` flattened only as deep as `structure` nests (shapes stay whole)."""
    if not nest.is_nested(structure):
        return [value]
    items = [structure[k] for k in sorted(structure)] if isinstance(structure, dict) \
        else list(structure)
    vals = [value[k] for k in sorted(structure)] if isinstance(structure, dict) else list(value)
    return [x for s, v in zip(items, vals) for x in _up_to(s, v)]


def _specs(tensors, loop_vars, invariants=None):
    from nanotf._src.tensor_shape import TensorShape

    inv = [None] * len(tensors) if invariants is None else _up_to(loop_vars, invariants)
    out = []
    for t, s in zip(tensors, inv):
        if s is None:
            shape = t._v.shape
        else:
            s = TensorShape(s)
            shape = tuple(s.dims) if s.rank is not None else (None,) * t._v.ndim
        out.append((shape, t.dtype))
    return out


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None,
               return_same_structure=True):
    """Repeats `loop_vars = body(*loop_vars)` while `cond(*loop_vars)` is true.

    Args:
      cond: a callable returning a boolean scalar.
      body: a callable returning new loop variables (same structure, dtypes and shapes).
      loop_vars: a tensor or (nested) list/tuple of tensors.
      shape_invariants: shapes (with None dims) the loop variables may take.
      maximum_iterations: an optional cap on the number of iterations.

    Example:
      >>> tf.while_loop(lambda i: i < 10, lambda i: i + 1, [tf.constant(0)])
      [<tf.Tensor: shape=(), dtype=int32, numpy=10>]
    """
    single = not nest.is_nested(loop_vars)
    flat = [convert_to_tensor(x) for x in nest.flatten(loop_vars)]
    n = len(flat)

    def call_body(*xs):
        out = body(*nest.pack_sequence_as(loop_vars, list(xs)) if not single else xs)
        if not single and len(flat) == 1 and not nest.is_nested(out):
            out = [out]
        return out

    graphy = context.graph is not None or any(_is_sym(x) for x in flat) or _is_sym(
        maximum_iterations)
    if not graphy:
        xs, i = flat, 0
        while (maximum_iterations is None or i < int(maximum_iterations)) and bool(
                cond(*(nest.pack_sequence_as(loop_vars, xs) if not single else xs))):
            xs = [convert_to_tensor(x) for x in nest.flatten(call_body(*xs))]
            i += 1
        return xs[0] if single else nest.pack_sequence_as(loop_vars, xs)
    outer = _outer_graph(flat, maximum_iterations) or Graph()
    specs = _specs(flat, loop_vars, shape_invariants)
    cb = _Body(outer, lambda *xs: cond(*(nest.pack_sequence_as(loop_vars, list(xs))
                                         if not single else xs)), specs)
    bb = _Body(outer, call_body, specs)
    _check_loop(flat, specs, bb)
    caps, (ci, bi) = _capture_union([cb, bb])
    limit = [] if maximum_iterations is None else [convert_to_tensor(maximum_iterations)]
    nl = len(limit)

    def impl(xp, *arrays):
        xs, rest = list(arrays[:n]), arrays[n:]
        cap = rest[nl:]
        cmax = int(rest[0]) if nl else None
        i = 0
        while (cmax is None or i < cmax) and bool(cb.run([*xs, *(cap[j] for j in ci)], xp)[0]):
            xs = list(bb.run([*xs, *(cap[j] for j in bi)], xp))
            i += 1
        return xs[0] if n == 1 else tuple(xs)

    def rematerialize(*tensors):
        xs, rest = list(tensors[:n]), tensors[n:]
        cap = rest[nl:]
        cmax = int(rest[0]._v) if nl else None
        i = 0
        while (cmax is None or i < cmax) and bool(cb.replay([*xs, *(cap[j] for j in ci)])[0]._v):
            xs = bb.replay([*xs, *(cap[j] for j in bi)])
            i += 1
        return xs[0] if n == 1 else xs

    abstracts = [AbstractArray(s, dt._np) for s, dt in specs]
    res = _node("While", impl, rematerialize, flat + limit + caps, abstracts,
                cb.stateful or bb.stateful)
    res = [res] if n == 1 else list(res)
    return res[0] if single else nest.pack_sequence_as(loop_vars, res)


def _check_loop(flat, specs, bb):
    if len(bb.outputs) != len(flat):
        raise ValueError(f"The two structures don't have the same number of elements: the loop "
                         f"has {len(flat)} variables but the body returned {len(bb.outputs)}.")
    for t, (shape, dt), o in zip(flat, specs, bb.outputs):
        if o.dtype != dt:
            raise TypeError(f"Loop variable {getattr(t, 'name', 'x')} enters the loop with type "
                            f"{dt.name}, but has type {o.dtype.name} after one iteration.")
        os_ = o._v.shape
        if len(os_) != len(shape) or any(a is not None and a != b for a, b in zip(shape, os_)):
            from nanotf._src.graph import shape_text

            name = t.name if t._symbolic else "Const:0"
            raise ValueError(
                f"Input tensor `{name}` enters the loop with shape {shape_text(shape)}, but has "
                f"shape {shape_text(os_)} after one iteration. To allow the shape to vary across "
                f"iterations, use the `shape_invariants` argument of tf.while_loop to specify a "
                f"less-specific shape.")


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False,
           infer_shape=True, name=None, fn_output_signature=None):
    """Applies `fn` to each slice of `elems` along axis 0 and stacks the results.

    Example:
      >>> tf.map_fn(lambda x: x * x, tf.constant([1, 2, 3]))
      <tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 4, 9], dtype=int32)>
    """
    from nanotf._src.ops.movement import stack

    flat = [convert_to_tensor(x) for x in nest.flatten(elems)]
    nested = nest.is_nested(elems)
    k = flat[0]._v.shape[0]
    if not k or any(_is_sym(x) for x in flat) or context.graph is not None:
        return _graph_map(fn, elems, flat, nested)
    outs = []
    for i in range(k):
        item = nest.pack_sequence_as(elems, [x[i] for x in flat]) if nested else flat[0][i]
        outs.append(_value(fn(item)))
    rows = [nest.flatten(o) for o in outs]
    return nest.pack_sequence_as(outs[0], [stack([r[j] for r in rows])
                                           for j in range(len(rows[0]))])


def _graph_map(fn, elems, flat, nested):
    """map_fn as a while_loop writing each result into a preallocated stack."""
    from nanotf._src.ops import movement as A

    outer = _outer_graph(flat) or Graph()
    specs = [(x._v.shape[1:], x.dtype) for x in flat]
    probe = _Body(outer, lambda *xs: fn(nest.pack_sequence_as(elems, list(xs)) if nested
                                        else xs[0]), specs)
    caps = probe.captured
    n, m = len(flat), len(probe.outputs)
    abstracts = [AbstractArray((flat[0]._v.shape[0],) + o._v.shape, o._v.dtype)
                 for o in probe.outputs]

    def impl(xp, *arrays):
        xs, cap = arrays[:n], arrays[n:]
        k = xs[0].shape[0]
        rows = [probe.run([*(x[i] for x in xs), *cap], xp) for i in range(k)]
        outs = tuple(xp.stack([r[j] for r in rows]) if k else
                     xp.zeros((0,) + tuple(a.shape[1:]), a.dtype) for j, a in enumerate(abstracts))
        return outs[0] if m == 1 else outs

    def rematerialize(*tensors):
        xs, cap = tensors[:n], list(tensors[n:])
        k = xs[0]._v.shape[0]
        rows = [probe.replay([*(x[i] for x in xs), *cap]) for i in range(k)]
        outs = [A.stack([r[j] for r in rows]) for j in range(m)]
        return outs[0] if m == 1 else outs

    res = _node("MapFn", impl, rematerialize, flat + caps, abstracts, probe.stateful)
    return _pack(probe.structure, [res] if m == 1 else list(res))


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
         infer_shape=True, reverse=False, name=None):
    """Cumulatively applies `acc = fn(acc, x)` over axis 0 of `elems`; returns every `acc`.

    Example:
      >>> tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3, 4]))
      <tf.Tensor: shape=(4,), dtype=int32, numpy=array([ 1,  3,  6, 10], dtype=int32)>
    """
    return _fold(fn, elems, initializer, reverse, keep_all=True)


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None):
    """Folds `acc = fn(acc, x)` over axis 0 of `elems` from the left; returns the final `acc`.

    Example:
      >>> tf.foldl(lambda a, x: a + x, tf.constant([1, 2, 3]))
      <tf.Tensor: shape=(), dtype=int32, numpy=6>
    """
    return _fold(fn, elems, initializer, False, keep_all=False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None):
    """Folds `acc = fn(acc, x)` over axis 0 of `elems` from the right; returns the final `acc`.

    Example: `tf.foldr(lambda a, x: a - x, tf.constant([1, 2, 3]))` is (3 - 2) - 1 = 0.
    """
    return _fold(fn, elems, initializer, True, keep_all=False)


def _fold(fn, elems, initializer, reverse, keep_all):
    """scan/foldl/foldr as a while_loop over the index (gradients by rematerialisation)."""
    from nanotf._src.ops import movement as A

    flat = [convert_to_tensor(x) for x in nest.flatten(elems)]
    nested = nest.is_nested(elems)
    k = flat[0]._v.shape[0]
    start = 0
    if initializer is None:
        if k == 0:
            raise ValueError("elems must be non-empty when no initializer is given")
        first = [x[k - 1] if reverse and k is not None else x[0] for x in flat]
        if reverse and k is None:
            raise ValueError("foldr/scan(reverse=True) needs a known length without initializer")
        init = nest.pack_sequence_as(elems, first) if nested else first[0]
        start = 1
    else:
        init = initializer
    if not any(_is_sym(x) for x in flat) and context.graph is None and not any(
            _is_sym(x) for x in nest.flatten(init)):
        acc = _value(init)
        rows = [acc] if start and keep_all else []
        order = range(k - 1 - start, -1, -1) if reverse else range(start, k)
        for i in order:
            item = nest.pack_sequence_as(elems, [x[i] for x in flat]) if nested else flat[0][i]
            acc = _value(fn(acc, item))
            rows.append(acc)
        if not keep_all:
            return acc
        if reverse:
            rows = rows[::-1]
        flat_rows = [nest.flatten(r) for r in rows]
        cols = [A.stack([r[j] for r in flat_rows]) for j in range(len(flat_rows[0]))]
        return nest.pack_sequence_as(acc, cols)
    return _graph_fold(fn, elems, flat, nested, init, start, reverse, keep_all)


def _graph_fold(fn, elems, flat, nested, init, start, reverse, keep_all):
    from nanotf._src.ops import movement as A

    acc0 = [convert_to_tensor(x) for x in nest.flatten(init)]
    na, n = len(acc0), len(flat)
    outer = _outer_graph(flat, acc0) or Graph()
    specs = [(a._v.shape, a.dtype) for a in acc0] + [(x._v.shape[1:], x.dtype) for x in flat]

    def step(*xs):
        acc = nest.pack_sequence_as(init, list(xs[:na])) if nest.is_nested(init) else xs[0]
        item = nest.pack_sequence_as(elems, list(xs[na:])) if nested else xs[na]
        return fn(acc, item)

    body = _Body(outer, step, specs)
    caps = body.captured
    k = flat[0]._v.shape[0]
    abstracts = [AbstractArray(((k,) if keep_all else ()) + a._v.shape, a._v.dtype) for a in acc0]

    def order(kk):
        return range(kk - 1 - start, -1, -1) if reverse else range(start, kk)

    def impl(xp, *arrays):
        acc, xs, cap = list(arrays[:na]), arrays[na:na + n], arrays[na + n:]
        kk = xs[0].shape[0]
        rows = [acc] if start else []
        for i in order(kk):
            acc = list(body.run([*acc, *(x[i] for x in xs), *cap], xp))
            rows.append(acc)
        if keep_all:
            rows = rows[::-1] if reverse else rows
            outs = tuple(xp.stack([r[j] for r in rows]) for j in range(na))
        else:
            outs = tuple(acc)
        return outs[0] if na == 1 else outs

    def rematerialize(*tensors):
        acc, xs, cap = list(tensors[:na]), tensors[na:na + n], list(tensors[na + n:])
        kk = xs[0]._v.shape[0]
        rows = [acc] if start else []
        for i in order(kk):
            acc = body.replay([*acc, *(x[i] for x in xs), *cap])
            rows.append(acc)
        if keep_all:
            rows = rows[::-1] if reverse else rows
            outs = [A.stack([r[j] for r in rows]) for j in range(na)]
        else:
            outs = acc
        return outs[0] if na == 1 else outs

    res = _node("Scan" if keep_all else "Fold", impl, rematerialize, acc0 + flat + caps,
                abstracts, body.stateful)
    res = [res] if na == 1 else list(res)
    return nest.pack_sequence_as(init, res) if nest.is_nested(init) else res[0]

