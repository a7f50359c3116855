"""`model.save`, `tf.keras.models.load_model`, `save_weights` / `load_weights`.

Formats (docs/checkpoint-format.md): `.keras` zip (config.json + model.weights.npz +
metadata.json), a SavedModel directory (`model.save('dir')`), Keras 2 HDF5 `.h5` and Keras 3
`.weights.h5` (with h5py, in `saving_h5.py`) and the TF checkpoint prefix
(`save_weights('ckpt/mnist.ckpt')`). Every file is written atomically.
"""

from __future__ import annotations

import datetime
import inspect
import io
import json
import os
import warnings
import zipfile

from nanotf._src import checkpoint, saved_model
from nanotf._src.backend import np
from nanotf._src.checkpoint import (
    CheckpointLoadStatus,
    CheckpointReader,
    CheckpointState,
    atomic_path,
    register_children,
    register_slots,
    write_prefix,
    write_state,
)
from nanotf._src.keras import functional_config, losses, metrics, optimizers, serialization
from nanotf._src.keras.layer import Layer, to_snake_case
from nanotf._src.version import NANOTF_VERSION, VERSION

KERAS_VERSION = VERSION  # tf.keras 2.x: the Keras version equals TF's
_REVIVER = "nanotf._src.keras.saving:revive_saved_model"


# --- what the checkpoint walk sees of Keras objects -----------------------------------------------
def _optimizer_children(opt) -> dict:
    # Made now (TF makes them on restore too) so a fresh optimizer can receive saved values.
    out = {"iter": opt.iterations}
    opt._create_hypers()
    out.update({k: v for k, v in sorted(opt._hyper.items()) if checkpoint._is_variable(v)})
    return out


def _optimizer_slots(opt) -> list:
    out = []
    for var in opt._slot_owner.values():
        for name in opt.get_slot_names():
            try:
                out.append((var, name, opt.get_slot(var, name)))
            except KeyError:
                pass
    return out


def _short_name(var) -> str:
    return var.name.rsplit("/", 1)[-1].split(":")[0]


def _unique(out: dict, name: str) -> tuple:
    while (name,) in out:
        name += "_"
    return (name,)


def _metric_children(metric) -> dict:
    out: dict = {}
    for v in metric.variables:  # by weight name ('total', 'count'), as TF tracks them
        out[_unique(out, _short_name(v))] = v
    return out


def _layer_children(layer) -> dict:
    """A layer's checkpoint children: Sequential/functional models use TF's `layer-N` names;
    other layers the Module walk, plus `add_weight` variables kept on no attribute (their name)."""
    if _is_graph_network(layer):
        return graph_network_children(layer)
    out = checkpoint.module_children(layer)
    seen = {id(v) for v in out.values()}
    for w in layer.__dict__.get("_own_weights", ()):
        if id(w) not in seen:
            out[_unique(out, _short_name(w))] = w
    return out


register_children(optimizers.OptimizerV2, _optimizer_children)
register_slots(optimizers.OptimizerV2, _optimizer_slots,
               lambda opt, var, name: opt.add_slot(var, name))
register_children(metrics.Metric, _metric_children)
register_children(Layer, _layer_children)


def _is_graph_network(model) -> bool:
    return bool(getattr(model, "_is_graph_network", False))


def graph_network_children(model) -> dict:
    """TF's checkpoint names for Sequential/functional models: `layer_with_weights-N`, `layer-N`."""
    out, n = {}, 0
    for layer in model.layers:
        if layer.weights:
            out[f"layer_with_weights-{n}"] = layer
            n += 1
    out.update({f"layer-{i}": layer for i, layer in enumerate(model.layers)})
    if getattr(model, "optimizer", None) is not None:
        out["optimizer"] = model.optimizer
    return out


