"""The op table (`OPS`): one `OpSpec` per op, driving the generic checks in `tests/test_op_db.py`.

Each sibling module (`math.py`, `array.py`, `nn.py`, `linalg.py`) defines `SPECS`, a list of
`OpSpec` objects or plain dicts with the same keys. Missing modules are skipped.

Fields (only `name`, `fn` and `ref` are required):
  name:          unique id, e.g. "add" or "reduce_sum_axis1" (one spec per attribute variant).
  fn:            the nanotf op, called as `fn(*tensors)`; bind attributes with a lambda
                 (`lambda x: tf.reduce_sum(x, axis=1)`). May return a Tensor or a tuple/list.
  ref:           the NumPy reference, `ref(*arrays)` with the same positional inputs (arrays of
                 the tested dtype). Its result is cast to the expected dtype before comparing.
  nargs:         number of tensor inputs (default 1). Inputs are generated for the shape groups
                 `()`, `(3,)`, `(2, 3)` (all inputs one shape) and, when `broadcasts` and
                 nargs >= 2, `(2, 3)&(3,)` and `(2, 1)&(1, 3)` (first input, then the rest).
  shapes:        instead of the default groups: a list of groups, each a tuple with one shape
                 per input (`[((2, 3), (3, 4))]`); with nargs == 1 a bare shape will do
                 (`[(2, 3), (4,)]`).
  sample_inputs: full control: `sample_inputs(rng, dtype_name) -> list of tuples of arrays`;
                 each tuple is one call (e.g. integer indices next to float values).
  domain:        where inputs are drawn from: "real" (default, uniform in [-2, 2]), "positive"
                 ([0.5, 2]), "unit" ([-0.9, 0.9]), "nonzero" (|x| in [0.5, 2], random sign),
                 "nonneg" ([0, 2]), "noninteger" (fractional part in [0.2, 0.4] or [0.6, 0.8],
                 for floor/round), "bool" (a bool input whatever the tested dtype), a (lo, hi)
                 tuple, or a list with one of these per input. Integer dtypes draw integers:
                 "real" [-5, 5], "positive" [1, 5], "nonzero" +-[1, 5], "nonneg" [0, 5],
                 "unit" [-1, 1].
  dtypes:        dtype names tested (default ("float32", "float64")).
  out_dtype:     expected output dtype name; None = the tested dtype; or a dict
                 {tested_dtype_name: output_dtype_name} (missing keys: the tested dtype); or a
                 list of these, one per output of a multi-output op.
  grad_order:    0 (no gradient check), 1 (VJP vs central differences) or 2 (also second
                 order via nested tapes). Gradients are checked on the float dtypes in `dtypes`.
  nondiff:       the op has no gradient: `tape.gradient` must give None for a watched float
                 input.
  diff_args:     indices of the inputs to differentiate (default: all float inputs).
  broadcasts:    whether the broadcast shape groups apply (default True; ignored if nargs == 1).
  tol:           forward tolerance: a float (rtol = atol) or {dtype_name: float}; defaults
                 1e-5 for float32 and 1e-10 for float64 (integers and bools compare exactly).
  grad_tol:      tolerance of the gradient checks (default 1e-4, float64 finite differences).
  skips:         {check: reason} to skip one check, with a reason. Checks: "forward", "dtype",
                 "grad", "grad2", "nondiff", "broadcast", "scalar" (the () group), "function"
                 and "session" (the graph modes of test_op_db.run_modes), or a dtype name.

Example (in a sibling module):
  SPECS = [
      dict(name="add", fn=tf.add, ref=np.add, nargs=2, grad_order=2),
      OpSpec("log", tf.math.log, np.log, domain="positive"),
  ]
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any, Callable

FLOAT_DTYPES = ("float32", "float64")
MODULES = ("math", "array", "nn", "linalg")
_DTYPE_NAMES = {"float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                "uint16", "uint32", "uint64", "bool", "complex64", "complex128", "string"}
CHECKS = ("forward", "dtype", "grad", "grad2", "nondiff", "broadcast", "scalar", "function",
          "session")


@dataclasses.dataclass
class OpSpec:
    """One op's entry in the table (see the module docstring for each field)."""

    name: str
    fn: Callable
    ref: Callable
    nargs: int = 1
    shapes: list | None = None
    sample_inputs: Callable | None = None
    domain: Any = "real"
    dtypes: tuple = FLOAT_DTYPES
    out_dtype: Any = None
    grad_order: int = 1
    nondiff: bool = False
    diff_args: tuple | None = None
    broadcasts: bool = True
    tol: Any = None
    grad_tol: float = 1e-4
    skips: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        self.dtypes = tuple(self.dtypes)
        if self.grad_order not in (0, 1, 2):
            raise ValueError(f"{self.name}: grad_order must be 0, 1 or 2, got {self.grad_order}")
        unknown = [k for k in self.skips if k not in CHECKS and k not in _DTYPE_NAMES]
        if unknown:
            raise ValueError(f"{self.name}: unknown skip keys {unknown}; use {CHECKS} or a dtype")

    def forward_tol(self, dtype: str) -> float:
        """The forward tolerance for `dtype`."""
        t = self.tol
        if isinstance(t, dict):
            t = t.get(dtype)
        if t is None:
            return {"float16": 1e-2, "float32": 1e-5, "float64": 1e-10}.get(dtype, 0.0)
        return float(t)

    def expected_dtype(self, in_dtype: str, index: int = 0) -> str:
        """The dtype name of output `index` when testing dtype `in_dtype`."""
        o = self.out_dtype
        if isinstance(o, (list, tuple)):
            o = o[index]
        if o is None:
            return in_dtype
        if isinstance(o, dict):
            return o.get(in_dtype, in_dtype)
        return o

    def __repr__(self) -> str:
        return f"OpSpec({self.name})"


