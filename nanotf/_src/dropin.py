"""Running unmodified `import tensorflow` code on nanotf.

`install_as_tensorflow()` makes `import tensorflow`, `import tensorflow.compat.v1 as tf`, `from
tensorflow.keras.layers import Dense` and friends resolve to the matching nanotf modules.
`main()` is `python -m nanotf script.py [args]`: it installs the aliases and runs the script as
`__main__`."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import runpy
import sys
import traceback

_ALIASES = {"tensorflow": "nanotf", "tf_keras": "nanotf.keras"}


def _target(fullname: str) -> str | None:
    for alias, real in _ALIASES.items():
        if fullname == alias or fullname.startswith(alias + "."):
            return real + fullname[len(alias):]
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str):
        self._target = target

    def create_module(self, spec):
        return importlib.import_module(self._target)

    def exec_module(self, module):  # the real module is already executed
        return None


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Maps `tensorflow[.x.y]` to `nanotf[.x.y]`."""

    def find_spec(self, fullname, path=None, target=None):
        real = _target(fullname)
        if real is None:
            return None
        try:
            found = importlib.util.find_spec(real)
        except (ModuleNotFoundError, ValueError):
            found = None
        if found is None:
            # `tensorflow.keras` style attribute modules (lazy attributes of a package)
            parent, _, leaf = real.rpartition(".")
            try:
                mod = importlib.import_module(parent) if parent else None
            except ModuleNotFoundError:
                return None
            if mod is None or not hasattr(mod, leaf):
                return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(real))


_finder = _AliasFinder()


def install_as_tensorflow() -> None:
    """Makes `import tensorflow` (and its submodules) load nanotf, e.g. inside a notebook.

    Example:
      >>> import nanotf; nanotf.install_as_tensorflow()
      >>> import tensorflow as tf   # now nanotf
    """
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    import nanotf

    sys.modules.setdefault("tensorflow", nanotf)


def main(argv=None) -> int:
    """`python -m nanotf script.py [args]`: run a TensorFlow script on nanotf."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m nanotf script.py [args...]\n"
              "       python -m nanotf -c 'code'\n"
              "Runs a script whose imports say `tensorflow` on nanotf.")
        return 0 if argv else 2
    install_as_tensorflow()
    if argv[0] == "-c":
        sys.argv = ["-c"] + argv[2:]
        code = argv[1] if len(argv) > 1 else ""
        return _run(lambda: exec(compile(code, "<string>", "exec"), {"__name__": "__main__"}))
    script = argv[0]
    if not os.path.exists(script):
        print(f"python -m nanotf: can't open file {script!r}: [Errno 2] No such file or directory",
              file=sys.stderr)
        return 2
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    return _run(lambda: runpy.run_path(script, run_name="__main__"))


def _run(fn) -> int:
    try:
        fn()
    except SystemExit as e:
        code = e.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except BaseException as e:  # report like Python would, without nanotf's runner frames
        tb = e.__traceback__
        while tb is not None and (tb.tb_frame.f_code.co_filename in (__file__, runpy.__file__)
                              or tb.tb_frame.f_code.co_filename.startswith("<frozen runpy")):
            tb = tb.tb_next
        traceback.print_exception(type(e), e, tb)
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    return 0


def uninstall_tensorflow_alias() -> None:
    """Undoes `install_as_tensorflow()` (removes the hook and the aliased modules)."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in list(sys.modules):
        if _target(name) is not None and getattr(sys.modules[name], "__name__", "").startswith(
                "nanotf"):
            del sys.modules[name]
