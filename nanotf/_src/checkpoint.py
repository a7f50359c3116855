"""`tf.train.Checkpoint`, `CheckpointManager` and the checkpoint readers.

Objects are found by one breadth-first walk from the root: attributes, lists and dicts of modules,
the way `tf.Module` finds its variables. A variable reached first through the path `a/b/v` is stored
under TF's key `a/b/v/.ATTRIBUTES/VARIABLE_VALUE`. Values whose object does not exist yet (a Keras
layer that builds lazily) wait on the nearest existing ancestor and are assigned when it creates
them (`restore_deferred`).
"""

from __future__ import annotations

import json
import os
import weakref
from collections import deque

from nanotf._src import dtypes, errors
from nanotf._src.backend import np
from nanotf._src.checkpoint_format import (
    GRAPH_KEY,
    CheckpointReader,
    CheckpointState,
    atomic_path,
    atomic_write,
    prefix_exists,
    read_state,
    write_prefix,
    write_state,
)
from nanotf._src.module import Module
from nanotf._src.module import walk as module_walk
from nanotf._src.variables import Variable

__all__ = ["Checkpoint", "CheckpointOptions", "CheckpointReader",
           "atomic_path", "atomic_write", "get_checkpoint_state", "latest_checkpoint",
           "list_variables", "load_checkpoint", "load_variable", "object_graph",
           "register_children", "register_slots", "restore_deferred", "write_prefix",
           "write_state"]

VALUE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
SLOT_MARK = "/.OPTIMIZER_SLOT/"
_REGISTRY: list = []  # (class, children function), registered by other packages (e.g. keras)
_SLOTS: list = []  # (class, slots(obj) -> [(variable, name, slot)], make(obj, variable, name))


def register_children(cls: type, fn) -> None:
    """Makes `fn(obj) -> {name: child}` the checkpoint children of instances of `cls`.

    `fn` may return None to leave an object to the generic walk.
    """
    _REGISTRY.insert(0, (cls, fn))


def register_slots(cls: type, slots, make) -> None:
    """Declares optimizer slots: `slots(opt)` lists `(variable, slot name, slot variable)` and
    `make(opt, variable, name)` creates one (restored slots are created immediately, as in TF)."""
    _SLOTS.insert(0, (cls, slots, make))


# --- the object walk ------------------------------------------------------------------------------
def _is_variable(obj) -> bool:
    return isinstance(obj, Variable)


def _is_trackable(obj) -> bool:
    if isinstance(obj, (Variable, Module, Checkpoint, list, tuple, dict)):
        return True
    return hasattr(type(obj), "_checkpoint_children") or \
        any(isinstance(obj, cls) for cls, _ in _REGISTRY)


def _escape(name) -> str:
    return str(name).replace(".", "..").replace("/", ".S")


def _named(items) -> list:
    """Escaped names for trackable children; a tuple key is a path (`('lst', 0)` -> `lst/0`)."""
    return [("/".join(_escape(p) for p in k) if isinstance(k, tuple) else _escape(k), v)
            for k, v in items if _is_trackable(v)]


def module_children(obj) -> dict:
    """`{path tuple: child}` of a tf.Module: the Module walk plus other trackable attributes."""
    out = dict(module_walk(obj, (), set(), obj._walk_ordered, obj._walk_ignore()))
    out.update({(k,): v for k, v in vars(obj).items() if _is_trackable(v) and
                not isinstance(v, (Variable, Module, list, tuple, dict))})
    return out


def _children(obj) -> list:
    """`[(escaped relative path, child)]`: the edges of the checkpoint's object graph."""
    hook = getattr(type(obj), "_checkpoint_children", None)
    for fn in [hook] if hook is not None else [f for cls, f in _REGISTRY if isinstance(obj, cls)]:
        found = fn(obj)
        if found is not None:  # None: not handled here, fall through to the generic walk
            return _named(found.items())
    if isinstance(obj, Checkpoint):
        out = _children(obj._root) if obj._root is not None else []
        out += _named((k, v) for k, v in vars(obj).items() if not k.startswith("_"))
        counter = obj._save_counter
        return out + ([("save_counter", counter)] if counter is not None else [])
    if isinstance(obj, Module):
        return _named(module_children(obj).items())
    if isinstance(obj, (list, tuple)):
        return _named(enumerate(obj))
    if isinstance(obj, dict):
        return _named(obj.items())
    attrs = list(getattr(obj, "__dict__", {}).items())
    # Public names first, so `kernel` wins over an internal `_weights/0` alias.
    return _named([a for a in attrs if not str(a[0]).startswith("_")] +
                  [a for a in attrs if str(a[0]).startswith("_")])