# --- Keras v3 weight paths (.keras, .weights.h5) --------------------------------------------------
def weight_groups(model, include_optimizer: bool = False) -> list:
    """`[(path, [variables])]` in Keras's layout: `layers/dense`, `layers/dense_1`, ... (class
    names counted per model), `''` (the model's own variables), `optimizer`."""
    groups, covered, used = [], set(), {}
    for layer in getattr(model, "layers", []):
        # Keras names entries by class, not by layer name: auto names differ between instances.
        name = to_snake_case(type(layer).__name__)
        used[name] = used.get(name, -1) + 1
        ws = list(layer.weights)
        groups.append((f"layers/{name}_{used[name]}" if used[name] else f"layers/{name}", ws))
        covered.update(id(w) for w in ws)
    own = [w for w in model.weights if id(w) not in covered]
    if own:
        groups.append(("", own))
    opt = getattr(model, "optimizer", None)
    if include_optimizer and opt is not None and opt.variables():
        groups.append(("optimizer", optimizer_state(model)))
    return groups


def _var_key(path: str, i: int) -> str:
    return f"{path}/vars/{i}" if path else f"vars/{i}"


def _set_group(path: str, variables: list, values: list, skip_mismatch: bool = False) -> None:
    if len(values) != len(variables):
        if skip_mismatch:
            return
        name = path.rsplit("/", 1)[-1] or "model"
        raise ValueError(f"Layer '{name}' expected {len(variables)} variables, but received "
                         f"{len(values)} variables during loading. Expected: "
                         f"{[v.name for v in variables]}")
    for var, value in zip(variables, values):
        value = np.asarray(value)
        if tuple(var.shape) != value.shape:
            if skip_mismatch:
                continue
            raise ValueError(f"Cannot assign value to variable '{var.name}': Shape mismatch.The "
                             f"variable shape {var.shape}, and the assigned value shape "
                             f"{value.shape} are incompatible.")
        var.assign(value.astype(var.dtype.as_numpy_dtype), read_value=False)


def load_weight_groups(model, arrays, skip_mismatch: bool = False) -> None:
    """Assigns Keras-layout arrays (`arrays[path/vars/i]`) to the model's variables."""
    for path, variables in weight_groups(model):
        values, i = [], 0
        while _var_key(path, i) in arrays:
            values.append(arrays[_var_key(path, i)])
            i += 1
        _set_group(path, variables, values, skip_mismatch)


def optimizer_state(model) -> list:
    """The optimizer's variables in a fixed order: `iterations`, then for each trainable variable
    its slots by name (independent of the order the slots were created in)."""
    opt = model.optimizer
    out = [opt.iterations]
    names = sorted(opt.get_slot_names())
    for var in model.trainable_variables:
        for name in names:
            try:
                out.append(opt.get_slot(var, name))
            except KeyError:
                pass
    return out


def _load_optimizer_arrays(model, values: list) -> None:
    opt = getattr(model, "optimizer", None)
    if opt is None or not values:
        return
    opt._create_all_weights(model.trainable_variables)
    state = optimizer_state(model)
    if len(state) != len(values) or any(tuple(v.shape) != np.shape(a)
                                        for v, a in zip(state, values)):
        warnings.warn("Skipping loading of the optimizer's state: the saved state does not "
                      "match this optimizer's variables. The optimizer starts from scratch.",
                      stacklevel=3)
        return
    for var, value in zip(state, values):
        var.assign(np.asarray(value), read_value=False)


# --- configs --------------------------------------------------------------------------------------
def compile_config(model) -> dict | None:
    """The arguments `compile` was called with, serialized (None when not compiled)."""
    if not getattr(model, "_is_compiled", False):
        return None
    args = dict(model._trainer_state().compile_args)
    opt = getattr(model, "optimizer", None)
    args["optimizer"] = optimizers.serialize(opt) if opt is not None else None
    args["loss"] = _serialize_nested(args.get("loss"), losses.serialize)
    for key in ("metrics", "weighted_metrics"):
        args[key] = _serialize_nested(args.get(key), metrics.serialize)
    return args


