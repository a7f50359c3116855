"""Lowering rules for compiled Plans: common nodes as direct NumPy calls.

A traced `tf.function` graph knows every tensor's dtype and (static) shape, so the checks and
branches an impl makes on each call are already decided. For the hottest simple ops a rule returns
the NumPy call the impl would make for those dtypes and shapes; the Plan writes it into its
generated code instead of calling the impl. A rule returns None whenever it is not sure (unknown
dims, dtypes it does not cover), and the impl runs as before. Rules never change a result: each is
the impl's own NumPy expression for that case (the op tests compare eager with tf.function).

`lower(node, args, const)` gives a `Call` (a NumPy ufunc call: a fresh result, which may write
into a dead input buffer with `out=`), an `Expr` (any other expression), or None.
"""

from __future__ import annotations

from nanotf._src.backend import np


class Call:
    """A ufunc call `fn(*args)` whose result is a new array (so `out=` may reuse a buffer)."""

    __slots__ = ("fn", "args", "extra")

    def __init__(self, fn: str, args, extra: str = ""):
        self.fn, self.args, self.extra = fn, list(args), extra

    def code(self, out: str | None = None) -> str:
        parts = self.args + ([self.extra] if self.extra else []) + (
            [f"out={out}"] if out is not None else [])
        return f"{self.fn}({', '.join(parts)})"


class Expr:
    """Any other expression; `fresh` when its result never aliases an input."""

    __slots__ = ("text", "fresh")

    def __init__(self, text: str, fresh: bool = False):
        self.text, self.fresh = text, fresh


def _static(a) -> bool:
    return None not in a.shape


def _kind(a) -> str:
    return a.dtype.kind


def _same_float(ins, out=None) -> bool:
    """All inputs (and the output, if given) share one real floating dtype."""
    dt = ins[0].dtype
    return dt.kind == "f" and all(a.dtype == dt for a in ins) and (out is None or out.dtype == dt)


# ------------------------------------------------------------------------------ the rules
# rule(node, ins, out, args, const) -> Call | Expr | None; `ins`/`out` are abstract arrays


def _ufunc(name):
    def rule(node, ins, out, args, const):
        if _same_float(ins, out):
            return Call(const(getattr(np, name)), args)
        return None
    return rule


def _compare(name):
    def rule(node, ins, out, args, const):
        if _same_float(ins):
            return Call(const(getattr(np, name)), args)
        return None
    return rule


def _reshape_to_out(node, ins, out, args, const):
    # Reshape, ExpandDims, Squeeze: a view with the (static) output shape
    if _static(out) and _static(ins[0]):
        return Expr(f"{args[0]}.reshape({const(tuple(out.shape))})")
    return None


def _identity(node, ins, out, args, const):
    return Expr(args[0])


def _cast(node, ins, out, args, const):
    src, dst = ins[0].dtype, node.attrs["dtype"]
    if src.kind in "OSUc" or dst.kind in "OSUc":
        return None
    if dst.kind == "b" or src.kind != "f" or dst.kind not in "iu":
        return Expr(f"{args[0]}.astype({const(dst)})", fresh=True)
    return Expr(f"{const(np.trunc)}({args[0]}).astype({const(dst)})", fresh=True)  # toward 0


def _relu(node, ins, out, args, const):
    if _same_float(ins, out):
        return Call(const(np.maximum), [args[0], const(ins[0].dtype.type(0))])
    return None


def _relu_grad(node, ins, out, args, const):
    if _same_float(ins, out):  # the impl's `g * (x > 0)`
        return Expr(f"{args[0]} * ({args[1]} > 0)", fresh=True)
    return None


def _select(node, ins, out, args, const):
    if _kind(ins[0]) == "b" and _same_float(ins[1:], out):
        z = node.inputs[2]
        if (out.dtype in _UINT_OF and _static(out) and len(out.shape) >= 1  # arrays, not scalars
                and tuple(ins[0].shape) == tuple(out.shape)
                and tuple(ins[1].shape) == tuple(out.shape) and not z._symbolic
                and not z._is_variable and z._v.dtype == out.dtype
                and tuple(z._v.shape) in ((), tuple(out.shape))
                and not np.asarray(z._v).view(_UINT_OF[out.dtype]).any()):  # all +0.0
            # where(keep, x, +0.0), as dropout and its gradient write it: x's bits under a mask
            return Expr(f"{const(_keep_or_zero)}({args[0]}, {args[1]})", fresh=True)
        return Expr(f"{const(np.where)}({', '.join(args)})", fresh=True)
    return None


_UINT_OF = {np.dtype(np.float32): np.dtype(np.uint32), np.dtype(np.float64): np.dtype(np.uint64)}


