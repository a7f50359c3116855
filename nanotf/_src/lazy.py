"""Lazy attributes of the top-level `nanotf` module (keeps `import nanotf` fast).

Submodules that pull in a lot (keras, data, summary) load on first attribute access, as
`tf.keras` does."""

from __future__ import annotations

import importlib

# attribute -> module path (a submodule) or (module path, attribute)
LAZY: dict = {
    "keras": "nanotf.keras",
    "data": "nanotf.data",
    "random": "nanotf.random",
    "summary": "nanotf.summary",
    "train": "nanotf.train",
    "saved_model": "nanotf.saved_model",
    "config": "nanotf.config",
    "losses": "nanotf.keras.losses",
    "metrics": "nanotf.keras.metrics",
    "optimizers": "nanotf.keras.optimizers",
    "initializers": "nanotf.keras.initializers",
    "version": "nanotf.version",
    "image": "nanotf.image",
    "io": "nanotf.io",
    "strings": "nanotf.strings",
    "debugging": "nanotf.debugging",
    "autograph": "nanotf.autograph",
    "experimental": "nanotf.experimental",
    "sysconfig": "nanotf.sysconfig",
    "test": "nanotf.test",
    "bitwise": "nanotf.bitwise",
    "signal": "nanotf.signal",
    "sparse": "nanotf.sparse",
    "types": "nanotf.types",
    "distribute": "nanotf.distribute",
}


def module_getattr(name: str):
    """PEP 562 `__getattr__` for `nanotf`: resolves LAZY entries on first use."""
    target = LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'nanotf' has no attribute {name!r}")
    import sys

    pkg = sys.modules["nanotf"]
    if isinstance(target, tuple):
        value = getattr(importlib.import_module(target[0]), target[1])
    else:
        try:
            value = importlib.import_module(target)
        except ModuleNotFoundError as e:
            if e.name == target:
                raise AttributeError(f"module 'nanotf' has no attribute {name!r} (nanotf does not "
                                     f"implement {target} yet)") from None
            raise
    setattr(pkg, name, value)
    return value
