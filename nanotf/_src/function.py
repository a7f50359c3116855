"""`tf.function`: trace a Python function once per input signature into a Graph, then replay it.

The cache key holds each tensor argument's shape and dtype and every other argument's Python value
(objects by identity). A miss traces the function on SymbolicTensors: Python side effects happen
then, once; Variables are captured by reference. Static shapes come from the traced call's values,
so even data-dependent sizes are known; those are guarded (a call where one differs runs eagerly).
A hit runs the ConcreteFunction: through a compiled Plan when no GradientTape is recording, else
by binding its nodes again so the tapes see every op.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import weakref

from nanotf._src import autograph, dispatch, nest, philox, variables
from nanotf._src.backend import np
from nanotf._src.dispatch import context
from nanotf._src.graph import Graph, Node, building
from nanotf._src.plan import GuardFailed, Plan, prune, replay
from nanotf._src.tensor import Tensor, _wrap, convert_to_tensor
from nanotf._src.tensor_spec import TensorSpec


class _Settings:
    run_eagerly = False


# Callbacks told of every new trace (a ConcreteFunction): `tf.summary.trace_on` registers here.
trace_observers: list = []


_settings = _Settings()

_SINGLETON = ("tf.function only supports singleton tf.Variables created on the first call. Make "
              "sure the tf.Variable is only created once or created outside tf.function. See "
              "https://www.tensorflow.org/guide/function#creating_tfvariables for more "
              "information.")


def run_functions_eagerly(run_eagerly: bool) -> None:
    """Makes every `tf.function` run its Python function directly (for debugging).

    Example:
      >>> tf.config.run_functions_eagerly(True)
    """
    _settings.run_eagerly = bool(run_eagerly)


def functions_run_eagerly() -> bool:
    """Whether `run_functions_eagerly(True)` is in effect."""
    return _settings.run_eagerly


def executing_eagerly() -> bool:
    """False while a `tf.function` is being traced (or after `disable_eager_execution`).

    Example:
      >>> tf.executing_eagerly()
      True
    """
    from nanotf._src.graph import flags

    g = context.graph
    if g is not None:
        return False
    return flags.eager


# =============================== signature keys ===============================

_SCALARS = (int, float, bool, str, bytes, complex, type(None))


def _sorted(d):
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def _encode(v, leaves: list, keep: list):
    """A hashable key for `v`; tensor-like leaves are appended to `leaves` (depth first)."""
    if isinstance(v, Tensor):
        if v._is_variable:
            keep.append(v)
            return ("V", id(v))
        leaves.append(v)
        return ("T", v._v.shape, v._v.dtype)
    t = type(v)
    if t in _SCALARS:
        return ("P", v)  # by value: 1, 1.0 and True share a trace, as in TF
    if t is np.ndarray or isinstance(v, np.generic):
        v = convert_to_tensor(v)
        leaves.append(v)
        return ("T", v._v.shape, v._v.dtype)
    if t is list or isinstance(v, tuple):
        return (t, tuple(_encode(x, leaves, keep) for x in v))
    if isinstance(v, dict):
        return (t, tuple((k, _encode(v[k], leaves, keep)) for k in _sorted(v)))
    if isinstance(v, TensorSpec):
        leaves.append(v)
        shape = None if v.shape.rank is None else tuple(v.shape.dims)
        return ("T", shape, v.dtype._np)
    keep.append(v)
    return ("O", id(v))


def _substitute(v, make):
    """`v` with each tensor-like leaf replaced by `make(leaf)` (same order as `_encode`)."""
    if isinstance(v, Tensor):
        return v if v._is_variable else make(v)
    t = type(v)
    if t in _SCALARS:
        return v
    if t is np.ndarray or isinstance(v, (np.generic, TensorSpec)):
        return make(v)
    if t is list:
        return [_substitute(x, make) for x in v]
    if isinstance(v, tuple):
        items = [_substitute(x, make) for x in v]
        return t(*items) if hasattr(v, "_fields") else t(items)
    if isinstance(v, dict):
        new = {k: _substitute(v[k], make) for k in _sorted(v)}
        return t((k, new[k]) for k in v)
    return v


def _tensor_keys(key, out: list):
    """Collects the ('T', shape, dtype) entries of a key, depth first."""
    if isinstance(key, tuple):
        if len(key) == 3 and key[0] == "T":
            out.append(key)
        else:
            for k in key:
                _tensor_keys(k, out)
    return out


def _relabel(key, shapes):
    """`key` with its tensor shapes replaced, in order, by `shapes`."""
    if isinstance(key, tuple):
        if len(key) == 3 and key[0] == "T":
            return ("T", next(shapes), key[2])
        return tuple(_relabel(k, shapes) for k in key)
    return key


def _relax(old, new):
    if old is None or new is None or len(old) != len(new):
        return None
    return tuple(a if a == b else None for a, b in zip(old, new))


# =============================== tf.function ===============================


class Function:
    """A Python function traced into graphs, one per input signature (what `tf.function` returns).

    Args:
      python_function: the function to trace.
      input_signature: a list of `tf.TensorSpec` fixing the tensor arguments (one trace only).
      autograph: when False, Python `bool()` of a traced tensor raises instead of running eagerly.
      reduce_retracing: trace with unknown dims once shapes start to vary.
      jit_compile: accepted for compatibility (nanotf always compiles its plan).
    """

    def __init__(self, python_function, name=None, input_signature=None, autograph: bool = True,
                 jit_compile=None, reduce_retracing: bool = False):
        functools.update_wrapper(self, python_function)
        self._fn = python_function
        self._name = name or getattr(python_function, "__name__", "function")
        self._input_signature = None if input_signature is None else list(input_signature)
        self._autograph = autograph
        self._jit_compile = jit_compile
        self._relax = reduce_retracing
        self._cache: dict = {}
        self._relaxed: dict = {}
        self._count = 0
        self._eager = False
        self._bound = weakref.WeakKeyDictionary()
        plain = inspect.isfunction(python_function) or inspect.ismethod(python_function) or \
            isinstance(python_function, functools.partial)
        try:  # a callable object (e.g. a primitive) is called through its own __call__
            self._sig = inspect.signature(python_function, follow_wrapped=plain)
        except (TypeError, ValueError):
            self._sig = None
        params = list(self._sig.parameters.values()) if self._sig is not None else []
        simple = all(p.kind == p.POSITIONAL_OR_KEYWORD for p in params)
        self._npos = len(params) if simple and self._sig is not None else -1

    # --- properties --------------------------------------------------------------------------
    @property
    def python_function(self):
        """The wrapped Python function."""
        return self._fn

    @property
    def input_signature(self):
        """The input signature given at creation, or None."""
        return self._input_signature

    def experimental_get_tracing_count(self) -> int:
        """How many times the Python function has been traced."""
        return self._count

    def __get__(self, instance, owner):
        if instance is None:
            return self
        slot = f"_nanotf_function_{id(self)}"
        try:
            bound = self._bound.get(instance)
        except TypeError:  # unhashable instance: keep the bound function on the instance
            bound = getattr(instance, "__dict__", {}).get(slot)
        if bound is None:
            bound = Function(functools.partial(self._fn, instance), self._name,
                             self._input_signature, self._autograph, self._jit_compile,
                             self._relax)
            functools.update_wrapper(bound, self._fn)
            try:
                self._bound[instance] = bound
            except TypeError:
                with contextlib.suppress(AttributeError, TypeError):
                    instance.__dict__[slot] = bound
        return bound

    def __repr__(self) -> str:
        return f"<nanotf.function Function '{self._name}' at 0x{id(self):x}>"

    # --- calling ---------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if _settings.run_eagerly or self._eager:
            return self._fn(*args, **kwargs)
        if kwargs or len(args) != self._npos:
            args, kwargs = self._canonical(args, kwargs)
        leaves: list = []
        keep: list = []
        if self._input_signature is not None:
            key = self._check_signature(args, kwargs, leaves, keep)
        else:
            key = (_encode(args, leaves, keep), _encode(kwargs, leaves, keep) if kwargs else None)
        cf = self._cache.get(key)
        if cf is _EXACT:
            key = ("exact", tuple(t._v.shape for t in leaves))
            cf = self._cache.get(key)
        if cf is None:
            cf = self._miss(key, args, kwargs, leaves, keep)
            if cf is None:  # AutoGraph fallback: this function now runs eagerly
                return self._fn(*args, **kwargs)
        try:
            return cf._call_flat(leaves)
        except GuardFailed:  # a data-dependent size changed: this call runs eagerly
            return self._fn(*args, **kwargs)

    def _canonical(self, args, kwargs):
        if self._sig is None:
            return args, kwargs
        ba = self._sig.bind(*args, **kwargs)
        ba.apply_defaults()
        return ba.args, ba.kwargs

    def _check_signature(self, args, kwargs, leaves, keep):
        specs = self._input_signature
        values = list(args) + list(kwargs.values())
        if len(values) != len(specs):
            raise TypeError(f"{self._name}() takes {len(specs)} arguments by its input_signature "
                            f"but {len(values)} were given")
        flat_specs = nest.flatten(specs)
        for spec, x in zip(flat_specs, _up_to(specs, values)):
            t = x if isinstance(x, Tensor) else convert_to_tensor(x, dtype=spec.dtype)
            if not spec.is_compatible_with(t):
                raise TypeError(
                    f"Binding inputs to tf.function failed due to `Can not cast "
                    f"{TensorSpec.from_tensor(t)!r} to {TensorSpec.from_spec(spec, None)!r}`. "
                    f"Received args: {args} and kwargs: {kwargs} for signature: "
                    f"({', '.join(repr(s) for s in flat_specs)}).")
            leaves.append(t)
        return "signature"

    def _miss(self, key, args, kwargs, leaves, keep):
        exact = [(t.shape.dims if isinstance(t, TensorSpec) else t._v.shape) for t in leaves]
        dts = [(t.dtype._np if isinstance(t, TensorSpec) else t._v.dtype) for t in leaves]
        if self._input_signature is not None:  # trace on the signature (specs -> placeholders)
            args, kwargs = tuple(self._input_signature), {}
        if key == "signature":
            shapes = [s.shape.dims for s in nest.flatten(self._input_signature)]
        elif self._relax:
            shapes = self._relaxed_shapes(key, exact)
            rkey = _relabel(key, iter(shapes))
            if rkey in self._cache:
                self._cache[key] = self._cache[rkey]
                return self._cache[key]
        else:
            shapes = exact
        specs_given = any(isinstance(t, TensorSpec) for t in leaves)
        try:
            cf = self._trace(args, kwargs, list(zip(shapes, dts)), keep)
            err = None
        except _UnknownDims as e:
            cf, err = None, e
        if err is not None and shapes != exact and not specs_given:
            # static shape logic can fail on unknown dims: retry with the actual shapes
            try:
                cf, err = self._trace(args, kwargs, list(zip(exact, dts)), keep), None
            except _UnknownDims as e:
                err = e
            if cf is not None and key == "signature":  # from now on: one trace per shape
                self._cache[key] = _EXACT
                key = ("exact", tuple(map(tuple, exact)))
        if err is not None:
            if specs_given:
                raise err.__cause__ from None
            # data-dependent dims still defeat it: run this function eagerly (same results)
            autograph.notice(self._name, f"static shapes needed: {err.__cause__}")
            self._eager = True
            return None
        if cf is not None:
            self._cache[key] = cf
            if self._relax and key != "signature":
                self._cache[_relabel(key, iter(shapes))] = cf
        return cf

    def _relaxed_shapes(self, key, exact):
        skel = _relabel(key, iter([len(s) if s is not None else None for s in exact]))
        old = self._relaxed.get(skel)
        shapes = exact if old is None else [_relax(a, b) for a, b in zip(old, exact)]
        self._relaxed[skel] = shapes
        return shapes

    # --- tracing ---------------------------------------------------------------------------------
    def _trace(self, args, kwargs, specs, keep):
        first = self._count == 0
        seeds = philox._state["rng"].getstate()
        cf, created = self._trace_once(args, kwargs, specs, keep, allow_create=first)
        if cf is not None and created:
            # as TF: a first trace that made variables is traced again, which must not make more;
            # its random ops get the op seeds the first trace drew (TF numbers them per graph)
            philox._state["rng"].setstate(seeds)
            cf, _ = self._trace_once(args, kwargs, specs, keep, allow_create=False)
        return cf

    def _trace_once(self, args, kwargs, specs, keep, allow_create):
        self._count += 1
        graph = Graph(building_function=True)
        inputs: list = []
        names = self._arg_names(args)
        it = iter(specs)
        if all(s is not None and None not in s for s, _ in specs):
            graph.concrete = {}  # placeholders get the call's values (see `_maker`)
        with building(graph), _variable_creation(allow_create) as created:
            sym_args = []
            for name, a in zip(names, args):
                sym_args.append(_substitute(a, _maker(graph, it, name, inputs)))
            sym_kwargs = {k: _substitute(v, _maker(graph, it, k, inputs))
                          for k, v in kwargs.items()}
            autograph.state.active += bool(self._autograph)
            try:
                out = self._fn(*sym_args, **sym_kwargs)
            except autograph.AutographFallback as e:
                autograph.notice(self._name, str(e))
                self._eager = True
                return None, False
            except (TypeError, ValueError) as e:
                if any(None in o._v.shape for n in graph.nodes for o in n.outputs):
                    raise _UnknownDims() from e
                raise
            finally:
                autograph.state.active -= bool(self._autograph)
        graph.concrete = None
        specs_in = [TensorSpec(p.shape, p.dtype, p.op.name) for p in inputs]
        cf = ConcreteFunction(graph, inputs, out, self._name, specs_in, keep)
        for observe in list(trace_observers):
            observe(cf)
        return cf, bool(created)

    def _arg_names(self, args):
        params = [p for p in (self._sig.parameters.values() if self._sig is not None else ())
                  if p.kind == p.POSITIONAL_OR_KEYWORD or p.kind == p.POSITIONAL_ONLY]
        return [params[i].name if i < len(params) else f"args_{i - len(params)}"
                for i in range(len(args))]

    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        """The ConcreteFunction for these arguments (tensors or TensorSpecs), traced if new.

        Example:
          >>> f = tf.function(lambda x: x * 2)
          >>> cf = f.get_concrete_function(tf.TensorSpec([None], tf.float32))
        """
        if not args and not kwargs and self._input_signature is not None:
            args = tuple(self._input_signature)
        if kwargs or len(args) != self._npos:
            args, kwargs = self._canonical(args, kwargs)
        leaves: list = []
        keep: list = []
        if self._input_signature is not None and not any(
                isinstance(x, TensorSpec) for x in nest.flatten((args, kwargs))):
            key = self._check_signature(args, kwargs, leaves, keep)
        elif self._input_signature is not None:
            leaves.extend(nest.flatten((args, kwargs)))
            key = "signature"
        else:
            key = (_encode(args, leaves, keep), _encode(kwargs, leaves, keep) if kwargs else None)
        cf = self._cache.get(key) or self._miss(key, args, kwargs, leaves, keep)
        if cf is None:
            raise ValueError(f"tf.function '{self._name}' cannot be traced into a graph: it "
                             f"branches on tensor values in Python.")
        return cf


def _up_to(structure, value) -> list:
    """`value` flattened as deep as `structure` (a nest of TensorSpecs) goes."""
    if not nest.is_nested(structure):
        return [value]
    if isinstance(structure, dict):
        return [x for k in _sorted(structure) for x in _up_to(structure[k], value[k])]
    return [x for s, v in zip(structure, value) for x in _up_to(s, v)]


_EXACT = object()  # cache marker: this signature is traced once per concrete shape


class _UnknownDims(Exception):
    """A trace failed where tensors had unknown dims (the cause is chained)."""


def _maker(graph, it, name, inputs):
    def make(leaf):
        shape, dt = next(it)
        p = graph.placeholder(dt, shape, name=getattr(leaf, "name", None) if isinstance(
            leaf, TensorSpec) and leaf.name else name)
        inputs.append(p)
        if graph.concrete is not None and not isinstance(leaf, TensorSpec):
            value = leaf._v if isinstance(leaf, Tensor) else np.asarray(leaf)
            if value.shape == tuple(shape):
                graph.concrete[id(p)] = value
        return p

    return make


@contextlib.contextmanager
def _variable_creation(allow: bool):
    """Observes Variables created while tracing; raises TF's ValueError when not allowed."""
    created: list = []

    def observer(var):
        if not allow:
            raise ValueError(_SINGLETON)
        created.append(var)

    hooks = getattr(variables, "_creation_observers", None)
    if hooks is None:
        yield created
        return
    hooks.append(observer)
    try:
        yield created
    finally:
        hooks.remove(observer)


