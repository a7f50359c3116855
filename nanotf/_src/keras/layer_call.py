"""How a `Layer.__call__` is prepared: the `call` signature, the running-call context that
carries `training` to inner layers, NumPy input conversion, float autocasting, default names and
constructor-argument configs."""

from __future__ import annotations

import inspect
import re
import threading
import weakref

from nanotf._src import nest, ops
from nanotf._src.backend import np
from nanotf._src.keras import backend
from nanotf._src.tensor import Tensor, convert_to_tensor
from nanotf._src.tensor_shape import TensorShape

ctx = threading.local()  # depth / training of the running Layer.__call__ stack
# Keras masks ride along with tensors: id(tensor) -> (weakref to it, mask). Tensors have slots,
# so the mask cannot be an attribute as in Keras (`_keras_mask`).
masks: dict = {}


def mask_of(x):
    """The mask attached to `x` (or a list of masks for a list of tensors), None if none."""
    if not masks:
        return None
    if isinstance(x, (list, tuple)):
        found = [mask_of(t) for t in x]
        return None if all(m is None for m in found) else found
    entry = masks.get(id(x))
    return entry[1] if entry is not None and entry[0]() is x else None


def set_mask(outputs, mask) -> None:
    """Attaches `mask` to `outputs` (a list of masks to a list of outputs)."""
    if isinstance(outputs, (list, tuple)):
        ms = mask if isinstance(mask, (list, tuple)) else [mask] + [None] * (len(outputs) - 1)
        for out, m in zip(outputs, ms):
            set_mask(out, m)
        return
    if mask is None or not isinstance(outputs, Tensor):
        return
    key = id(outputs)
    masks[key] = (weakref.ref(outputs, lambda _, k=key: masks.pop(k, None)), mask)


def to_snake_case(name: str) -> str:
    """Keras's default layer names: `'MaxPooling2D'` -> `'max_pooling2d'`."""
    s = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    s = re.sub("([a-z])([A-Z])", r"\1_\2", s).lower()
    return s if s[0] != "_" else "private" + s


class _CallSpec:
    """What a `call` signature accepts (computed once per `call` function)."""

    __slots__ = ("names", "training_index", "expects_training", "default_training",
                 "expects_mask", "accepts_kwargs")

    def __init__(self, fn):
        params = list(inspect.signature(fn).parameters.values())[1:]  # drop self
        self.names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD)]
        self.accepts_kwargs = any(p.kind == p.VAR_KEYWORD for p in params)
        by_name = {p.name: p for p in params}
        t = by_name.get("training")
        self.training_index = self.names.index("training") if "training" in self.names else None
        self.expects_training = t is not None or self.accepts_kwargs
        self.default_training = t.default if t is not None and t.default is not t.empty else None
        self.expects_mask = "mask" in by_name or self.accepts_kwargs


_SPECS: dict = {}


def call_spec(layer) -> _CallSpec:
    fn = type(layer).call
    spec = _SPECS.get(fn)
    if spec is None:
        spec = _SPECS[fn] = _CallSpec(fn)
    return spec


def _to_tensor(x):
    if isinstance(x, (np.ndarray, np.generic, float, int)) and not isinstance(x, bool):
        return convert_to_tensor(x)
    return x


def convert_inputs(inputs):
    if isinstance(inputs, Tensor):
        return inputs
    if isinstance(inputs, (list, tuple, dict)):
        return nest.map_structure(_to_tensor, inputs)
    return _to_tensor(inputs)


def is_symbolic(x) -> bool:
    if isinstance(x, Tensor):
        return x._symbolic and getattr(x, "_keras_history", None) is not None
    if isinstance(x, (list, tuple, dict)):
        return any(is_symbolic(t) for t in nest.flatten(x))
    return False


def shapes_of(inputs):
    if isinstance(inputs, Tensor):
        return TensorShape(inputs._v.shape)
    return nest.map_structure(lambda t: TensorShape(t.shape) if hasattr(t, "shape") else None,
                              inputs)


def resolve_training(layer, args, kwargs):
    """`(args, kwargs, training)`: `training` set as Keras 2 resolves it (explicit > outer call
    > learning phase > the `call` default) where `call` accepts it."""
    spec = call_spec(layer)
    ctx_training = getattr(ctx, "training", None)
    if not spec.expects_training:
        training = kwargs.pop("training", None)
        if "mask" in kwargs and not spec.expects_mask:
            kwargs.pop("mask")
        return args, kwargs, ctx_training if training is None else training
    idx = spec.training_index
    positional = idx is not None and len(args) > idx
    training = args[idx] if positional else kwargs.get("training")
    if training is None:
        if ctx_training is not None:
            training = ctx_training
        elif backend.global_learning_phase_is_set():
            training = bool(backend.learning_phase())
        else:
            training = spec.default_training
        if positional:
            args = args[:idx] + (training,) + args[idx + 1:]
        else:
            kwargs["training"] = training
    if "mask" in kwargs and not spec.expects_mask:
        kwargs.pop("mask")
    return args, kwargs, training



def autocast(inputs, npd):
    if isinstance(inputs, Tensor):
        dt = inputs._v.dtype
        if dt != npd and dt.kind == "f" and npd.kind == "f":
            return ops.cast(inputs, npd)
        return inputs
    if isinstance(inputs, (list, tuple, dict)):
        return nest.map_structure(lambda t: autocast(t, npd), inputs)
    return inputs


def auto_config(layer, init) -> dict:
    """The constructor arguments a layer was created with (for layers without `get_config`)."""
    args, kwargs = layer._init_args
    try:
        bound = inspect.signature(init).bind(layer, *args, **kwargs)
    except TypeError:
        bound = None
    config = {}
    if bound is not None:
        for k, v in list(bound.arguments.items())[1:]:
            param = bound.signature.parameters[k]
            if param.kind not in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
                config[k] = v
    ok = all(isinstance(v, (int, float, str, bool, type(None), list, tuple, dict))
             for v in config.values())
    if bound is None or not ok:
        extra = [p for p in inspect.signature(init).parameters if p not in ("self", "kwargs")]
        raise NotImplementedError(f"Layer {type(layer).__name__} has arguments {extra} in "
                                  f"`__init__` and therefore must override `get_config()`.")
    return config
