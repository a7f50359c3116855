"""`tf.saved_model.save/load`: a directory with `saved_model.json` and `variables/` files.

nanotf cannot serialize Python code, so a SavedModel records how to rebuild the object instead:
Keras models store their config (the Keras package registers an exporter and a reviver); other
objects store their importable class and an attribute tree, and `load` rebuilds an instance of
that class (by calling it with no arguments when it allows that) and restores the variables.
"""

from __future__ import annotations

import importlib
import json
import os
import sys

from nanotf._src import checkpoint
from nanotf._src.checkpoint_format import atomic_write, write_prefix
from nanotf._src.variables import Variable

FORMAT = "nanotf-saved-model"
JSON_NAME = "saved_model.json"
_EXPORTERS: list = []  # (class, fn(obj) -> dict merged into saved_model.json)


def register_exporter(cls: type, fn) -> None:
    """Makes `fn(obj)` describe instances of `cls` in `saved_model.json` (adds a `reviver`)."""
    _EXPORTERS.insert(0, (cls, fn))


class SaveOptions:
    """Options for `tf.saved_model.save` (accepted for compatibility; nanotf ignores them)."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None,
                 experimental_io_device=None, experimental_variable_policy=None,
                 experimental_custom_gradients=True, experimental_image_format=False,
                 experimental_skip_saver=False, experimental_sharding_callback=None,
                 extra_tags=None):
        self.function_aliases = function_aliases or {}
        self.experimental_io_device = experimental_io_device


class LoadOptions:
    """Options for `tf.saved_model.load` (accepted for compatibility; nanotf ignores them)."""

    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None,
                 experimental_skip_checkpoint=False, experimental_variable_policy=None,
                 experimental_load_function_aliases=False):
        self.allow_partial_checkpoint = allow_partial_checkpoint
        self.experimental_skip_checkpoint = experimental_skip_checkpoint


def variables_prefix(export_dir: str) -> str:
    """The checkpoint prefix of a SavedModel's variables."""
    return os.path.join(export_dir, "variables", "variables")


def _class_path(obj) -> str:
    return f"{type(obj).__module__}:{type(obj).__qualname__}"


def _tree(obj, keys: dict, seen: set):
    """The attribute tree of `obj`: variables by checkpoint key, containers, plain JSON values."""
    if isinstance(obj, Variable):
        return {"variable": keys.get(id(obj)), "trainable": obj.trainable, "name": obj.name}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"value": obj}
    if id(obj) in seen:
        return None
    seen.add(id(obj))
    if isinstance(obj, (list, tuple)):
        items = [_tree(x, keys, seen) for x in obj]
        return {"list" if isinstance(obj, list) else "tuple": items}
    if isinstance(obj, dict):
        items = {k: _tree(v, keys, seen) for k, v in obj.items() if isinstance(k, str)}
        return {"dict": {k: v for k, v in items.items() if v is not None}}
    if not checkpoint._is_trackable(obj):
        return None
    attrs = {k: _tree(v, keys, seen) for k, v in vars(obj).items()} \
        if hasattr(obj, "__dict__") else {}
    return {"class": _class_path(obj), "attrs": {k: v for k, v in attrs.items() if v is not None}}


def _describe(obj) -> dict:
    for cls, fn in _EXPORTERS:
        found = fn(obj) if isinstance(obj, cls) else None
        if found:
            return found
    if "nanotf._src.keras" in sys.modules and "nanotf._src.keras.saving" not in sys.modules:
        importlib.import_module("nanotf._src.keras.saving")  # registers the Keras exporter
        if _EXPORTERS:
            return _describe(obj)
    return {}