def _keep_or_zero(cond, x):
    """`np.where(cond, x, +0.0)` for a bool `cond` of x's shape: x's bits AND a mask of all ones
    where `cond` holds (all zeros, the bits of +0.0, elsewhere): the same array, in about half
    the time."""
    u = _UINT_OF[x.dtype]
    m = cond.astype(u)
    np.negative(m, out=m)  # 1 -> all ones (unsigned wrap-around), 0 -> 0
    np.bitwise_and(m, x.view(u), out=m)
    return m.view(x.dtype)


def _sum(node, ins, out, args, const):
    if _kind(ins[0]) == "f" and ins[0].shape and out.dtype == ins[0].dtype:
        axis, keep = node.attrs["axis"], bool(node.attrs["keepdims"])
        return Expr(f"{const(np.add.reduce)}({args[0]}, axis={const(axis)}, "
                    f"keepdims={keep})", fresh=True)
    return None


def _argmax(node, ins, out, args, const):
    axis = node.attrs["axis"]
    if _kind(ins[0]) in "fiu" and isinstance(axis, int) and ins[0].shape:
        return Expr(f"{args[0]}.argmax(axis={axis}).astype({const(node.attrs['out_type'])})",
                    fresh=True)
    return None


def _div_no_nan_0d(x, y):
    """`divide_no_nan` of two 0-d arrays (a metric's total / count, per step): `bool(y)` is
    False for 0 and -0 only (NaN is true), as `y != 0`, at a third of `where=`'s cost."""
    out = np.zeros((), x.dtype)
    if y:
        np.divide(x, y, out=out)
    return out


def _div_no_nan(node, ins, out, args, const):
    # `x / y`, 0 where y == 0: the divide skips those elements (no warnings, as the impl)
    if _same_float(ins, out) and _static(out):
        if tuple(out.shape) == () and tuple(ins[0].shape) == () and tuple(ins[1].shape) == ():
            return Expr(f"{const(_div_no_nan_0d)}({args[0]}, {args[1]})", fresh=True)
        zeros = f"{const(np.zeros)}({const(tuple(out.shape))}, {const(out.dtype)})"
        return Expr(f"{const(np.divide)}({args[0]}, {args[1]}, out={zeros}, "
                    f"where={args[1]} != 0)", fresh=True)
    return None


_ONE_HOT_TABLE = 1024  # depths up to which a one-hot is a row lookup in a (depth + 1, depth) table


def _one_hot(node, ins, out, args, const):
    idx, on, off = ins
    axis = node.attrs["axis"]
    if _kind(idx) in "iu" and idx.shape and on.shape == () and off.shape == () and \
            on.dtype == off.dtype == out.dtype and (axis == -1 or axis == len(idx.shape)):
        depth = node.attrs["depth"]
        same = depth <= np.iinfo(idx.dtype).max + 1  # compare in the indices' own dtype
        rng = const(np.arange(depth, dtype=idx.dtype if same else np.int64))
        hit = f"{const(np.equal)}({args[0]}[..., None], {rng})"
        a, b = node.inputs[1], node.inputs[2]
        if not (a._symbolic or b._symbolic or a._is_variable or b._is_variable) and \
                a._v == 1 and b._v == 0 and out.dtype.kind in "fiu":  # the usual 1/0 values
            if depth <= _ONE_HOT_TABLE and idx.dtype.kind == "i" and depth > 0:
                # rows of an identity table (its last row zeros): an index read as unsigned
                # and capped at `depth` picks the zero row for negatives and indices >= depth
                u = np.dtype(f"u{idx.dtype.itemsize}")
                table = const(np.eye(depth + 1, depth, dtype=out.dtype))
                cap = const(u.type(depth))
                return Expr(f"{table}.take({const(np.minimum)}({args[0]}.view({const(u)}), "
                            f"{cap}), axis=0)", fresh=True)
            return Expr(f"{hit}.astype({const(out.dtype)})", fresh=True)
        return Expr(f"{const(np.where)}({const(np.equal)}({args[0]}[..., None], {rng}), "
                    f"{args[1]}, {args[2]})", fresh=True)
    return None


def _where_nonzero(node, ins, out, args, const):
    # 1-D `tf.where(c)`: the coordinates of the nonzero entries as a column
    if len(ins[0].shape) == 1 and _kind(ins[0]) in "biuf" and np.dtype(np.intp) == np.int64:
        return Expr(f"{args[0]}.nonzero()[0].reshape(-1, 1)", fresh=True)
    return None