# --- inputs ----------------------------------------------------------------------------------
_FLOAT_RANGES = {"real": (-2.0, 2.0), "positive": (0.5, 2.0), "unit": (-0.9, 0.9),
                 "nonzero": (0.5, 2.0), "nonneg": (0.0, 2.0), "noninteger": (-3.0, 3.0)}
_INT_RANGES = {"real": (-5, 5), "positive": (1, 5), "unit": (-1, 1), "nonzero": (1, 5),
               "nonneg": (0, 5), "noninteger": (-5, 5)}
DEFAULT_GROUPS = {"()": ((),), "(3,)": ((3,),), "(2,3)": ((2, 3),)}
BROADCAST_GROUPS = {"(2,3)&(3,)": ((2, 3), (3,)), "(2,1)&(1,3)": ((2, 1), (1, 3))}


def make_input(rng, shape, dtype: str, domain="real"):
    """A NumPy array of `shape` and `dtype` drawn from `domain` (see the module docstring)."""
    import numpy as np

    if domain == "bool" or dtype == "bool":
        return rng.random(shape) < 0.5
    npd = np.dtype(dtype)
    if npd.kind in "iu":
        lo, hi = domain if isinstance(domain, tuple) else _INT_RANGES[domain]
        if npd.kind == "u":
            lo = max(lo, 0)
        a = rng.integers(int(np.ceil(lo)), int(np.floor(hi)) + 1, size=shape)
        if domain == "nonzero":
            a = a * rng.choice([-1, 1], size=shape)
        return np.asarray(a, dtype=npd)
    if npd.kind == "c":
        real = npd.type(0).real.dtype.name
        return (make_input(rng, shape, real, domain)
                + 1j * make_input(rng, shape, real, domain)).astype(npd)
    lo, hi = domain if isinstance(domain, tuple) else _FLOAT_RANGES[domain]
    a = rng.uniform(lo, hi, size=shape)
    if domain == "nonzero":
        a = a * rng.choice([-1.0, 1.0], size=shape)
    elif domain == "noninteger":
        frac = rng.uniform(0.2, 0.4, size=shape) + rng.choice([0.0, 0.4], size=shape)
        a = np.floor(a) + frac
    return np.asarray(a, dtype=npd)


def arity(spec: OpSpec) -> int:
    """How many tensor inputs the spec's generated groups have."""
    if spec.shapes:
        return len(_group(spec, spec.shapes[0]))
    return spec.nargs


def _group(spec, g):
    if spec.nargs == 1 and all(isinstance(d, int) for d in g):
        return (tuple(g),)
    return tuple(tuple(s) for s in g)


def input_groups(spec: OpSpec, rng, dtype: str) -> list[tuple[str, tuple]]:
    """(group id, input arrays) pairs for `spec` at `dtype`, honouring its shapes and skips."""
    if spec.sample_inputs is not None:
        return [(f"sample{i}", tuple(args))
                for i, args in enumerate(spec.sample_inputs(rng, dtype))]
    if spec.shapes:
        groups = {str(_group(spec, g)): _group(spec, g) for g in spec.shapes}
    else:
        groups = dict(DEFAULT_GROUPS)
        if spec.nargs >= 2 and spec.broadcasts and "broadcast" not in spec.skips:
            groups.update(BROADCAST_GROUPS)
        if "scalar" in spec.skips:
            del groups["()"]
    n = arity(spec)
    doms = spec.domain if isinstance(spec.domain, list) else [spec.domain] * n
    out = []
    for gid, shapes in groups.items():
        shapes = shapes + (shapes[-1],) * (n - len(shapes))
        out.append((gid, tuple(make_input(rng, s, dtype, d) for s, d in zip(shapes, doms))))
    return out


def as_spec(entry) -> OpSpec:
    """An OpSpec from an OpSpec or a dict with OpSpec's keys."""
    if isinstance(entry, OpSpec):
        return entry
    if isinstance(entry, dict):
        unknown = set(entry) - {f.name for f in dataclasses.fields(OpSpec)}
        if unknown:
            raise TypeError(f"op_db entry {entry.get('name')!r} has unknown keys {sorted(unknown)}")
        return OpSpec(**entry)
    raise TypeError(f"op_db entry must be an OpSpec or dict, got {type(entry).__name__}")


def load(modules=MODULES) -> tuple[list[OpSpec], dict[str, str]]:
    """All specs from the sibling modules that exist, and {module: error} for those that failed."""
    specs: list[OpSpec] = []
    problems: dict[str, str] = {}
    seen: set = set()
    for mod in modules:
        try:
            m = importlib.import_module(f"{__name__}.{mod}")
        except ModuleNotFoundError as e:
            if e.name == f"{__name__}.{mod}":
                continue  # not written yet
            problems[mod] = f"{type(e).__name__}: {e}"
            continue
        except Exception as e:  # a broken module must not hide the others
            problems[mod] = f"{type(e).__name__}: {e}"
            continue
        for entry in getattr(m, "SPECS", ()):
            try:
                s = as_spec(entry)
            except (TypeError, ValueError) as e:
                problems[f"{mod}:{getattr(entry, 'get', lambda k: '?')('name')}"] = str(e)
                continue
            if s.name in seen:
                s = dataclasses.replace(s, name=f"{mod}.{s.name}")
            seen.add(s.name)
            specs.append(s)
    return specs, problems


OPS, LOAD_ERRORS = load()