def _slot_spec(obj):
    return next(((get, make) for cls, get, make in _SLOTS if isinstance(obj, cls)), None)


def object_graph(root) -> tuple[dict, dict]:
    """Walks `root`: returns `({key: Variable}, {object path: object})` (first path wins).

    Optimizer slots are keyed by their variable, as in TF:
    `<variable path>/.OPTIMIZER_SLOT/<optimizer path>/<slot name>/.ATTRIBUTES/VARIABLE_VALUE`.
    """
    variables, objects = {}, {"": root}
    seen, queue = {id(root)}, deque([("", root)])
    while queue:
        path, obj = queue.popleft()
        for name, child in _children(obj):
            if id(child) in seen:
                continue
            seen.add(id(child))
            cpath = f"{path}/{name}" if path else name
            if _is_variable(child):
                variables[cpath + VALUE_SUFFIX] = child
            else:
                objects[cpath] = child
                queue.append((cpath, child))
    keys = {id(v): k[:-len(VALUE_SUFFIX)] for k, v in variables.items()}
    for opath, obj in list(objects.items()):
        spec = _slot_spec(obj)
        for var, name, slot in spec[0](obj) if spec is not None else ():
            if id(var) in keys:  # slots of variables outside this graph are dropped, as in TF
                variables[f"{keys[id(var)]}{SLOT_MARK}{opath}/{name}{VALUE_SUFFIX}"] = slot
    return variables, objects


def _graph_json(objects: dict) -> dict:
    return {"objects": [[p, f"{type(o).__module__}.{type(o).__qualname__}"]
                        for p, o in objects.items()]}


def _assign(var: Variable, value, key: str) -> None:
    value = np.asarray(value)
    stored = dtypes.from_numpy(value.dtype)
    if stored != var.dtype:
        raise errors.InvalidArgumentError(
            None, None, f"tensor_name = {key}; expected dtype {var.dtype.name} does not equal "
                        f"original dtype {stored.name} [Op:RestoreV2]")
    if not var.shape.is_compatible_with(value.shape):
        raise ValueError(f"Received incompatible tensor with shape {value.shape} when attempting "
                         f"to restore variable with shape {var.shape} and name {var.name}.")
    var.assign(value, read_value=False)


def _split_slot(key: str) -> tuple:
    vpath, rest = key.split(SLOT_MARK, 1)
    opath, _, name = rest[:-len(VALUE_SUFFIX)].rpartition("/")
    return vpath + VALUE_SUFFIX, opath, name


def _try_restore(key: str, value, variables: dict, objects: dict) -> bool:
    """Assigns `value` if its variable exists (creating an optimizer slot if needed)."""
    var = variables.get(key)
    if var is None and SLOT_MARK in key:
        vkey, opath, name = _split_slot(key)
        opt = objects.get(opath)
        spec = _slot_spec(opt) if opt is not None else None
        if vkey in variables and spec is not None:  # TF creates a restored slot right away
            var = spec[1](opt, variables[vkey], name)
    if var is None:
        return False
    _assign(var, value, key)
    return True


# --- deferred restoration -------------------------------------------------------------------------
_pending: dict = {}  # id(owner) -> (weakref to owner, [(status, key, value), ...])


def _ref(obj):
    key = id(obj)

    def gone(ref, pending=_pending):  # drop values parked on an object that no longer exists
        entry = pending.get(key)
        if entry is not None and entry[0] is ref:
            del pending[key]

    try:
        return weakref.ref(obj, gone)
    except TypeError:
        return lambda: obj


def _anchor(objects: dict, key: str):
    """The deepest existing object (not a plain list or dict) on the path of `key`."""
    parts = key[:-len(VALUE_SUFFIX)].split("/")
    for n in range(len(parts) - 1, 0, -1):
        path = "/".join(parts[:n])
        if path in objects and not isinstance(objects[path], (list, tuple, dict)):
            return objects[path]
    return objects[""]


def _defer(status, variables: dict, objects: dict, key: str, value) -> None:
    """Parks `value` on the deepest existing object of its path until that object builds."""
    if SLOT_MARK in key:  # waits for its variable, else for its optimizer
        vkey, opath, _ = _split_slot(key)
        anchor = _anchor(objects, vkey if vkey not in variables else f"{opath}/_{VALUE_SUFFIX}")
    else:
        anchor = _anchor(objects, key)
    entry = _pending.get(id(anchor))
    if entry is None or entry[0]() is not anchor:
        entry = _pending[id(anchor)] = (_ref(anchor), [])
    entry[1].append((status, key, value))