def save(obj, export_dir, signatures=None, options=None, *, _keep=None) -> None:
    """Writes `obj`'s variables and how to rebuild it to the directory `export_dir`.

    Args:
      obj: a `tf.Module`, Keras model or other trackable object.
      export_dir: the directory to write (created if missing; an earlier save is replaced).
      signatures: ignored (nanotf rebuilds callables from Python classes instead).

    Example:
      >>> tf.saved_model.save(model, '/tmp/model')
      >>> restored = tf.saved_model.load('/tmp/model')
    """
    if not checkpoint._is_trackable(obj) or isinstance(obj, (list, tuple, dict, Variable)):
        raise ValueError(f"Expected an object of type `Trackable`, such as `tf.Module` or a "
                         f"subclass of the `Trackable` class, for export. Got {obj} with type "
                         f"{type(obj)}.")
    export_dir = os.fspath(export_dir)
    os.makedirs(os.path.join(export_dir, "assets"), exist_ok=True)
    variables, objects = checkpoint.object_graph(obj)
    if _keep is not None:  # e.g. Keras's include_optimizer=False drops the optimizer's keys
        variables = {k: v for k, v in variables.items() if _keep(k)}
    keys = {id(v): k for k, v in variables.items()}
    meta = {"format": FORMAT, "version": 1, "class": _class_path(obj),
            "tree": _tree(obj, keys, set())}
    meta.update(_describe(obj))

    def commit_json(nonce: str) -> None:  # the commit point, after the variables are in place
        meta["variables_nonce"] = nonce
        atomic_write(os.path.join(export_dir, JSON_NAME), json.dumps(meta, indent=1))

    write_prefix(variables_prefix(export_dir), {k: v.numpy() for k, v in variables.items()},
                 checkpoint._graph_json(objects), then=commit_json)


def read_meta(export_dir) -> dict:
    """The parsed `saved_model.json` of `export_dir`; OSError/IOError as TF when missing."""
    path = os.path.join(os.fspath(export_dir), JSON_NAME)
    if not os.path.exists(path):
        raise OSError(f"SavedModel file does not exist at: {os.fspath(export_dir)}"
                      f"{os.sep}{{{JSON_NAME}}}")
    with open(path, encoding="utf-8") as f:
        meta = json.load(f)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} is not a nanotf SavedModel.")
    return meta


def contains_saved_model(export_dir) -> bool:
    """Whether `export_dir` holds a nanotf SavedModel."""
    return os.path.exists(os.path.join(os.fspath(export_dir), JSON_NAME))


def reader(export_dir, meta: dict) -> checkpoint.CheckpointReader:
    """The reader of the variables written with `meta` (survives an interrupted re-save)."""
    return checkpoint.CheckpointReader(variables_prefix(os.fspath(export_dir)),
                                       nonce=meta.get("variables_nonce"))


def _import(path: str):
    module, _, qual = path.partition(":")
    obj = importlib.import_module(module)
    for part in qual.split("."):
        obj = getattr(obj, part)
    return obj


class _UserObject(checkpoint.Checkpoint):
    """A revived object whose class could not be imported: attributes and variables only."""

    def __init__(self):
        object.__setattr__(self, "_root", None)
        object.__setattr__(self, "_save_counter", None)

    @property
    def variables(self) -> list:
        """All variables reachable from this object."""
        return list(checkpoint.object_graph(self)[0].values())

    @property
    def trainable_variables(self) -> list:
        """The trainable variables reachable from this object."""
        return [v for v in self.variables if v.trainable]


def _rebuild(node, rd, memo: dict):
    if node is None:
        return None
    if "value" in node:
        return node["value"]
    if "variable" in node:
        key = node["variable"]
        if key not in memo:
            var = Variable(rd.get_tensor(key), trainable=node["trainable"])
            var._name = node["name"]
            memo[key] = var
        return memo[key]
    if "list" in node or "tuple" in node:
        items = [_rebuild(x, rd, memo) for x in node.get("list", node.get("tuple"))]
        return items if "list" in node else tuple(items)
    if "dict" in node:
        return {k: _rebuild(v, rd, memo) for k, v in node["dict"].items()}
    try:
        cls = _import(node["class"])
        obj = cls.__new__(cls)
    except (ImportError, AttributeError, TypeError):
        obj = _UserObject()
    for name, child in node["attrs"].items():
        object.__setattr__(obj, name, _rebuild(child, rd, memo))
    return obj


def load(export_dir, tags=None, options=None):
    """Rebuilds the object saved by `tf.saved_model.save` with its variables restored.

    Keras models come back as Keras models; other objects as an instance of their class when it
    can be imported: built with no arguments when that recreates every saved variable, else
    rebuilt from the saved attributes (variables, sub-objects, containers, plain values).
    """
    export_dir = os.fspath(export_dir)
    meta = read_meta(export_dir)
    rd = reader(export_dir, meta)
    if meta.get("reviver"):
        return _import(meta["reviver"])(export_dir, meta, rd)
    try:
        obj = _import(meta["class"])()
        status = checkpoint.CheckpointLoadStatus(obj, rd)._restore()
        status.assert_consumed()
    except Exception:  # noqa: BLE001 - no-argument construction failed or built another shape
        return _rebuild(meta["tree"], rd, {})
    return obj