def _nonzero_positions(t, size: int) -> bool:
    """Whether `t` is (a reshape of) the positions `tf.where` found in a 1-D tensor of at most
    `size` entries: then its values are unique, increasing and within [0, size)."""
    while t._symbolic and t._node.prim.name in ("Reshape", "Squeeze", "Identity"):
        t = t._node.inputs[0]
    if not t._symbolic or t._node.prim.name != "Where" or len(t._v.shape) != 2:
        return False
    c = t._node.inputs[0]._v
    return len(c.shape) == 1 and c.shape[0] is not None and c.shape[0] <= size


def _gather(node, ins, out, args, const):
    params, idx = ins
    axis = node.attrs["axis"]
    if node.attrs["batch_dims"] or not isinstance(axis, int) or _kind(idx) not in "iu" or \
            not params.shape or params.shape[axis] is None:
        return None
    if _nonzero_positions(node.inputs[1], params.shape[axis]):  # in range by construction
        return Expr(f"{args[0]}.take({args[1]}, axis={axis})", fresh=True)
    return Expr(f"{const(_take)}({const(node.prim.impl)}, {args[0]}, {args[1]}, {axis})",
                fresh=True)


def _take(impl, params, idx, axis):
    """`params.take(idx, axis)` after the impl's bounds check (the impl raises TF's error)."""
    n = params.shape[axis]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        return impl(np, params, idx, axis=axis, batch_dims=0)
    return params.take(idx, axis=axis)


def _gather_grad(node, ins, out, args, const):
    # the impl's `add.at` into zeros; indices from `tf.where` never repeat, so each slot gets
    # exactly `0 + g` (which turns -0.0 into 0.0, as the sum does)
    g, idx = ins
    shape = node.attrs["shape"]
    if node.attrs["batch_dims"] or node.attrs["axis"] != 0 or len(idx.shape) != 1 or \
            _kind(g) != "f" or None in shape or not _nonzero_positions(node.inputs[1], shape[0]):
        return None
    return Expr(f"{const(_scatter_unique)}({args[0]}, {args[1]}, {const(tuple(shape))})",
                fresh=True)


def _scatter_unique(g, idx, shape):
    z = np.zeros(shape, g.dtype)
    z[idx] = g + g.dtype.type(0)
    return z


def _assign(op):
    helper = {"assign": _assign_value, "assign_add": _assign_add, "assign_sub": _assign_sub}[op]

    def rule(node, ins, out, args, const):
        from nanotf._src.variables import Variable

        var = node.attrs["var"]
        v = var._v
        if type(var) is not Variable or not var.shape.is_fully_defined() or \
                ins[0].dtype != v.dtype or tuple(ins[0].shape) != tuple(v.shape):
            return None  # (a variable of unknown shape may change shape: the impl checks)
        return Expr(f"{const(helper)}({const(var)}, {args[0]})")
    return rule


# The updates of `Variable.assign*` for a value already checked at trace time (same dtype and
# shape): in place, unless a live tape log holds the variable (then its array is replaced).
def _assign_add(var, value):
    if var._writable():
        np.add(var._v, value, out=var._v, casting="unsafe")
    else:
        var._v = var._v + value
    return var._v


def _assign_sub(var, value):
    if var._writable():
        np.subtract(var._v, value, out=var._v, casting="unsafe")
    else:
        var._v = var._v - value
    return var._v


def _assign_value(var, value):
    v = var._v
    if v.flags.writeable and var._writable():
        np.copyto(v, value)
    else:
        var._v = np.array(value, copy=True)
    return var._v


def _matmul(node, ins, out, args, const):
    # the impl's route, decided once for the static shapes: TF's float32 order for tiny products,
    # or the backend's BLAS product (threads by size) on transposed views
    from nanotf._src import backend
    from nanotf._src.ops import tfexact

    a, b = ins
    ta, tb = node.attrs["ta"], node.attrs["tb"]
    if not (_static(a) and _static(b) and len(a.shape) == 2 and len(b.shape) == 2
            and a.dtype == b.dtype == out.dtype and a.dtype.kind == "f"):
        return None
    path = tfexact.route(a, b, ta, tb)
    if path == 1:
        return Expr(f"{const(tfexact.fma_matmul)}({args[0]}, {args[1]}, {ta}, {tb})", fresh=True)
    if path == 2:
        return Expr(f"{const(tfexact.plain_matvec)}({args[0]}, {args[1]})", fresh=True)
    return Expr(f"{const(backend.matmul)}({args[0]}{'.T' if ta else ''}, "
                f"{args[1]}{'.T' if tb else ''})", fresh=True)