def restore_deferred(owner) -> None:
    """Assigns checkpoint values that were waiting for variables `owner` has just created.

    Call it after an object gains variables or sub-objects (Keras layers after `build`, models
    after `compile`). It costs one dict lookup when nothing waits.
    """
    if not _pending:
        return
    entry = _pending.pop(id(owner), None)
    if entry is None or entry[0]() is not owner:  # none, or a dead owner whose id was reused
        return
    graphs: dict = {}
    for status, key, value in entry[1]:
        if id(status) not in graphs:
            graphs[id(status)] = object_graph(status._root)
        variables, objects = graphs[id(status)]
        if _try_restore(key, value, variables, objects):
            status._matched.add(key)
        else:
            _defer(status, variables, objects, key, value)


# --- restore status objects -----------------------------------------------------------------------
class CheckpointLoadStatus:
    """What `Checkpoint.restore` returns: checks how well the checkpoint matched the objects."""

    def __init__(self, root, reader: CheckpointReader):
        self._root = root
        self._reader = reader
        self._keys = {k for k in reader.keys() if k != GRAPH_KEY}
        self._matched: set = set()

    def _restore(self) -> CheckpointLoadStatus:
        variables, objects = object_graph(self._root)
        for key in sorted(self._keys):
            value = self._reader.get_tensor(key)
            if _try_restore(key, value, variables, objects):
                self._matched.add(key)
            else:
                _defer(self, variables, objects, key, value)
        self._reader._data = None  # the values now live in variables or in the pending table
        return self

    def _unbound(self) -> list:
        variables, _ = object_graph(self._root)
        return [v for k, v in variables.items() if k not in self._keys]

    def assert_consumed(self) -> CheckpointLoadStatus:
        """Raises AssertionError unless every value was restored and every variable got one."""
        missing = sorted(self._keys - self._matched)
        if missing:
            raise AssertionError(f"Unresolved object in checkpoint: {missing[0]!r} "
                                 f"({len(missing)} checkpoint value(s) not restored: {missing})")
        return self.assert_existing_objects_matched()

    def assert_existing_objects_matched(self) -> CheckpointLoadStatus:
        """Raises AssertionError if a variable that exists now got no checkpoint value."""
        unbound = self._unbound()
        if unbound:
            raise AssertionError(
                f"Found {len(unbound)} Python objects that were not bound to checkpointed values, "
                f"likely due to changes in the Python program. Showing {min(len(unbound), 10)} of "
                f"{len(unbound)} unmatched objects: {unbound[:10]}")
        return self

    def assert_nontrivial_match(self) -> CheckpointLoadStatus:
        """Raises AssertionError if nothing besides the save counter was restored."""
        if not self._matched - {"save_counter" + VALUE_SUFFIX}:
            raise AssertionError(
                "Nothing except the root object matched a checkpointed value. Typically this "
                "means that the checkpoint does not match the Python program. The following "
                f"objects have no matching checkpointed value: {self._unbound()}")
        return self

    def expect_partial(self) -> CheckpointLoadStatus:
        """Marks the restore as intentionally partial (nanotf never warns); returns self."""
        return self

    def run_restore_ops(self, session=None) -> None:
        """No-op: eager restores happen immediately."""

    def initialize_or_restore(self, session=None) -> None:
        """No-op: eager restores happen immediately."""


class InitializationOnlyStatus:
    """What `restore(None)` returns: nothing is restored, variables keep their initial values."""

    _MSG = "No checkpoint specified (save_path=None); nothing is being restored."

    def assert_consumed(self):
        """Always raises AssertionError."""
        raise AssertionError(self._MSG)

    def assert_existing_objects_matched(self):
        """Always raises AssertionError."""
        raise AssertionError(self._MSG)

    def assert_nontrivial_match(self):
        """Always raises AssertionError."""
        raise AssertionError(self._MSG)

    def expect_partial(self) -> InitializationOnlyStatus:
        """Returns self."""
        return self

    def run_restore_ops(self, session=None) -> None:
        """No-op."""

    def initialize_or_restore(self, session=None) -> None:
        """No-op: variables are already initialized."""


# --- tf.train.Checkpoint --------------------------------------------------------------------------
def _resolve(save_path) -> tuple:
    """`(prefix, nonce or None)` for a prefix, a checkpoint directory or a SavedModel directory."""
    path = os.fspath(save_path)
    if os.path.isdir(path):
        meta = os.path.join(path, "saved_model.json")
        if os.path.exists(meta):  # a SavedModel: its JSON names the variables it was saved with
            with open(meta, encoding="utf-8") as f:
                nonce = json.load(f).get("variables_nonce")
            return os.path.join(path, "variables", "variables"), nonce
        latest = latest_checkpoint(path)
        if latest is not None:
            return latest, None
    return path, None


