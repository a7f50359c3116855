"""Generic op checks driven by the `tests/op_db` table.

For every OpSpec: forward vs the NumPy reference (values, output dtype and shape) over the shape
groups and dtypes; the VJP against float64 central differences along a random direction, through a
random output projection (autograd's `check_vjp`); second order through nested tapes; `None`
gradients for non-differentiable ops. `run_modes` is the hook for running the same op under other
execution modes (tf.function, v1 Session): each mode must agree with eager.
"""

from __future__ import annotations

import inspect
import zlib

import numpy as np
import pytest

import nanotf as tf
from tests.op_db import LOAD_ERRORS, OPS, OpSpec, input_groups

REAL_FLOATS = ("float64", "float32", "float16")


def run_modes(spec: OpSpec) -> dict:
    """{mode name: callable} running `spec.fn` in each execution mode to compare with eager.

    Modes: eager; `tf.function` (traced once per input signature, replayed through a compiled
    plan); and a TF1 `Session` over a graph fed through placeholders. A spec opts out of a graph
    mode with a "function" or "session" skip (and its reason).
    """
    modes = {"eager": spec.fn}
    if "function" not in spec.skips:
        modes["function"] = _as_function(spec.fn)
    if "session" not in spec.skips:
        modes["session"] = _in_session(spec.fn)
    return modes


def _as_function(fn):
    from nanotf._src.function import function

    return function(fn)


def _in_session(fn):
    """Builds `fn` on placeholders of the inputs' shapes in a fresh Graph and runs it."""
    from nanotf._src.graph import Graph
    from nanotf._src.session import Session

    def run(*tensors):
        g = Graph()
        with g.as_default():
            phs = [g.placeholder(t.dtype, t.shape) for t in tensors]
            out = fn(*phs)
        many = isinstance(out, (tuple, list))
        vals = Session(graph=g).run(list(out) if many else [out],
                                    {p: t.numpy() for p, t in zip(phs, tensors)})
        res = [tf.constant(np.asarray(v)) for v in vals]
        return res if many else res[0]

    return run


def _rng(*key) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("/".join(map(str, key)).encode()))


def _outs(res) -> list:
    return list(res) if isinstance(res, (tuple, list)) else [res]


def _ref_outs(res) -> list:
    return list(res) if isinstance(res, (tuple, list)) else [res]


def _grad_dtype(spec: OpSpec):
    """The dtype used for gradient checks (float64 when the spec allows it)."""
    for d in REAL_FLOATS:
        if d in spec.dtypes and d not in spec.skips:
            return d
    return None


def _skip_check(spec: OpSpec, check: str) -> None:
    if check in spec.skips:
        pytest.skip(f"{spec.name}: {spec.skips[check]}")


def _params(pred):
    return [pytest.param(s, id=s.name) for s in OPS if pred(s)]


# --- the table itself ----------------------------------------------------------------------
def test_op_db_loads():
    assert not LOAD_ERRORS, f"op_db modules failed to load: {LOAD_ERRORS}"
    names = [s.name for s in OPS]
    assert len(names) == len(set(names))


def test_every_math_op_has_a_spec():
    from nanotf._src.ops import math as ops_math
    from tests.op_db import math as db_math

    public = {n for n, v in vars(ops_math).items()
              if not n.startswith("_") and callable(v) and not inspect.isclass(v)
              and not inspect.ismodule(v)} - db_math.NOT_OPS
    names = [s.name for s in db_math.SPECS]
    missing = sorted(n for n in public if not any(s == n or s.startswith(n + "_") for s in names))
    assert not missing, f"ops/math.py ops without an OpSpec: {missing}"


# --- forward -------------------------------------------------------------------------------
FORWARD = [pytest.param(s, d, id=f"{s.name}-{d}") for s in OPS for d in s.dtypes]


@pytest.mark.parametrize("spec,dtype", FORWARD)
def test_forward(spec: OpSpec, dtype: str):
    _skip_check(spec, "forward")
    _skip_check(spec, dtype)
    tol = spec.forward_tol(dtype)
    for gid, arrays in input_groups(spec, _rng(spec.name, dtype), dtype):
        expected = _ref_outs(spec.ref(*arrays))
        for mode, fn in run_modes(spec).items():
            where = f"{spec.name} [{mode}] group {gid} dtype {dtype}"
            outs = _outs(fn(*[tf.constant(a) for a in arrays]))
            assert len(outs) == len(expected), where
            for i, (o, e) in enumerate(zip(outs, expected)):
                want = spec.expected_dtype(dtype, i)
                if "dtype" not in spec.skips:
                    assert o.dtype.name == want, f"{where}: output {i} dtype"
                e = np.asarray(e)
                assert tuple(o.shape) == e.shape, f"{where}: output {i} shape"
                got = o.numpy()
                if np.dtype(want).kind in "fc":
                    np.testing.assert_allclose(got, e.astype(want), rtol=tol, atol=tol,
                                               equal_nan=True, err_msg=where)
                else:
                    np.testing.assert_array_equal(got, e.astype(want), err_msg=where)


# --- gradients -----------------------------------------------------------------------------
def _diff_args(spec, arrays):
    if spec.diff_args is not None:
        return list(spec.diff_args)
    return [i for i, a in enumerate(arrays) if np.asarray(a).dtype.kind == "f"]


def _projected(spec, arrays, vs):
    """sum(v * out) over the float outputs, evaluated eagerly (no tape)."""
    outs = [o for o in _outs(spec.fn(*[tf.constant(a) for a in arrays])) if o.dtype.is_floating]
    return sum(float(np.sum(v * o.numpy().astype(np.float64))) for v, o in zip(vs, outs))


