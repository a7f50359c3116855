"""The public namespace: TF names resolve, facades hold no code, aliases are one object, public
callables are documented, and `import nanotf` is silent.

The names live in `tf_names.txt` beside this file (see its header for the format).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import nanotf as tf

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PKG = ROOT / "nanotf"


def _sections() -> dict:
    out: dict = {}
    current = None
    for line in (HERE / "tf_names.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1], [])
        else:
            current.append(line)
    return out


SECTIONS = _sections()


def resolve(name: str):
    """The object `name` ('tf.a.b') names under `import nanotf as tf`."""
    obj = tf
    for part in name.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _facade_files() -> list:
    return sorted(p for p in PKG.rglob("*.py") if "_src" not in p.relative_to(PKG).parts)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def test_names_resolve():
    missing = []
    for name in SECTIONS["names"]:
        try:
            resolve(name)
        except AttributeError as e:
            missing.append(f"{name} ({e})")
    assert not missing, f"{len(missing)} TF names do not resolve: {missing}"


def test_aliases_are_one_object():
    split = []
    for line in SECTIONS["aliases"]:
        names = line.split(" = ")
        objs = [resolve(n) for n in names]
        if any(o is not objs[0] for o in objs[1:]):
            split.append(line)
    assert not split, f"aliases that are different objects: {split}"


@pytest.mark.parametrize("entry", [pytest.param(e, marks=pytest.mark.xfail(reason="not yet"))
                                   for e in SECTIONS["pending"]])
def test_pending(entry):
    names = entry.split(" = ")
    objs = [resolve(n) for n in names]
    assert all(o is objs[0] for o in objs[1:])


@pytest.mark.parametrize("path", _facade_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_facade_has_no_code(path):
    """A facade is a docstring and `from nanotf._src... import x as x` lines (plus constants)."""
    tree = ast.parse(path.read_text(), str(path))
    bad = [f"line {n.lineno}: {type(n).__name__}" for n in ast.walk(tree)
           if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))]
    assert not bad, f"{path.relative_to(ROOT)} defines code: {bad}"


def _public_callables():
    seen = set()
    for path in _facade_files():
        if path.name == "__main__.py":
            continue
        mod = importlib.import_module(_module_name(path))
        prefix = "tf" + mod.__name__[len("nanotf"):]
        for name, obj in vars(mod).items():
            if name.startswith("_") or inspect.ismodule(obj) or not callable(obj):
                continue
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{prefix}.{name}", obj


def test_public_callables_have_docstrings():
    undocumented = sorted(n for n, obj in _public_callables()
                          if not (inspect.getdoc(obj) or "").strip())
    assert not undocumented, f"{len(undocumented)} public callables lack a docstring: " \
                             f"{undocumented}"


def test_import_prints_nothing():
    r = subprocess.run([sys.executable, "-c", "import nanotf"], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "" and r.stderr == ""
