"""Keras object (de)serialization: `get_config` dicts, custom-object scopes and the registry.

A serialized object is `{'module', 'class_name', 'config', 'registered_name'}` as tf_keras
writes it; the older `{'class_name', 'config'}` form is read too.
"""

from __future__ import annotations

import threading
from typing import Callable

_GLOBAL_CUSTOM_OBJECTS: dict = {}
_local = threading.local()


def get_custom_objects() -> dict:
    """The global dict of custom objects (name -> class or function); edit it to register.

    Example: `tf.keras.utils.get_custom_objects()['MyLayer'] = MyLayer`.
    """
    return _GLOBAL_CUSTOM_OBJECTS


def _scopes() -> list:
    s = getattr(_local, "scopes", None)
    if s is None:
        s = _local.scopes = []
    return s


class custom_object_scope:
    """Makes `custom_objects` (dicts name -> object) visible to deserialization inside the block.

    Example:
      >>> with tf.keras.utils.custom_object_scope({'MyLayer': MyLayer}):
      ...   model = tf.keras.models.load_model('m.keras')
    """

    def __init__(self, *args):
        self.custom_objects = {}
        for a in args:
            self.custom_objects.update(a or {})

    def __enter__(self):
        _scopes().append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _scopes().pop()


CustomObjectScope = custom_object_scope


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Class/function decorator registering the object as `'package>name'` for deserialization."""
    def deco(obj):
        key = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[key] = obj
        _REGISTERED_NAMES[id(obj)] = key
        return obj
    return deco


_REGISTERED_NAMES: dict = {}


def get_registered_name(obj) -> str:
    """The registered `'package>name'` of `obj`, or its plain name."""
    return _REGISTERED_NAMES.get(id(obj), getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object registered or scoped under `name` (None if unknown)."""
    for table in (custom_objects, *reversed(_scopes()), _GLOBAL_CUSTOM_OBJECTS, module_objects):
        if table and name in table:
            return table[name]
    return None


def custom_object(name):
    """`name` looked up in the active scopes and the global registry (None if absent)."""
    return get_registered_object(name)


def serialize_object(obj, module: str) -> dict:
    """`{'module', 'class_name', 'config', 'registered_name'}` for an object with `get_config`."""
    cls = type(obj)
    reg = _REGISTERED_NAMES.get(id(cls))
    return {"module": module if reg is None else None, "class_name": cls.__name__,
            "config": obj.get_config(), "registered_name": reg}


def unknown_message(kind: str, name) -> str:
    """Keras's 'Unknown <kind>' error text."""
    return (f"Unknown {kind}: '{name}'. Please ensure you are using a "
            "`keras.utils.custom_object_scope` and that this object is included in the scope. "
            "See https://www.tensorflow.org/guide/keras/save_and_serialize"
            "#registering_the_custom_object for details.")


def lookup_class(config: dict, builtins: dict, custom_objects=None, kind: str = "object"):
    """The class a serialized dict names (registered name first), or ValueError."""
    reg = config.get("registered_name")
    name = config.get("class_name")
    cls = None
    if reg:
        cls = get_registered_object(reg, custom_objects)
    if cls is None:
        cls = get_registered_object(name, custom_objects, builtins)
    if cls is None:
        raise ValueError(unknown_message(kind, name))
    return cls


def deserialize_object(config: dict, builtins: dict, custom_objects=None, kind: str = "object"):
    """Rebuilds an object from its serialized dict with `cls.from_config(config)`."""
    if "class_name" not in config:
        raise ValueError(f"Improper config format for {kind}: {config}")
    cls = lookup_class(config, builtins, custom_objects, kind)
    cfg = config.get("config") or {}
    if not isinstance(cls, type):
        return cls
    if hasattr(cls, "from_config"):
        if custom_objects or _scopes():
            merged = {}
            for s in _scopes():
                merged.update(s)
            merged.update(custom_objects or {})
            with custom_object_scope(merged):
                return cls.from_config(cfg)
        return cls.from_config(cfg)
    return cls(**cfg)