def _shifted(arrays, diff, us, t):
    out = list(arrays)
    for i, u in zip(diff, us):
        out[i] = (arrays[i].astype(np.float64) + t * u).astype(arrays[i].dtype)
    return out


def _steps(dtype):
    # (finite-difference step, minimum tolerance) per dtype
    return {"float64": (1e-6, 0.0), "float32": (1e-3, 1e-2), "float16": (1e-2, 5e-2)}[dtype]


@pytest.mark.parametrize("spec", _params(lambda s: s.grad_order >= 1))
def test_vjp(spec: OpSpec):
    _skip_check(spec, "grad")
    dtype = _grad_dtype(spec)
    if dtype is None:
        pytest.skip(f"{spec.name}: no real float dtype")
    eps, min_tol = _steps(dtype)
    tol = max(spec.grad_tol, min_tol)
    rng = _rng(spec.name, "vjp")
    for gid, arrays in input_groups(spec, rng, dtype):
        where = f"{spec.name} group {gid} dtype {dtype}"
        diff = _diff_args(spec, arrays)
        xs = [tf.constant(a) for a in arrays]
        with tf.GradientTape() as tape:
            for i in diff:
                tape.watch(xs[i])
            outs = [o for o in _outs(spec.fn(*xs)) if o.dtype.is_floating]
        vs = [rng.standard_normal(tuple(o.shape)) for o in outs]
        grads = tape.gradient(outs, [xs[i] for i in diff],
                              output_gradients=[tf.constant(v, dtype=o.dtype)
                                                for v, o in zip(vs, outs)])
        us = [rng.standard_normal(np.shape(arrays[i])) for i in diff]
        exact = 0.0
        for i, g, u in zip(diff, grads, us):
            assert g is not None, f"{where}: gradient of input {i} is None"
            assert g.dtype == xs[i].dtype, f"{where}: gradient {i} dtype {g.dtype}"
            assert tuple(g.shape) == np.shape(arrays[i]), f"{where}: gradient {i} shape"
            exact += float(np.sum(g.numpy().astype(np.float64) * u))
        numeric = (_projected(spec, _shifted(arrays, diff, us, eps), vs)
                   - _projected(spec, _shifted(arrays, diff, us, -eps), vs)) / (2 * eps)
        assert abs(exact - numeric) <= tol * (1 + abs(numeric)), \
            f"{where}: VJP {exact} vs finite differences {numeric}"


def _first_order(spec, xs, diff, vs, ws, outer=None):
    """sum(w * VJP(v)), computed with tapes (recorded by `outer` when given)."""
    with tf.GradientTape() as inner:
        for i in diff:
            inner.watch(xs[i])
        outs = [o for o in _outs(spec.fn(*xs)) if o.dtype.is_floating]
    gs = inner.gradient(outs, [xs[i] for i in diff],
                        output_gradients=[tf.constant(v, dtype=o.dtype) for v, o in zip(vs, outs)])
    total = None
    for g, w in zip(gs, ws):
        if g is None:
            continue
        term = tf.reduce_sum(g * tf.constant(w, dtype=g.dtype))
        total = term if total is None else total + term
    return total


@pytest.mark.parametrize("spec", _params(lambda s: s.grad_order >= 2))
def test_second_order(spec: OpSpec):
    _skip_check(spec, "grad")
    _skip_check(spec, "grad2")
    dtype = _grad_dtype(spec)
    if dtype is None:
        pytest.skip(f"{spec.name}: no real float dtype")
    eps, min_tol = _steps(dtype)
    tol = max(spec.grad_tol, min_tol) * 10
    rng = _rng(spec.name, "grad2")
    for gid, arrays in input_groups(spec, rng, dtype):
        where = f"{spec.name} group {gid} dtype {dtype}"
        diff = _diff_args(spec, arrays)
        xs = [tf.constant(a) for a in arrays]
        outs = [o for o in _outs(spec.fn(*xs)) if o.dtype.is_floating]
        vs = [rng.standard_normal(tuple(o.shape)) for o in outs]
        ws = [rng.standard_normal(np.shape(arrays[i])) for i in diff]
        us = [rng.standard_normal(np.shape(arrays[i])) for i in diff]
        with tf.GradientTape() as outer:
            for i in diff:
                outer.watch(xs[i])
            h = _first_order(spec, xs, diff, vs, ws)
        assert h is not None, f"{where}: first-order gradients are None"
        hg = outer.gradient(h, [xs[i] for i in diff], unconnected_gradients="zero")
        exact = sum(float(np.sum(g.numpy().astype(np.float64) * u)) for g, u in zip(hg, us))
        hs = [_first_order(spec, [tf.constant(a) for a in _shifted(arrays, diff, us, t)], diff,
                           vs, ws) for t in (eps, -eps)]
        numeric = (float(hs[0].numpy()) - float(hs[1].numpy())) / (2 * eps)
        assert abs(exact - numeric) <= tol * (1 + abs(numeric)), \
            f"{where}: second-order {exact} vs finite differences {numeric}"


@pytest.mark.parametrize("spec", _params(lambda s: s.nondiff and _grad_dtype(s)))
def test_nondiff_gives_none(spec: OpSpec):
    _skip_check(spec, "nondiff")
    dtype = _grad_dtype(spec)
    for gid, arrays in input_groups(spec, _rng(spec.name, "nondiff"), dtype):
        xs = [tf.constant(a) for a in arrays]
        diff = _diff_args(spec, arrays)
        with tf.GradientTape() as tape:
            for i in diff:
                tape.watch(xs[i])
            outs = _outs(spec.fn(*xs))
        grads = tape.gradient(outs, [xs[i] for i in diff])
        assert all(g is None for g in grads), f"{spec.name} group {gid}: expected None gradients"
