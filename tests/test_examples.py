"""The examples/ scripts: each seed note's script runs under `python -m nanotf` as it should.

The scripts run in subprocesses against a dataset mirror built by examples/make_mirror.py from
../shared/datasets, with the Keras cache and every output file in a temporary folder. They are
skipped when ../shared is not beside the checkout.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import re
import subprocess
import sys
import textwrap

import pytest

from tests.seeds.seedlib import DATASETS, SEEDS, fenced_blocks, normalize, note

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO, "examples")
SCRIPTS = {
    "000": "seed_000_tf1_compat.py",
    "001": "seed_001_lr_decay_and_losses.py",
    "002": "seed_002_softmax_regression.py",
    "003": "seed_003_tf2_idioms.py",
    "004": "seed_004_quickstart.py",
}
TIMEOUT = 300


def _require_shared():
    if not (os.path.isdir(SEEDS) and os.path.isdir(DATASETS)):
        pytest.skip(f"../shared not found at {os.path.dirname(SEEDS)} (seed notes and datasets)")


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _env(tmp, mirror: str) -> dict:
    env = dict(os.environ)
    env.update(
        NANOTF_DATASETS_MIRROR=mirror,
        KERAS_HOME=str(tmp / "keras_home"),
        MPLBACKEND="Agg",
        NANOTF_EXAMPLES_OUTDIR=str(tmp / "out"),
        PYTHONPATH=os.pathsep.join([REPO] + [p for p in [env.get("PYTHONPATH")] if p]),
    )
    return env


def _make_mirror_module():
    spec = importlib.util.spec_from_file_location("make_mirror", os.path.join(EXAMPLES,
                                                                              "make_mirror.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def mirror(tmp_path_factory) -> str:
    """A mirror built by the make_mirror CLI from ../shared/datasets."""
    _require_shared()
    dest = tmp_path_factory.mktemp("mirror") / "m"
    res = subprocess.run([sys.executable, os.path.join(EXAMPLES, "make_mirror.py"), "--source",
                          DATASETS, "--dest", str(dest)], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, PYTHONPATH=REPO))
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[-1] == f"export NANOTF_DATASETS_MIRROR={dest}"
    return str(dest)


@pytest.fixture(scope="module")
def runs(mirror, tmp_path_factory):
    """Runs an example on first use; key -> (returncode, stdout, stderr, output folder).

    One at a time: on a small machine, parallel runs oversubscribe the cores and take longer.
    """
    done = {}

    def run(key):
        if key not in done:
            tmp = tmp_path_factory.mktemp(f"seed_{key}")
            (tmp / "out").mkdir()
            res = subprocess.run(
                [sys.executable, "-m", "nanotf", os.path.join(EXAMPLES, SCRIPTS[key])],
                cwd=str(tmp), env=_env(tmp, mirror), capture_output=True, text=True,
                encoding="utf-8", timeout=TIMEOUT)
            done[key] = (res.returncode, res.stdout, res.stderr, str(tmp / "out"))
        return done[key]

    return run


def _ok(runs, key) -> tuple:
    rc, out, err, outdir = runs(key)
    assert rc == 0, f"{SCRIPTS[key]} exited {rc}:\n{err[-3000:]}"
    return out, outdir


def _assert_code_kept(blocks, key):
    """Each line of the note's code is in the script, in the note's order."""
    with open(os.path.join(EXAMPLES, SCRIPTS[key]), encoding="utf-8") as f:
        lines = [line.strip() for line in f]
    pos = 0
    for block in blocks:
        for want in (w.strip() for w in block.split("\n")):
            if not want:
                continue
            hits = [i for i in range(pos, len(lines)) if want in lines[i]]
            assert hits, f"{SCRIPTS[key]}: note line missing or out of order: {want!r}"
            pos = hits[0] + 1


# -- make_mirror ---------------------------------------------------------------------------------


def test_make_mirror_from_a_flat_folder_of_idx_files(tmp_path):
    _require_shared()
    flat = tmp_path / "idx"
    flat.mkdir()
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        os.symlink(os.path.join(DATASETS, "mnist-5k", name), flat / name)
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        os.symlink(os.path.join(DATASETS, "mnist", name), flat / name)
    mod = _make_mirror_module()
    dest = mod.build_mirror(str(flat), str(tmp_path / "m"), copy=True)
    import json

    with open(os.path.join(dest, "nanotf-mirror.json")) as f:
        manifest = json.load(f)
    names = sorted(mod.TRAIN + mod.TEST)
    assert sorted(manifest) == sorted(names + [f"fashion-mnist/{n}" for n in names])
    assert not os.path.islink(os.path.join(dest, names[0]))  # --copy


def test_make_mirror_reports_missing_files(tmp_path, capsys):
    mod = _make_mirror_module()
    assert mod.main(["--source", str(tmp_path), "--dest", str(tmp_path / "m")]) == 1
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err


# -- the seed scripts ----------------------------------------------------------------------------


def test_seed_000_tf1_compat(runs):
    text = note("000")
    blocks = [textwrap.dedent(b) for b in re.findall(r"```python\n(.*?)\n\s*```", text, re.S)]
    _assert_code_kept(blocks, "000")
    out, _ = _ok(runs, "000")
    assert out.splitlines()[0] == "2.10.0"  # tf.__version__: the Keras 2 era nanotf follows
    assert "Item 5 as written: TypeError: " in out and "metrix" in out
    assert re.search(r"Item 6 with item 4's model: (ValueError|InvalidArgumentError): ", out)
    assert len(re.findall(r"157/157 \[=+\] - ", out)) == 5  # the completed model's 5 epochs
    acc = float(re.search(r"313/313 - \d+s - loss: \d\.\d{4} - accuracy: (\d\.\d{4})", out)[1])
    assert acc > 0.9
    # TF 2.21's values for the note's label_id / label_prob example
    assert "loss_1 (sparse, label ids):       [0.494947   1.322974   0.13147111 0.23954484]" in out
    assert "loss_2 (dense, label probability): [0.494947   1.322974   0.3714711  0.63954484]" in out
    assert re.search(r"fused loss .*: \[2000\.\]\s+two-step: \[inf\]", out)


def test_seed_001_prints_the_notes_output(runs):
    blocks = fenced_blocks(note("001"))
    _assert_code_kept([code for code, _ in blocks], "001")
    out, outdir = _ok(runs, "001")
    got = normalize(out)
    pos = 0
    for _code, printed in blocks:  # every printed output of the note, in order, digit for digit
        if printed:
            i = got.find(normalize(printed), pos)
            assert i >= 0, f"note output not printed:\n{printed[:300]}"
            pos = i + len(normalize(printed))
    if _has("matplotlib"):
        assert os.path.isfile(os.path.join(outdir, "seed_001_activations.png"))


def test_seed_002_softmax_regression(runs):
    blocks = fenced_blocks(note("002"))
    _assert_code_kept([code for code, _ in blocks], "002")
    out, outdir = _ok(runs, "002")
    assert "(5000, 10000)\n" in out  # the mirror's 5,000 training stand-ins, the 10,000 test images
    for i in (11, 12, 16, 17, 21):  # data-independent outputs equal the note's
        assert normalize(blocks[i][1]) in normalize(out), blocks[i][0]
    epochs = re.findall(r"epoch (\d), loss \d\.\d{4}, train acc \d\.\d{3}, test acc (\d\.\d{3})",
                        out)
    assert [e[0] for e in epochs] == list("12345") * 2
    assert float(epochs[4][1]) > 0.5  # mnist-5k is sorted by class and the note does not shuffle
    assert len(re.findall(r"20/20 \[=+\] - .* - loss: \d\.\d{4} - accuracy: \d\.\d{4}", out)) == 5
    assert float(re.search(r"Test Acc: (0\.\d+)", out)[1]) > 0.8
    if _has("matplotlib"):
        assert sorted(os.listdir(outdir)) == ["seed_002_figure_1.png", "seed_002_figure_2.png"]


def test_seed_003_tf2_idioms(runs):
    from tests.seeds.test_seed_003 import _fragments

    frags = _fragments(note("003"))
    _assert_code_kept([frags[i] for i in (0, 2, 4, 5, 6)], "003")  # 1 and 3 are not Python
    out, outdir = _ok(runs, "003")
    for n in ("2.1 ", "2.2.1 ", "2.2.2 ", "2.3.2 ", "2.4 ", "2.5 ", "2.6 "):
        assert f"\n{n}" in "\n" + out, n
    assert "layers[3].trainable_variables: ['dense_3/kernel:0', 'dense_3/bias:0']" in out
    assert "2.2.2 SegPosEmbedding: (2, 6, 16)" in out
    assert "equal: True" in out
    assert glob.glob(os.path.join(outdir, "summaries", "train", "events.out.tfevents.*"))
    if _has("sklearn"):
        assert out.count("Epoch ") == 500 and out.count("val_loss") == 25
        assert "2.3.1 predict: [" in out
    else:
        assert "2.3.1 skipped" in out


def test_seed_004_quickstart(runs):
    from tests.seeds.test_seed_004 import CELLS  # the note's cells, each checked verbatim there

    _assert_code_kept(CELLS, "004")
    out, _ = _ok(runs, "004")
    bar = r"157/157 \[==============================\] - \d+s \d+[mu]?s/step - loss: \d\.\d{4} - " \
          r"accuracy: \d\.\d{4}"
    assert len(re.findall(bar, out)) == 5
    line = re.search(r"313/313 - \d+s - loss: \d\.\d{4} - accuracy: (\d\.\d{4}) - "
                     r"\d+[mu]?s/epoch - \d+[mu]?s/step\n\[0\.\d+, (0\.\d+)\]\n", out)
    assert line and float(line[2]) >= 0.915  # TF 2.21 reaches 0.926 on the same data
    assert "<tf.Tensor: shape=(5, 10), dtype=float32, numpy=\narray([[" in out
