"""Name scopes: the `a/b/` prefixes that TF gives variable names (`dense/kernel:0`)."""

from __future__ import annotations

import threading

_state = threading.local()


def _stack() -> list:
    s = getattr(_state, "stack", None)
    if s is None:
        s = _state.stack = []
    return s


def current_scope() -> str:
    """The active prefix, e.g. `'model/dense/'` (empty at top level)."""
    s = _stack()
    return s[-1] if s else ""


class name_scope:
    """A context manager that prefixes the names of variables created inside it.

    Args:
      name: the scope name; a name ending in '/' is used as the absolute prefix.

    Example:
      >>> with tf.name_scope('dense'):
      ...   v = tf.Variable(1.0, name='kernel')
      >>> v.name
      'dense/kernel:0'
    """

    def __init__(self, name: str | None, default_name=None, values=None):
        self._name = name if name is not None else default_name
        self._pushed = False

    @property
    def name(self) -> str | None:
        """The scope's own name."""
        return self._name

    def __enter__(self) -> str:
        name = self._name
        if not name:
            prefix = ""
        elif name.endswith("/"):
            prefix = name
        else:
            prefix = current_scope() + name + "/"
        _stack().append(prefix)
        self._pushed = True
        return prefix

    def __exit__(self, *exc) -> None:
        if self._pushed:
            _stack().pop()
            self._pushed = False