class Checkpoint:
    """Groups trackable objects for saving and restoring their variables.

    Args:
      root: an optional object whose children become the checkpoint's top level.
      **kwargs: named trackable objects (modules, layers, optimizers, variables).

    Example:
      >>> ckpt = tf.train.Checkpoint(model=model, optimizer=opt)
      >>> path = ckpt.save('/tmp/ckpt/model')        # '/tmp/ckpt/model-1'
      >>> ckpt.restore(path).assert_consumed()
    """

    def __init__(self, root=None, **kwargs):
        named = ([("root", root)] if root is not None else []) + list(kwargs.items())
        for name, value in named:
            if not _is_trackable(value):
                raise ValueError(
                    f"`Checkpoint` was expecting {name} to be a trackable object (an object "
                    f"derived from `Trackable`), got {value!r}. If you believe this object should "
                    f"be trackable (i.e. it is part of the TensorFlow Python API and manages "
                    f"state), please open an issue.")
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_save_counter", None)
        for name, value in kwargs.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        restore_deferred(self)

    @property
    def save_counter(self) -> Variable:
        """An int64 variable counting `save()` calls (numbers the checkpoint files)."""
        if self._save_counter is None:
            counter = Variable(0, dtype=dtypes.int64, trainable=False, name="save_counter")
            object.__setattr__(self, "_save_counter", counter)
            restore_deferred(self)
        return self._save_counter

    def write(self, file_prefix, options=None) -> str:
        """Writes the variables to `file_prefix` (no counter, no `checkpoint` file); returns it."""
        prefix = os.fspath(file_prefix)
        variables, objects = object_graph(self)
        write_prefix(prefix, {k: v.numpy() for k, v in variables.items()}, _graph_json(objects))
        return prefix

    def save(self, file_prefix, options=None) -> str:
        """Writes `file_prefix-N` (N = the incremented `save_counter`) and updates `checkpoint`."""
        counter = self.save_counter
        counter.assign_add(1, read_value=False)
        path = self.write(f"{os.fspath(file_prefix)}-{int(counter.numpy())}")
        directory = os.path.dirname(path)
        write_state(directory, CheckpointState(path, [path]))
        return path

    def read(self, save_path, options=None) -> CheckpointLoadStatus:
        """Restores values from `save_path` (a prefix, a directory or a SavedModel)."""
        reader = CheckpointReader(*_resolve(save_path))
        if reader.has_tensor("save_counter" + VALUE_SUFFIX):
            self.save_counter  # noqa: B018 - created so the stored count is restored into it
        return CheckpointLoadStatus(self, reader)._restore()

    def restore(self, save_path, options=None):
        """Restores values; `None` returns an `InitializationOnlyStatus` and restores nothing."""
        if save_path is None:
            return InitializationOnlyStatus()
        return self.read(save_path, options)


class CheckpointOptions:
    """Options for `Checkpoint.save/write/read` (accepted for compatibility; all are no-ops).

    Args:
      experimental_io_device: ignored (nanotf always writes from the host).
      experimental_enable_async_checkpoint: ignored (writes are synchronous and atomic).
    """

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False,
                 experimental_skip_slot_variables=False, experimental_sharding_callback=None):
        self.experimental_io_device = experimental_io_device
        self.experimental_enable_async_checkpoint = experimental_enable_async_checkpoint
        self.enable_async = enable_async


# --- tf.train readers -----------------------------------------------------------------------------
def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The parsed `checkpoint` file of a directory (absolute prefixes), or None."""
    return read_state(os.fspath(checkpoint_dir), latest_filename or "checkpoint")


def latest_checkpoint(checkpoint_dir, latest_filename=None) -> str | None:
    """The newest checkpoint prefix recorded in `checkpoint_dir/checkpoint`, or None.

    Example:
      >>> tf.train.latest_checkpoint('./checkpoint')
      './checkpoint/mnist.ckpt'
    """
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or not state.model_checkpoint_path:
        return None
    return state.model_checkpoint_path if prefix_exists(state.model_checkpoint_path) else None


def load_checkpoint(ckpt_dir_or_file) -> CheckpointReader:
    """A `CheckpointReader` for a checkpoint prefix, or the latest one in a directory."""
    path = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(path):
        resolved, nonce = _resolve(path)
        if resolved == path:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given directory "
                             f"{path}")
        return CheckpointReader(resolved, nonce)
    return CheckpointReader(path)


def list_variables(ckpt_dir_or_file) -> list:
    """`[(key, shape list), ...]` sorted by key, as `tf.train.list_variables`."""
    shapes = load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map()
    return [(k, shapes[k]) for k in sorted(shapes)]


def load_variable(ckpt_dir_or_file, name: str):
    """The value stored under `name` (a NumPy array, or a NumPy scalar for rank 0)."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)
