"""`tf.compat` helpers: lazy `v1`/`v2` submodules and the text/bytes converters."""

from __future__ import annotations

import datetime
import importlib
import os
import sys


def compat_getattr(name: str):
    """PEP 562 `__getattr__` of `nanotf.compat`: imports `v1` / `v2` on first use."""
    if name in ("v1", "v2"):
        mod = importlib.import_module(f"nanotf.compat.{name}")
        setattr(sys.modules["nanotf.compat"], name, mod)
        return mod
    raise AttributeError(f"module 'nanotf.compat' has no attribute '{name}'")


def as_bytes(bytes_or_text, encoding: str = "utf-8") -> bytes:
    """`bytes_or_text` as bytes (text is encoded).

    Example: `tf.compat.as_bytes('x') == b'x'`.
    """
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text)
    if isinstance(bytes_or_text, str):
        return bytes_or_text.encode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


def as_text(bytes_or_text, encoding: str = "utf-8") -> str:
    """`bytes_or_text` as str (bytes are decoded).

    Example: `tf.compat.as_text(b'x') == 'x'`.
    """
    if isinstance(bytes_or_text, str):
        return bytes_or_text
    if isinstance(bytes_or_text, (bytes, bytearray)):
        return bytes(bytes_or_text).decode(encoding)
    raise TypeError(f"Expected binary or unicode string, got {bytes_or_text!r}")


as_str = as_text


def path_to_str(path) -> str:
    """A path-like object as a str."""
    return os.fspath(path) if hasattr(path, "__fspath__") else path


def forward_compatible(year: int, month: int, day: int) -> bool:
    """Whether the forward-compatibility horizon is past the date (always, for nanotf)."""
    return datetime.date(year, month, day) <= datetime.date.today() + datetime.timedelta(21)


def v2_getattr(name: str):
    """PEP 562 `__getattr__` of `nanotf.compat.v2`: every name is `nanotf`'s."""
    nanotf = sys.modules["nanotf"]  # the package is always imported before its submodules
    if name.startswith("__") and name not in ("__version__", "__git_version__"):
        raise AttributeError(name)
    try:
        return getattr(nanotf, name)
    except AttributeError:
        raise AttributeError(f"module 'nanotf.compat.v2' has no attribute '{name}'") from None
