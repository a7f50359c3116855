"""Seed 002 (softmax regression, from scratch and concise): every ```python block runs unchanged.

The note is a Jupyter notebook, so blocks run in IPython (magics such as `%matplotlib inline` work).
Fashion-MNIST is served from a local mirror of MNIST-format files (../shared/datasets), so
data-dependent numbers are checked by format; data-independent outputs must equal the note's.
"""

import os
import re

import pytest

from tests.seeds.seedlib import fenced_blocks, make_mirror, normalize, note


@pytest.fixture
def shell(monkeypatch):
    pytest.importorskip("IPython", reason="the note is a notebook: IPython runs its cells")
    pytest.importorskip("matplotlib", reason="the note plots with matplotlib")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    from IPython.core.interactiveshell import InteractiveShell

    import nanotf

    class NotebookShell(InteractiveShell):
        def enable_gui(self, gui=None):  # `%matplotlib inline` draws nothing here
            return None

    from nanotf._src.dropin import uninstall_tensorflow_alias

    nanotf.install_as_tensorflow()
    sh = NotebookShell.instance()
    yield sh
    NotebookShell.clear_instance()
    uninstall_tensorflow_alias()


def _run(shell, code, capsys):
    res = shell.run_cell(code, store_history=False, silent=False)
    out = capsys.readouterr().out
    if res.error_in_exec is not None:
        raise res.error_in_exec
    if res.error_before_exec is not None:
        raise res.error_before_exec
    return out, res.result


EXACT = {  # block index -> what the note prints (data-independent)
    11: "tf.Tensor([[5 7 9]], shape=(1, 3), dtype=int32)\ntf.Tensor(\n[[ 6]\n [15]], shape=(2, 1), "
        "dtype=int32)",
    12: "tf.Tensor([5 7 9], shape=(3,), dtype=int32)\ntf.Tensor([ 6 15], shape=(2,), dtype=int32)",
    21: "0.5",
}
REPRS = {16, 17}  # the cell's value repr equals the note's output


def test_all_blocks_run_unchanged(shell, tmp_path, monkeypatch, capsys):
    blocks = fenced_blocks(note("002"))
    make_mirror(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    outs = []
    for i, (code, printed) in enumerate(blocks):
        out, value = _run(shell, code, capsys)
        outs.append((out, value))
        if i in EXACT:
            assert normalize(out) == normalize(EXACT[i]) == normalize(printed)
        if i in REPRS:
            assert normalize(repr(value)) == normalize(printed)
    # formats of data-dependent outputs
    assert re.fullmatch(r"\(28, 28\) uint8 <class 'numpy.ndarray'>\n"
                        r"\d uint8 <class 'numpy.uint8'>\n", outs[3][0])
    assert re.fullmatch(r"\d+\.\d\d sec\n", outs[8][0])
    x_prob, row_sums = outs[14][1]
    assert repr(x_prob).startswith("<tf.Tensor: shape=(2, 5), dtype=float32, numpy=\narray([[")
    assert repr(row_sums).startswith("<tf.Tensor: shape=(2,), dtype=float32, numpy=array([")
    assert re.fullmatch(r"0\.\d+\n", outs[23][0])
    epochs = re.findall(r"epoch (\d), loss (\d\.\d{4}), train acc (\d\.\d{3}), "
                        r"test acc (\d\.\d{3})", outs[25][0])
    assert [e[0] for e in epochs] == ["1", "2", "3", "4", "5"]
    # mnist-5k is sorted by class and the note does not shuffle, so accuracy stays modest
    assert float(epochs[-1][3]) > 0.5
    assert "Test Acc:" in outs[39][0]
    second = re.findall(r"epoch \d, loss \d\.\d{4}, train acc \d\.\d{3}, test acc \d\.\d{3}",
                        outs[40][0])
    assert len(second) == 5
    assert os.environ["NANOTF_DATASETS_MIRROR"]
