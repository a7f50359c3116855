"""HDF5 model and weight files (need h5py): Keras 2 `.h5` and Keras 3 `.weights.h5` layouts.

Keras 2 (`save_weights('w.h5')`, `model.save('m.h5')`): root attributes `layer_names`, `backend`,
`keras_version`; one group per layer with a `weight_names` attribute and one dataset per weight
(`dense/dense/kernel:0`). A full model puts that under `model_weights/` and adds the `model_config`
and `training_config` JSON attributes and `optimizer_weights/`. Keras 3 (`.weights.h5`): datasets
`layers/<layer>/vars/<i>`.
"""

from __future__ import annotations

import io
import json

from nanotf._src.backend import np
from nanotf._src.checkpoint import atomic_path
from nanotf._src.keras import saving


def _h5py(what: str):
    try:
        import h5py
    except ImportError:
        raise ImportError(f"`{what}` requires h5py for the HDF5 format (`.h5`, `.weights.h5`). "
                          f"Install h5py, or use a `.keras` file or a TF checkpoint prefix.") \
            from None
    return h5py


def _str_attr(values) -> np.ndarray:
    return np.array([v.encode("utf8") for v in values]) if values else np.array([], np.float64)


def _read_names(attr) -> list:
    return [n.decode("utf8") if isinstance(n, bytes) else str(n) for n in attr]


def _layer_weights(layer) -> list:
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


# --- Keras 2 layout -------------------------------------------------------------------------------
def _write_keras2_weights(group, model) -> None:
    layers = list(model.layers)
    group.attrs["layer_names"] = _str_attr([layer.name for layer in layers])
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = saving.KERAS_VERSION.encode("utf8")
    covered = set()
    for layer in layers:
        _write_group(group.create_group(layer.name), _layer_weights(layer))
        covered.update(id(w) for w in layer.weights)
    _write_group(group.create_group("top_level_model_weights"),
                 [w for w in model.weights if id(w) not in covered])


def _write_group(g, weights: list) -> None:
    g.attrs["weight_names"] = _str_attr([w.name for w in weights])
    for w in weights:
        value = np.asarray(w.numpy())
        g.create_dataset(w.name, value.shape, dtype=value.dtype)[()] = value


def _read_keras2_weights(group, model, by_name: bool, skip_mismatch: bool) -> None:
    saved = [n for n in _read_names(group.attrs["layer_names"])
             if len(group[n].attrs["weight_names"])]
    if by_name:
        index = {layer.name: layer for layer in model.layers}
        pairs = [(index[n], n) for n in saved if n in index]
    else:
        layers = [layer for layer in model.layers if layer.weights]
        if len(layers) != len(saved):
            raise ValueError(f"Layer count mismatch when loading weights from file. Model "
                             f"expected {len(layers)} layers, found {len(saved)} saved layers.")
        pairs = list(zip(layers, saved))
    for k, (layer, name) in enumerate(pairs):
        g = group[name]
        values = [np.asarray(g[w]) for w in _read_names(g.attrs["weight_names"])]
        weights = _layer_weights(layer)
        if len(values) != len(weights):
            if skip_mismatch:
                continue
            raise ValueError(f"Weight count mismatch for layer #{k} (named {layer.name} in the "
                             f"current model, {name} in the save file). Layer expects "
                             f"{len(weights)} weight(s). Received {len(values)} saved weight(s)")
        saving._set_group(f"layers/{layer.name}", weights, values, skip_mismatch)


def save_weights_h5(model, filepath: str) -> None:
    """`save_weights('w.h5')`: the Keras 2 HDF5 weights file."""
    h5py = _h5py("save_weights")
    with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as f:
        _write_keras2_weights(f, model)


def save_model_h5(model, filepath: str, include_optimizer: bool = True) -> None:
    """`model.save('m.h5')`: config, weights and (optionally) compile state in one HDF5 file."""
    h5py = _h5py("save_model()")
    config = {"class_name": type(model).__name__, "config": model.get_config()}
    train = saving.compile_config(model) if include_optimizer else None
    with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as f:
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = saving.KERAS_VERSION.encode("utf8")
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        _write_keras2_weights(f.create_group("model_weights"), model)
        if train is not None:
            train["optimizer_config"] = train.pop("optimizer")
            f.attrs["training_config"] = json.dumps(train).encode("utf8")
            opt = model.optimizer
            if opt is not None and opt.variables():
                _write_group(f.create_group("optimizer_weights"), saving.optimizer_state(model))


def load_model_h5(filepath: str, custom_objects=None, compile: bool = True):
    """Loads a model written by `save_model_h5` (or by TF's Keras 2 with `.h5`)."""
    h5py = _h5py("load_model()")
    with h5py.File(filepath, "r") as f:
        if "model_config" not in f.attrs:
            raise ValueError(f"No model config found in the file at {filepath}.")
        config = json.loads(_text(f.attrs["model_config"]))
        config.setdefault("build_config", None)
        model = saving.deserialize_model(config, custom_objects, compile=False)
        _read_keras2_weights(f["model_weights"], model, False, False)
        train = f.attrs.get("training_config")
        if compile and train is not None:
            train = json.loads(_text(train))
            train["optimizer"] = train.pop("optimizer_config", None)
            saving.compile_from_config(model, train, custom_objects)
            if "optimizer_weights" in f:
                g = f["optimizer_weights"]
                saving._load_optimizer_arrays(
                    model, [np.asarray(g[n]) for n in _read_names(g.attrs["weight_names"])])
    return model


def _text(value) -> str:
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


# --- Keras 3 layout -------------------------------------------------------------------------------
def save_weights_v3(model, filepath: str) -> None:
    """`save_weights('w.weights.h5')`: datasets `layers/<name>/vars/<i>`."""
    h5py = _h5py("save_weights")
    with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as f:
        f.create_group("vars")
        for path, variables in saving.weight_groups(model, include_optimizer=True):
            g = f.create_group(f"{path}/vars") if path else f["vars"]
            for i, v in enumerate(variables):
                g.create_dataset(str(i), data=np.asarray(v.numpy()))


def _collect(f) -> dict:
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, np.asarray(obj))
                 if hasattr(obj, "shape") else None)
    return out


def read_v3_bytes(data: bytes) -> dict:
    """The arrays of a Keras 3 `.weights.h5` held in memory (a `.keras` archive member)."""
    h5py = _h5py("load_model()")
    with h5py.File(io.BytesIO(data), "r") as f:
        return _collect(f)


def load_weights_h5(model, filepath: str, by_name: bool = False, skip_mismatch: bool = False):
    """Loads `.h5` (Keras 2 layout, or a full `model.save` file) or `.weights.h5` weights."""
    h5py = _h5py("load_weights")
    with h5py.File(filepath, "r") as f:
        if "layer_names" in f.attrs:
            _read_keras2_weights(f, model, by_name, skip_mismatch)
        elif "model_weights" in f:
            _read_keras2_weights(f["model_weights"], model, by_name, skip_mismatch)
        else:
            arrays, _ = saving._split_optimizer(_collect(f))
            saving.load_weight_groups(model, arrays, skip_mismatch)
