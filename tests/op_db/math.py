"""OpSpecs for `nanotf/_src/ops/math.py`: elementwise math, comparisons, reductions, casts."""

from __future__ import annotations

import math as _pymath

import numpy as np

import nanotf as tf
import nanotf._src.ops as _ops
from nanotf._src.ops import math as m
from tests.op_db import OpSpec

F = ("float32", "float64")
FI = ("float32", "float64", "int32")
FC = ("float32", "float64", "complex64", "complex128")
B = ("bool",)
NOT_RANK0 = {"scalar": "needs rank >= 1"}


def _u(name, fn, ref, domain="real", dtypes=F, grad_order=2, **kw):
    return OpSpec(name, fn, ref, domain=domain, dtypes=dtypes, grad_order=grad_order, **kw)


def _b(name, fn, ref, domain="real", dtypes=F, grad_order=2, **kw):
    return OpSpec(name, fn, ref, nargs=2, domain=domain, dtypes=dtypes, grad_order=grad_order,
                  **kw)


def _cmp(name, fn, ref):
    return _b(name, fn, ref, dtypes=FI, grad_order=0, nondiff=True, out_dtype="bool")


def _nondiff(name, fn, ref, **kw):
    kw.setdefault("dtypes", F)
    return OpSpec(name, fn, ref, grad_order=0, nondiff=True, **kw)


def _special(rng, dtype):
    """Inputs with NaN and infinities, for is_nan / is_inf / is_finite."""
    a = np.array([np.nan, np.inf, -np.inf, 0.0, -1.5, 2.0], dtype=dtype)
    return [(a,), (a.reshape(2, 3),), (np.array(np.nan, dtype),)]


def _np_mean(x, axis=None, keepdims=False):
    if x.dtype.kind in "iu":  # TF's integer mean truncates toward zero
        s = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        n = x.size // max(np.size(s), 1)
        return np.trunc(s / n).astype(x.dtype)
    return np.mean(x, axis=axis, keepdims=keepdims)


def _np_lse(x, axis=None, keepdims=False):
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


def _np_cum(f, x, axis=0, exclusive=False, reverse=False):
    if reverse:
        x = np.flip(x, axis)
    r = f(x, axis=axis)
    if exclusive:
        first = np.zeros_like if f is np.cumsum else np.ones_like
        r = np.concatenate([first(np.take(r, [0], axis=axis)),
                            np.take(r, range(r.shape[axis] - 1), axis=axis)], axis=axis)
    return np.flip(r, axis) if reverse else r


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


_np_erf = np.vectorize(_pymath.erf, otypes=[np.float64])


def _np_xlogy(x, y):
    return np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1.0, y)))


def _np_div_no_nan(x, y):
    return np.where(y == 0, 0.0, x / np.where(y == 0, 1.0, y))


def _np_trunc_cast(dtype):
    return lambda x: np.trunc(x).astype(dtype) if x.dtype.kind == "f" else x.astype(dtype)


_REDUCTIONS = [
    # name, op, ref, dtypes, grad_order
    ("reduce_sum", tf.reduce_sum, np.sum, FI, 2),
    ("reduce_mean", tf.reduce_mean, _np_mean, FI, 2),
    ("reduce_prod", tf.reduce_prod, np.prod, FI, 2),
    ("reduce_max", tf.reduce_max, np.max, FI, 1),
    ("reduce_min", tf.reduce_min, np.min, FI, 1),
    ("reduce_logsumexp", tf.reduce_logsumexp, _np_lse, F, 2),
    ("reduce_variance", tf.math.reduce_variance, np.var, F, 2),
    ("reduce_euclidean_norm", tf.math.reduce_euclidean_norm,
     lambda x, axis=None, keepdims=False: np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdims)),
     F, 2),
]


