"""Reading the seed notes (../shared/seeds): code blocks and the output printed after each."""

from __future__ import annotations

import contextlib
import io
import os
import re

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("NANOTF_SHARED") or os.path.normpath(os.path.join(HERE, "..", "..", "..",
                                                                          "shared"))
SEEDS = os.path.join(SHARED, "seeds")
DATASETS = os.path.join(SHARED, "datasets")


def require_shared():
    """Skips the calling test when ../shared is not beside the checkout."""
    if not os.path.isdir(SEEDS):
        pytest.skip(f"../shared/seeds not found at {SEEDS} (the seed notes live outside the repo)")


def note(prefix: str) -> str:
    """The text of the seed note whose file name starts with `prefix`."""
    require_shared()
    for name in sorted(os.listdir(SEEDS)):
        if name.startswith(prefix):
            with open(os.path.join(SEEDS, name), encoding="utf-8") as f:
                return f.read()
    pytest.skip(f"seed note {prefix}* not found in {SEEDS}")


def fenced_blocks(text: str) -> list:
    """[(code, printed_output)] for each ```python block; output is the indented text after it."""
    out = []
    for m in re.finditer(r"```python\n(.*?)```\n", text, re.S):
        code = m.group(1)
        rest = text[m.end():]
        lines = []
        for line in rest.split("\n"):
            if line.startswith("```"):
                break
            if line.startswith("    ") or line.strip() == "":
                lines.append(line[4:])
            else:
                break
        printed = "\n".join(lines).strip("\n")
        out.append((code, printed))
    return out


def run(code: str, ns: dict) -> str:
    """Runs `code` in `ns` with `tensorflow` meaning nanotf; returns what it printed."""
    import nanotf
    from nanotf._src.dropin import uninstall_tensorflow_alias

    nanotf.install_as_tensorflow()
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            exec(compile(code, "<seed>", "exec"), ns)
    finally:  # leave `import tensorflow` alone for other tests' libraries
        uninstall_tensorflow_alias()
    return buf.getvalue()


def normalize(s: str) -> str:
    """Whitespace-insensitive at line ends (notebook output keeps trailing spaces)."""
    return "\n".join(line.rstrip() for line in s.strip("\n").split("\n"))


def make_mirror(tmp_path, monkeypatch) -> str:
    """A dataset mirror folder built from ../shared/datasets, used through NANOTF_DATASETS_MIRROR.

    MNIST: the 5,000 real training digits and the 10,000 official test digits (IDX files).
    Fashion-MNIST: the same files under `fashion-mnist/` (stand-ins of the same layout).
    The Keras cache goes to a temporary KERAS_HOME, so nothing outside tmp_path is touched.
    """
    require_shared()
    from nanotf._src.keras.data_utils import write_mirror_manifest

    mirror = tmp_path / "mirror"
    fashion = mirror / "fashion-mnist"
    fashion.mkdir(parents=True)
    files = {
        "train-images-idx3-ubyte.gz": os.path.join(DATASETS, "mnist-5k"),
        "train-labels-idx1-ubyte.gz": os.path.join(DATASETS, "mnist-5k"),
        "t10k-images-idx3-ubyte.gz": os.path.join(DATASETS, "mnist"),
        "t10k-labels-idx1-ubyte.gz": os.path.join(DATASETS, "mnist"),
    }
    for name, folder in files.items():
        src = os.path.join(folder, name)
        if not os.path.exists(src):
            pytest.skip(f"{src} missing from ../shared/datasets")
        os.symlink(src, mirror / name)
        os.symlink(src, fashion / name)
    write_mirror_manifest(str(mirror))
    monkeypatch.setenv("NANOTF_DATASETS_MIRROR", str(mirror))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return str(mirror)