def _serialize_nested(value, fn):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_serialize_nested(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _serialize_nested(v, fn) for k, v in value.items()}
    return fn(value)


def _deserialize_nested(value, fn):
    if isinstance(value, list):
        return [_deserialize_nested(v, fn) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _deserialize_nested(v, fn) for k, v in value.items()}
    return fn(value) if isinstance(value, dict) else value


def _optimizer(config, custom_objects):
    try:
        return optimizers.deserialize(config, custom_objects)
    except (ValueError, TypeError):
        name = str(config.get("class_name", "")) if isinstance(config, dict) else ""
        if not name.startswith("Custom>"):
            raise
    # tf_keras >= 2.11 files name its new optimizers 'Custom>Adam' with extra arguments: keep
    # the ones the Keras 2 optimizer takes.
    cls = type(optimizers.get(name.split(">", 1)[1].lower()))
    params = inspect.signature(cls.__init__).parameters
    cfg = {k: v for k, v in config.get("config", {}).items() if k in params and v is not None}
    return cls.from_config(cfg)


def compile_from_config(model, config: dict | None, custom_objects=None) -> None:
    """Calls `model.compile` with a `compile_config` dict."""
    if not config:
        return
    with serialization.custom_object_scope(custom_objects or {}):
        args = dict(config)
        if args.get("optimizer") is not None:
            args["optimizer"] = _optimizer(args["optimizer"], custom_objects)
        args["loss"] = _deserialize_nested(
            args.get("loss"), lambda c: losses.deserialize(c, custom_objects))
        for key in ("metrics", "weighted_metrics"):
            args[key] = _deserialize_nested(
                args.get(key), lambda c: metrics.deserialize(c, custom_objects))
        model.compile(**{k: v for k, v in args.items() if v is not None or k == "loss"})


def serialize_model(model, include_optimizer: bool = True) -> dict:
    """The `.keras` config.json object: class, config, build and compile configs."""
    out = functional_config.serialize_layer(model)
    if out.get("registered_name") is None and type(model).__module__.startswith("nanotf."):
        out["module"] = "keras"  # as tf_keras writes Sequential/Functional
    out["compile_config"] = compile_config(model) if include_optimizer else None
    return out


def deserialize_model(config: dict, custom_objects=None, compile: bool = True):
    """Rebuilds (and builds, and compiles) a model from `serialize_model`'s dict."""
    with serialization.custom_object_scope(custom_objects or {}):
        model = functional_config.deserialize_layer(config, custom_objects)
        build = config.get("build_config")
        if not model.built and build:
            model.build_from_config(build)
        if compile:
            compile_from_config(model, config.get("compile_config"), custom_objects)
    return model