def _reduction_specs():
    out = []
    for name, op, ref, dts, order in _REDUCTIONS:
        out.append(_u(name, op, ref, dtypes=dts, grad_order=order))
        out.append(_u(f"{name}_axis-1_keepdims", lambda x, op=op: op(x, axis=-1, keepdims=True),
                      lambda x, ref=ref: ref(x, axis=-1, keepdims=True), dtypes=dts,
                      grad_order=order, skips=NOT_RANK0))
        out.append(_u(f"{name}_axis0", lambda x, op=op: op(x, axis=0),
                      lambda x, ref=ref: ref(x, axis=0), dtypes=dts, grad_order=order,
                      shapes=[(3,), (2, 3)]))
    out.append(_u("reduce_sum_axes01", lambda x: tf.reduce_sum(x, axis=[0, 1]),
                  lambda x: np.sum(x, axis=(0, 1)), shapes=[(2, 3)]))
    out.append(_u("reduce_std", tf.math.reduce_std, np.std, shapes=[(3,), (2, 3)]))
    out.append(_u("reduce_std_axis1", lambda x: tf.math.reduce_std(x, axis=1),
                  lambda x: np.std(x, axis=1), shapes=[(2, 3)]))
    for name, op, ref in (("reduce_any", tf.reduce_any, np.any),
                          ("reduce_all", tf.reduce_all, np.all)):
        out.append(_nondiff(name, op, ref, dtypes=B, domain="bool"))
        out.append(_nondiff(f"{name}_axis-1", lambda x, op=op: op(x, axis=-1),
                            lambda x, ref=ref: ref(x, axis=-1), dtypes=B, domain="bool",
                            skips=NOT_RANK0))
    return out


def _scan_specs():
    out = []
    for ex in (False, True):
        for rev in (False, True):
            tag = "_exclusive" * ex + "_reverse" * rev
            out.append(_u(f"cumsum{tag}", lambda x, ex=ex, rev=rev: tf.cumsum(
                x, exclusive=ex, reverse=rev), lambda x, ex=ex, rev=rev: _np_cum(
                np.cumsum, x, 0, ex, rev), dtypes=FI, shapes=[(3,), (2, 3)]))
            out.append(_u(f"cumprod{tag}", lambda x, ex=ex, rev=rev: tf.math.cumprod(
                x, exclusive=ex, reverse=rev), lambda x, ex=ex, rev=rev: _np_cum(
                np.cumprod, x, 0, ex, rev), domain="nonzero", dtypes=FI, shapes=[(3,), (2, 3)]))
    out.append(_u("cumsum_axis1", lambda x: tf.cumsum(x, axis=1),
                  lambda x: np.cumsum(x, axis=1), dtypes=FI, shapes=[(2, 3)]))
    out.append(_u("cumprod_axis-1", lambda x: tf.math.cumprod(x, axis=-1),
                  lambda x: np.cumprod(x, axis=-1), domain="nonzero", shapes=[(2, 3)]))
    return out