_RULES = {
    "AddV2": _ufunc("add"), "Sub": _ufunc("subtract"), "Mul": _ufunc("multiply"),
    "RealDiv": _ufunc("divide"), "Maximum": _ufunc("maximum"), "Minimum": _ufunc("minimum"),
    "Neg": _ufunc("negative"),
    "Equal": _compare("equal"), "NotEqual": _compare("not_equal"), "Less": _compare("less"),
    "LessEqual": _compare("less_equal"), "Greater": _compare("greater"),
    "GreaterEqual": _compare("greater_equal"),
    "Reshape": _reshape_to_out, "ExpandDims": _reshape_to_out, "Squeeze": _reshape_to_out,
    "Identity": _identity, "StopGradient": _identity, "Cast": _cast,
    "Relu": _relu, "ReluGrad": _relu_grad, "SelectV2": _select, "Sum": _sum, "ArgMax": _argmax,
    "DivNoNan": _div_no_nan, "OneHot": _one_hot, "Where": _where_nonzero, "GatherV2": _gather,
    "GatherGrad": _gather_grad, "BatchMatMulV2": _matmul,
    "AssignVariableOp": _assign("assign"), "AssignAddVariableOp": _assign("assign_add"),
    "AssignSubVariableOp": _assign("assign_sub"),
}

def needs_errstate(node) -> bool:
    """Whether the lowered `node` may hit a division NumPy warns about where the impl silences it
    (a plan with one runs under `np.errstate(all="ignore")`; TF never warns). A division by a
    constant finite nonzero scalar cannot (the impl skips its errstate there too)."""
    if node.prim.name != "RealDiv":
        return False
    y = node.inputs[1]
    if y._symbolic or y._is_variable or y._v.ndim != 0:
        return True
    v = float(y._v)
    return not (v != 0.0 and v - v == 0.0)


def fuse(nodes, readers: dict, outputs, const) -> dict:
    """Pairs of nodes computed better as one: {id(node): Expr} replacing each node's own code.

    - Relu(_FusedConv2D(x, w, b)): the relu runs on each chunk of the product while it is in
      cache (same result);
    - ReluGrad(MaxPoolGradWithOutput(y, out, g), y) with y a pool's input (a Relu's output in
      conv -> relu -> pool) masks the pooled gradient instead of the 4x larger pooled-back one;
      the pair's result changes only in the sign of some zeros.
    Not a rewrite of the graph: gradient tapes and replay still see both nodes.
    """
    from nanotf._src.ops.conv import fused_conv2d_relu
    from nanotf._src.ops.pooling import max_pool_relu_grad

    out_ids = {id(o) for o in outputs}
    planned = {id(n) for n in nodes}
    fused: dict = {}

    def producer(t, name):  # the planned node of `name` making `t`, read only by one node
        m = t._node if t._symbolic else None
        if m is None or id(m) not in planned or m.prim.name != name or id(t) in out_ids or \
                len(readers.get(id(t), ())) != 1:
            return None
        return m

    for node in nodes:
        if node.prim.name == "Relu":
            c = producer(node.inputs[0], "_FusedConv2D")
            if c is not None and _same_float([t._v for t in c.inputs] + [node.outputs[0]._v]):
                a = c.attrs
                fused[id(c)] = Expr(f"{const(fused_conv2d_relu)}(xp, {{0}}, {{1}}, {{2}}, "
                                    f"{const(a['strides'])}, {const(a['padding'])}, "
                                    f"{const(a['dilations'])})", fresh=True)
                fused[id(node)] = Expr("{0}")
            continue
        if node.prim.name != "ReluGrad" or len(node.inputs) != 2:
            continue
        d, y = node.inputs
        m = producer(d, "MaxPoolGradWithOutput")
        if m is None or m.inputs[0] is not y or \
                not _same_float([t._v for t in m.inputs] + [node.outputs[0]._v]):
            continue
        a = m.attrs
        fused[id(m)] = Expr(f"{const(max_pool_relu_grad)}(xp, {{0}}, {{1}}, {{2}}, "
                            f"{const(a['ksize'])}, {const(a['strides'])}, "
                            f"{const(a['padding'])})", fresh=True)
        fused[id(node)] = Expr("{0}")
    return fused


def lower(node, args, const):
    """The lowered form of `node` (one output) given its input expressions, or None."""
    rule = _RULES.get(node.prim.name)
    if rule is None or len(node.outputs) != 1 or node.prim.nout != 1:
        return None
    ins = [t._v for t in node.inputs]
    if any(not hasattr(a, "dtype") or not hasattr(a, "shape") for a in ins):
        return None
    try:
        return rule(node, ins, node.outputs[0]._v, args, const)
    except (KeyError, TypeError, AttributeError):  # an attribute shape the rule does not know
        return None