# =============================== concrete functions ===============================


class ConcreteFunction:
    """One trace of a `tf.function`: a Graph with its inputs and (structured) outputs."""

    def __init__(self, graph: Graph, inputs, structured_outputs, name: str, specs, keep=()):
        self.graph = graph
        self.name = name
        self._specs = specs
        self._keep = list(keep)  # objects keyed by identity stay alive (their ids stay unique)
        self._captured = [t for t, _ in graph.captures]
        self.inputs = list(inputs) + [c for _, c in graph.captures]
        self.structured_outputs = structured_outputs
        flat = nest.flatten(structured_outputs)
        self.outputs = [x for x in flat if isinstance(x, Tensor)]
        self._leaf_is_tensor = [isinstance(x, Tensor) for x in flat]
        self._flat = flat
        self._single = len(flat) == 1 and self._leaf_is_tensor[0] and not nest.is_nested(
            structured_outputs)
        so = structured_outputs  # a flat dict of tensors (Keras's logs) packs without `nest`
        flat_dict = type(so) is dict and all(isinstance(v, Tensor) for v in so.values())
        order = {k: i for i, k in enumerate(nest._sorted_keys(so))} if flat_dict else None
        self._dict_keys = [(k, order[k]) for k in so] if flat_dict else None
        self._nodes = prune(graph.nodes, self.outputs, fed=self.inputs, keep_stateful=True)
        self._plan = None

    @property
    def variables(self) -> tuple:
        """The variables the graph reads or updates."""
        seen: dict = {}
        for n in self._nodes:
            for t in list(n.inputs) + [v for v in n.attrs.values() if isinstance(v, Tensor)]:
                if t._is_variable:
                    seen.setdefault(id(t), t)
        return tuple(seen.values())

    @property
    def trainable_variables(self) -> tuple:
        """The trainable variables the graph uses."""
        return tuple(v for v in self.variables if v.trainable)

    @property
    def structured_input_signature(self):
        """The TensorSpecs of the tensor inputs."""
        return (tuple(self._specs), {})

    def __call__(self, *args, **kwargs):
        leaves: list = []
        _encode((args, kwargs), leaves, [])
        if len(leaves) != len(self._specs):
            raise TypeError(f"{self.name}() expected {len(self._specs)} tensor arguments, got "
                            f"{len(leaves)}")
        for t, s in zip(leaves, self._specs):
            if not s.is_compatible_with(t):
                raise TypeError(f"ConcreteFunction {self.name} was traced for {s!r} but got "
                                f"{TensorSpec.from_tensor(t)!r}")
        return self._call_flat(leaves)

    def _call_flat(self, tensors):
        if self._captured:
            tensors = list(tensors) + self._captured
        if context.graph is not None or dispatch._tapes and any(
                t._recording for t in dispatch._tapes):
            outs = self._replay(tensors)
        else:
            plan = self._plan
            if plan is None:
                plan = self._plan = Plan(self._nodes, self.inputs, self.outputs,
                                         self.graph.guards, lower=True)
            outs = [_wrap(a) for a in plan([t._v for t in tensors])]
        if self._single or self._dict_keys is not None:
            return outs[0] if self._single else {k: outs[i] for k, i in self._dict_keys}
        it = iter(outs)
        vals = [next(it) if is_t else (None if isinstance(x, Node) else x)
                for x, is_t in zip(self._flat, self._leaf_is_tensor)]
        return nest.pack_sequence_as(self.structured_outputs, vals)

    def _replay(self, tensors):
        env = {id(p): t for p, t in zip(self.inputs, tensors)}
        replay(self._nodes, env)
        outs = []
        for o in self.outputs:
            if o._symbolic:
                outs.append(env[id(o)])
            elif o._is_variable:
                outs.append(o.read_value())
            else:
                outs.append(o)
        return outs

    def __repr__(self) -> str:
        ins = ", ".join(f"{s.name}: {TensorSpec(s.shape, s.dtype)!r}" for s in self._specs)
        return f"<ConcreteFunction ({ins}) -> {self._output_specs()} at 0x{id(self):X}>"

    def _output_specs(self):
        return nest.map_structure(
            lambda x: TensorSpec(x.shape, x.dtype) if isinstance(x, Tensor) else x,
            self.structured_outputs)

    def __str__(self) -> str:
        lines = ["ConcreteFunction Input Parameters:"]
        lines += [f"  {s.name} (POSITIONAL_OR_KEYWORD): {TensorSpec(s.shape, s.dtype)!r}"
                  for s in self._specs]
        lines.append("Output Type:")
        lines.append(f"  {self._output_specs()}")
        lines.append("Captures:")
        lines.append("  None" if not self._captured else
                     "\n".join(f"  {t!r}" for t in self._captured))
        return "\n".join(lines)


def function(func=None, input_signature=None, autograph: bool = True, jit_compile=None,
             reduce_retracing: bool = False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """Compiles a Python function into a callable graph (decorator or call form).

    Each new input signature (tensor shapes and dtypes, Python argument values) traces the function
    once: Python side effects such as `print` run then, `tf.print` runs on every call.

    Example:
      >>> @tf.function
      ... def f(x):
      ...   return x * x
      >>> f(tf.constant(3.0))
      <tf.Tensor: shape=(), dtype=float32, numpy=9.0>
    """
    relax = bool(reduce_retracing or experimental_relax_shapes)
    jit = jit_compile if jit_compile is not None else experimental_compile

    def wrap(fn):
        return Function(fn, None, input_signature, autograph, jit, relax)

    return wrap if func is None else wrap(func)