SPECS = [
    # --- binary arithmetic ---
    _b("add", tf.add, np.add, dtypes=FI),
    _b("subtract", tf.subtract, np.subtract, dtypes=FI),
    _b("multiply", tf.multiply, np.multiply, dtypes=FI),
    _b("realdiv", tf.realdiv, np.divide, domain=["real", "nonzero"]),
    _b("divide", tf.divide, np.divide, domain=["real", "nonzero"], dtypes=FI,
       out_dtype={"int32": "float64"}),
    _b("truediv", tf.math.truediv, np.true_divide, domain=["real", "nonzero"], dtypes=FI,
       out_dtype={"int32": "float64"}),
    _b("divide_no_nan", tf.math.divide_no_nan, _np_div_no_nan, domain=["real", "nonzero"]),
    _b("floordiv", tf.math.floordiv, np.floor_divide, domain=["real", "nonzero"], dtypes=FI,
       grad_order=0, nondiff=True),
    _b("floor_div", _ops.floor_div, np.floor_divide, domain=["real", "nonzero"], dtypes=FI,
       grad_order=0, nondiff=True),  # TF1's name (tf.compat.v1.floor_div)
    _b("floormod", tf.math.floormod, np.mod, domain=["real", "nonzero"], dtypes=FI,
       grad_order=1),
    _b("pow", tf.pow, np.power, domain=["positive", "nonneg"], dtypes=FI),
    _b("maximum", tf.maximum, np.maximum, dtypes=FI),
    _b("minimum", tf.minimum, np.minimum, dtypes=FI),
    _b("squared_difference", tf.math.squared_difference, lambda x, y: (x - y) ** 2, dtypes=FI),
    _b("atan2", tf.math.atan2, np.arctan2, domain="nonzero"),
    _b("xlogy", tf.math.xlogy, _np_xlogy, domain=["real", "positive"]),
    _b("add_n", lambda x, y: tf.add_n([x, y, x]), lambda x, y: x + y + x, dtypes=FI,
       broadcasts=False),
    _u("scalar_mul", lambda x: tf.math.scalar_mul(2.5, x), lambda x: 2.5 * x),
    _u("polyval", lambda x: tf.math.polyval([1.0, -2.0, 0.5], x),
       lambda x: np.polyval([1.0, -2.0, 0.5], x)),
    # --- comparisons and logic ---
    _cmp("equal", tf.equal, np.equal),
    _cmp("not_equal", tf.not_equal, np.not_equal),
    _cmp("less", tf.less, np.less),
    _cmp("less_equal", tf.less_equal, np.less_equal),
    _cmp("greater", tf.greater, np.greater),
    _cmp("greater_equal", tf.greater_equal, np.greater_equal),
    _b("logical_and", tf.logical_and, np.logical_and, domain="bool", dtypes=B, grad_order=0),
    _b("logical_or", tf.logical_or, np.logical_or, domain="bool", dtypes=B, grad_order=0),
    _b("logical_xor", tf.math.logical_xor, np.logical_xor, domain="bool", dtypes=B, grad_order=0),
    _u("logical_not", tf.logical_not, np.logical_not, domain="bool", dtypes=B, grad_order=0),
    # --- unary math ---
    _u("negative", tf.negative, np.negative, dtypes=FI),
    _u("abs", tf.abs, np.abs, domain="nonzero", dtypes=FI),
    _u("sign", tf.sign, np.sign, domain="nonzero", dtypes=FI),
    _u("square", tf.square, np.square, dtypes=FI),
    _u("sqrt", tf.sqrt, np.sqrt, domain="positive"),
    _u("rsqrt", tf.math.rsqrt, lambda x: 1 / np.sqrt(x), domain="positive"),
    _u("exp", tf.exp, np.exp),
    _u("expm1", tf.math.expm1, np.expm1),
    _u("log", tf.math.log, np.log, domain="positive"),
    _u("log1p", tf.math.log1p, np.log1p, domain="positive"),
    _u("sin", tf.sin, np.sin),
    _u("cos", tf.cos, np.cos),
    _u("tan", tf.math.tan, np.tan, domain="unit"),
    _u("asin", tf.math.asin, np.arcsin, domain="unit"),
    _u("acos", tf.math.acos, np.arccos, domain="unit"),
    _u("atan", tf.math.atan, np.arctan),
    _u("sinh", tf.math.sinh, np.sinh),
    _u("cosh", tf.math.cosh, np.cosh),
    _u("tanh", tf.tanh, np.tanh),
    _u("sigmoid", tf.sigmoid, _np_sigmoid),
    _u("softplus", tf.math.softplus, lambda x: np.log1p(np.exp(x))),
    _u("log_sigmoid", tf.math.log_sigmoid, lambda x: np.log(_np_sigmoid(x))),
    _u("reciprocal", tf.math.reciprocal, np.reciprocal, domain="nonzero"),
    _u("erf", tf.math.erf, _np_erf),
    _nondiff("floor", tf.floor, np.floor, domain="noninteger"),
    _nondiff("ceil", tf.math.ceil, np.ceil, domain="noninteger"),
    _nondiff("round", tf.round, np.rint, domain="noninteger", dtypes=FI),
    _nondiff("is_nan", tf.math.is_nan, np.isnan, sample_inputs=_special, out_dtype="bool"),
    _nondiff("is_inf", tf.math.is_inf, np.isinf, sample_inputs=_special, out_dtype="bool"),
    _nondiff("is_finite", tf.math.is_finite, np.isfinite, sample_inputs=_special,
             out_dtype="bool"),
    _u("conj", tf.math.conj, np.conj, dtypes=FC),
    _u("real", tf.math.real, np.real, dtypes=FC, grad_order=1,
       out_dtype={"complex64": "float32", "complex128": "float64"}),
    _nondiff("imag", tf.math.imag, np.imag, dtypes=FC,
             out_dtype={"complex64": "float32", "complex128": "float64"}),
    _b("complex", m.complex, lambda x, y: x + 1j * y, grad_order=0,
       out_dtype={"float32": "complex64", "float64": "complex128"}),
    _b("complex_parts", lambda x, y: m.real(m.complex(x, y)) * m.imag(m.complex(y, x)),
       lambda x, y: np.broadcast_to(x * x, np.broadcast(x, y).shape)),
    # --- cast and select ---
    _u("cast_float64", lambda x: tf.cast(x, tf.float64), lambda x: x.astype(np.float64),
       dtypes=FI, out_dtype="float64", grad_order=1),
    _u("cast_float32", lambda x: tf.cast(x, tf.float32), lambda x: x.astype(np.float32),
       dtypes=FI, out_dtype="float32", grad_order=0),  # float32 rounding swamps differences
    _u("cast_f32_to_f64", lambda x: tf.cast(x, tf.float64), lambda x: x.astype(np.float64),
       dtypes=("float32",), out_dtype="float64"),
    _nondiff("cast_int32", lambda x: tf.cast(x, tf.int32), _np_trunc_cast(np.int32),
             dtypes=FI, out_dtype="int32"),
    _nondiff("cast_bool", lambda x: tf.cast(x, tf.bool), lambda x: x.astype(bool),
             domain="nonzero", dtypes=FI, out_dtype="bool"),
    _nondiff("saturate_cast_int8", lambda x: tf.saturate_cast(x, tf.int8),
             lambda x: _np_trunc_cast(np.int8)(np.clip(x, -128, 127)), domain=(-300, 300),
             dtypes=FI, out_dtype="int8"),
    OpSpec("where", tf.where, np.where, nargs=3, domain=["bool", "real", "real"], dtypes=FI,
           grad_order=2, diff_args=(1, 2)),
    _u("clip_by_value", lambda x: tf.clip_by_value(x, -0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7)),
    _u("clip_by_value_int", lambda x: tf.clip_by_value(x, -1, 2), lambda x: np.clip(x, -1, 2),
       dtypes=("int32",), grad_order=0),
    _nondiff("zeros_like", tf.zeros_like, np.zeros_like, dtypes=FI),
    _nondiff("ones_like", tf.ones_like, np.ones_like, dtypes=FI),
    # --- index reductions ---
    _nondiff("argmax", tf.argmax, lambda x: np.argmax(x, axis=0), dtypes=FI, out_dtype="int64",
             shapes=[(3,), (2, 3)]),
    _nondiff("argmin", tf.argmin, lambda x: np.argmin(x, axis=0), dtypes=FI, out_dtype="int64",
             shapes=[(3,), (2, 3)]),
    _nondiff("argmax_axis1_int32", lambda x: tf.argmax(x, axis=1, output_type=tf.int32),
             lambda x: np.argmax(x, axis=1), dtypes=FI, out_dtype="int32", shapes=[(2, 3)]),
    _nondiff("argmin_axis-1", lambda x: tf.argmin(x, axis=-1), lambda x: np.argmin(x, axis=-1),
             dtypes=FI, out_dtype="int64", shapes=[(2, 3)]),
    _nondiff("count_nonzero", tf.math.count_nonzero, np.count_nonzero, domain="nonneg",
             dtypes=FI, out_dtype="int64"),
    _nondiff("count_nonzero_axis-1", lambda x: tf.math.count_nonzero(x, axis=-1),
             lambda x: np.count_nonzero(x, axis=-1), domain="nonneg", dtypes=FI,
             out_dtype="int64", skips=NOT_RANK0),
    *_reduction_specs(),
    *_scan_specs(),
]

# Public names of ops/math.py that need no spec of their own (checked by
# tests/test_op_db.py::test_every_math_op_has_a_spec): helpers imported there, not ops.
NOT_OPS = {"bind", "binary_operands", "primitive", "convert_to_tensor", "Tensor"}