# --- .keras ---------------------------------------------------------------------------------------
def _metadata() -> str:
    return json.dumps({"keras_version": KERAS_VERSION, "nanotf_version": NANOTF_VERSION,
                       "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})


def _save_keras(model, filepath: str, include_optimizer: bool) -> None:
    arrays = {}
    for path, variables in weight_groups(model, include_optimizer):
        for i, v in enumerate(variables):
            arrays[_var_key(path, i)] = np.asarray(v.numpy())
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    config = json.dumps(serialize_model(model, include_optimizer))
    with atomic_path(filepath) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        zf.writestr("metadata.json", _metadata())
        zf.writestr("config.json", config)
        zf.writestr("model.weights.npz", buf.getvalue())


def _keras_arrays(zf: zipfile.ZipFile) -> dict:
    names = zf.namelist()
    if "model.weights.npz" in names:
        with np.load(io.BytesIO(zf.read("model.weights.npz")), allow_pickle=False) as f:
            return {k: f[k] for k in f.files}
    if "model.weights.h5" in names:
        from nanotf._src.keras import saving_h5

        return saving_h5.read_v3_bytes(zf.read("model.weights.h5"))
    raise ValueError("Expected a model.weights.h5 or model.weights.npz file.")


def _split_optimizer(arrays: dict) -> tuple:
    opt = {k: v for k, v in arrays.items() if k.startswith("optimizer/vars/")}
    values = [opt[f"optimizer/vars/{i}"] for i in range(len(opt))]
    return {k: v for k, v in arrays.items() if k not in opt}, values


def _load_keras(filepath: str, custom_objects, compile: bool):
    with zipfile.ZipFile(filepath) as zf:
        config = json.loads(zf.read("config.json"))
        arrays = _keras_arrays(zf)
    model = deserialize_model(config, custom_objects, compile)
    arrays, opt_values = _split_optimizer(arrays)
    load_weight_groups(model, arrays)
    if compile:
        _load_optimizer_arrays(model, opt_values)
    return model


# --- SavedModel directory -------------------------------------------------------------------------
def _class_paths(model) -> dict:
    """`{class name: 'module:qualname'}` of the user-defined layer classes in `model`."""
    out = {}
    for layer in model._flatten_layers():
        cls = type(layer)
        if not cls.__module__.startswith("nanotf.") and "<locals>" not in cls.__qualname__:
            out[cls.__name__] = f"{cls.__module__}:{cls.__qualname__}"
    return out


def _export(model) -> dict:
    try:
        config = serialize_model(model)
    except NotImplementedError:  # no usable get_config: load calls the class with no arguments
        config = None
    return {"reviver": _REVIVER, "keras": config, "keras_classes": _class_paths(model)}


def revive_saved_model(export_dir: str, meta: dict, reader: CheckpointReader,
                       custom_objects=None, compile: bool = True):
    """Rebuilds a Keras model from a SavedModel written by `model.save('dir')`.

    The classes of user-defined layers are imported by their recorded paths when possible, so
    `custom_objects` is only needed for classes that cannot be imported.
    """
    found = {}
    for name, path in meta.get("keras_classes", {}).items():
        try:
            found[name] = saved_model._import(path)
        except (ImportError, AttributeError):
            pass
    found.update(custom_objects or {})
    config = meta.get("keras")
    try:
        model = deserialize_model(config, found, compile) if config is not None else None
    except (TypeError, NotImplementedError):  # a config its class cannot take back
        model = None
    if model is None:  # as TF, a SavedModel loads without a working get_config
        try:
            model = saved_model._import(meta["class"])()
        except Exception:  # noqa: BLE001 - cannot construct: a plain object with the variables
            return saved_model._rebuild(meta["tree"], reader, {})
        if config is not None:
            if not model.built and config.get("build_config"):
                model.build_from_config(config["build_config"])
            if compile:
                compile_from_config(model, config.get("compile_config"), found)
    CheckpointLoadStatus(model, reader)._restore()
    return model


# --- entry points ---------------------------------------------------------------------------------
def _is_h5(path: str) -> bool:
    return path.endswith((".h5", ".hdf5", ".keras"))


def _proceed(filepath: str, overwrite: bool) -> bool:
    if overwrite or not os.path.exists(filepath):
        return True
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    return answer == "y"


def save_model(model, filepath, overwrite: bool = True, include_optimizer: bool = True,
               save_format: str | None = None, signatures=None, options=None,
               save_traces: bool = True) -> None:
    """Saves a model: `.keras` zip, `.h5` (h5py) or, for any other path, a SavedModel directory.

    Example:
      >>> model.save('my_model.keras')
      >>> restored = tf.keras.models.load_model('my_model.keras')
    """
    filepath = os.fspath(filepath)
    fmt = (save_format or "").lower()
    if fmt in ("", "keras") and filepath.endswith(".keras"):
        fmt = "keras"
    elif fmt in ("h5", "hdf5") or (not fmt and filepath.endswith((".h5", ".hdf5"))):
        fmt = "h5"
    elif fmt in ("", "tf"):
        fmt = "tf"
    else:
        raise ValueError(f"Unknown format. Received: `save_format`={save_format}")
    if not _proceed(filepath, overwrite):
        return
    if fmt == "keras":
        _save_keras(model, filepath, include_optimizer)
    elif fmt == "h5":
        from nanotf._src.keras import saving_h5

        saving_h5.save_model_h5(model, filepath, include_optimizer)
    else:
        saved_model.save(model, filepath, _keep=None if include_optimizer else _not_optimizer)


def _not_optimizer(key: str) -> bool:
    return not key.startswith("optimizer/") and checkpoint.SLOT_MARK not in key


def load_model(filepath, custom_objects=None, compile: bool = True, options=None,
               safe_mode: bool = True):
    """Loads a model saved by `model.save` (`.keras`, `.h5` or SavedModel directory)."""
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise OSError(f"No file or directory found at {filepath}")
    if os.path.isdir(filepath):
        meta = saved_model.read_meta(filepath)
        reader = saved_model.reader(filepath, meta)
        if meta.get("reviver") != _REVIVER:
            return saved_model.load(filepath)
        return revive_saved_model(filepath, meta, reader, custom_objects, compile)
    if zipfile.is_zipfile(filepath):
        return _load_keras(filepath, custom_objects, compile)
    from nanotf._src.keras import saving_h5

    return saving_h5.load_model_h5(filepath, custom_objects, compile)


def save_weights(model, filepath, overwrite: bool = True, save_format: str | None = None,
                 options=None) -> None:
    """Saves the weights: `.weights.h5`/`.h5` (h5py) or the TF checkpoint prefix format.

    `save_weights('ckpt/mnist.ckpt')` writes `mnist.ckpt.index`, `mnist.ckpt.data-00000-of-00001`
    and the `checkpoint` file in `ckpt/`.
    """
    filepath = os.fspath(filepath)
    fmt = (save_format or "").lower()
    h5 = fmt in ("h5", "hdf5") or (not fmt and _is_h5(filepath))
    if not _proceed(filepath if h5 else filepath + ".index", overwrite):
        return
    if h5:
        from nanotf._src.keras import saving_h5

        if filepath.endswith(".weights.h5"):
            saving_h5.save_weights_v3(model, filepath)
        else:
            saving_h5.save_weights_h5(model, filepath)
        return
    variables, objects = checkpoint.object_graph(model)
    directory = os.path.dirname(os.path.abspath(filepath))
    write_prefix(filepath, {k: v.numpy() for k, v in variables.items()},
                 checkpoint._graph_json(objects),
                 then=lambda _: write_state(directory, CheckpointState(filepath, [filepath])))


def load_weights(model, filepath, by_name: bool = False, skip_mismatch: bool = False,
                 options=None):
    """Loads weights saved by `save_weights`; returns the restore status for TF checkpoints.

    Values for layers that are not built yet are assigned when they build.
    """
    filepath = os.fspath(filepath)
    if _is_h5(filepath) and not os.path.isdir(filepath):
        from nanotf._src.keras import saving_h5

        if zipfile.is_zipfile(filepath):
            with zipfile.ZipFile(filepath) as zf:
                arrays, _ = _split_optimizer(_keras_arrays(zf))
            return load_weight_groups(model, arrays, skip_mismatch)
        return saving_h5.load_weights_h5(model, filepath, by_name, skip_mismatch)
    if by_name:
        raise NotImplementedError("Weights may only be loaded based on topology into Models when "
                                  "loading TensorFlow-formatted weights (got by_name=True to "
                                  "load_weights).")
    prefix, nonce = checkpoint._resolve(filepath)
    return CheckpointLoadStatus(model, CheckpointReader(prefix, nonce))._restore()


saved_model.register_exporter(object, lambda obj: _export(obj) if _is_keras_model(obj) else {})


def _is_keras_model(obj) -> bool:
    from nanotf._src.keras.model import Model

    return isinstance(obj, Model)
