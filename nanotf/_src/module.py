"""`tf.Module`: a named container whose variables and submodules are found by walking attributes.

There is no registration: `walk` descends through attributes, lists, tuples and dicts (as tinygrad's
`get_state_dict`) and yields every Variable and Module it reaches, with the attribute path. The same
walk serves `variables`, `trainable_variables`, `submodules` and Keras layer tracking.
"""

from __future__ import annotations

import functools
import re
from typing import Callable, Iterator

from nanotf._src.naming import name_scope as _name_scope
from nanotf._src.variables import Variable

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def camel_to_snake(name: str) -> str:
    """`'MyModule'` -> `'my_module'`, `'MLP'` -> `'mlp'` (tf.Module's default names)."""
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower()


def _keys(d: dict, ordered: bool) -> list:
    if not ordered:
        return list(d)
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def walk(value, path: tuple = (), seen: set | None = None, ordered: bool = False,
         ignore: frozenset = frozenset()) -> Iterator[tuple]:
    """Yields `(path, leaf)` for each Variable and Module reachable from `value` without entering
    modules: attributes (for a Module `value`), lists, tuples and dicts are descended into.

    Args:
      value: a Module or a container.
      path: the path prefix, a tuple of attribute names, indices and keys.
      seen: ids already yielded or visited (shared to deduplicate); a new set when None.
      ordered: sort attribute and dict keys (tf.Module's order) instead of insertion order.
      ignore: attribute names of `value` not to descend into.
    """
    seen = set() if seen is None else seen
    if not isinstance(value, Module):
        yield from _walk_value(value, path, seen, ordered)
        return
    items = vars(value)
    for k in _keys(items, ordered):
        if k in ignore or k in _IGNORED:
            continue
        v = items[k]
        # most attributes are numbers, strings or None: one isinstance check each
        if isinstance(v, _LEAVES):
            if id(v) not in seen:
                seen.add(id(v))
                yield path + (k,), v
        elif isinstance(v, _CONTAINERS) and v and id(v) not in seen:
            yield from _walk_value(v, path + (k,), seen, ordered)


def _walk_value(v, path, seen, ordered):
    if isinstance(v, _LEAVES):
        if id(v) not in seen:
            seen.add(id(v))
            yield path, v
    elif isinstance(v, _CONTAINERS) and id(v) not in seen:
        seen.add(id(v))
        if isinstance(v, dict):
            for k in _keys(v, ordered):
                yield from _walk_value(v[k], path + (k,), seen, ordered)
        else:
            for i, x in enumerate(v):
                yield from _walk_value(x, path + (i,), seen, ordered)


# Attributes that never hold tracked state (caches, back references).
_IGNORED = frozenset({"_name_scope_obj", "__wrapped__"})


_CONTAINERS = (list, tuple, dict)


class Module:
    """Base class for objects that own variables and other modules, as `tf.Module`.

    Variables and submodules assigned to attributes (directly or inside lists, tuples and dicts)
    are found automatically.

    Args:
      name: the module name (a Python identifier); defaults to the snake_case class name.

    Example:
      >>> class Dense(tf.Module):
      ...   def __init__(self, n_in, n_out, name=None):
      ...     super().__init__(name=name)
      ...     self.w = tf.Variable(tf.random.normal([n_in, n_out]), name='w')
      >>> [v.name for v in Dense(3, 2, name='d').trainable_variables]
      ['w:0']
    """

    _walk_ordered = True  # tf.Module visits attributes in sorted order; Keras layers do not

    def __init__(self, name: str | None = None):
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not _IDENTIFIER.match(name):
            raise ValueError(f"'{name}' is not a valid module name. Module names must be valid "
                             f"Python identifiers (e.g. a valid class name).")
        self._name = name
        with _name_scope(name) as scope:
            self._scope_name = scope

    @property
    def name(self) -> str:
        """The module's name, without scope prefix."""
        return self._name

    @property
    def name_scope(self) -> _name_scope:
        """A `tf.name_scope` for this module (`outer/name/`, fixed at construction)."""
        return _name_scope(self._scope_name)

    # --- discovery -------------------------------------------------------------------------
    def _flatten(self, recursive: bool = True, predicate: Callable | None = None,
                 with_path: bool = False) -> list:
        """Leaves matching `predicate`, this module's own first, then each submodule's in turn."""
        out: list = []
        seen: set = {id(self)}
        queue = [((), self)]
        while queue:
            prefix, mod = queue.pop(0)
            subs = []
            for path, leaf in walk(mod, prefix, seen, mod._walk_ordered, mod._walk_ignore()):
                if predicate is None or predicate(leaf):
                    out.append((path, leaf) if with_path else leaf)
                if recursive and isinstance(leaf, Module):
                    subs.append((path, leaf))
            queue.extend(subs)
        return out

    def _walk_ignore(self) -> frozenset:
        return frozenset()

    @property
    def variables(self) -> tuple:
        """All variables of this module and its submodules (deduplicated)."""
        return tuple(self._flatten(predicate=_is_variable))

    @property
    def trainable_variables(self) -> tuple:
        """The variables with `trainable=True`."""
        return tuple(self._flatten(predicate=_is_trainable))

    @property
    def non_trainable_variables(self) -> tuple:
        """The variables with `trainable=False`."""
        return tuple(self._flatten(predicate=lambda v: _is_variable(v) and not v.trainable))

    @property
    def submodules(self) -> tuple:
        """All modules reachable from this one (not including itself), breadth first.

        Example:
          >>> a = tf.Module(); b = tf.Module(); a.b = b
          >>> list(a.submodules) == [b]
          True
        """
        return tuple(self._flatten(predicate=lambda m: isinstance(m, Module)))

    @classmethod
    def with_name_scope(cls, method: Callable) -> Callable:
        """Decorator: runs `method` inside the module's name scope.

        Example:
          >>> class M(tf.Module):
          ...   @tf.Module.with_name_scope
          ...   def __call__(self, x): return x
        """
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        return wrapped


_LEAVES = (Variable, Module)


def _is_variable(v) -> bool:
    return isinstance(v, Variable)


def _is_trainable(v) -> bool:
    return isinstance(v, Variable) and v.trainable
