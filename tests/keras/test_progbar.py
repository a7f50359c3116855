"""Tests for the Keras 2 progress bar.

Expected strings marked "tf_keras" were produced by tf_keras's `Progbar` (TF 2.21,
TF_USE_LEGACY_KERAS=1) driven by the same fake clock, with `\\b` backspaces removed (we redraw with
`\\r` alone) and, for piped output, only its last line kept.
"""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stdout

import numpy as np
import pytest

from nanotf._src.keras.progbar import Progbar


class Clock:
    """Fake clock: each call returns the previous time plus `dt` (starting at 1000.0)."""

    def __init__(self, dt: float) -> None:
        self.now = 1000.0
        self.dt = dt

    def __call__(self) -> float:
        value = self.now
        self.now += self.dt
        return value


class FakeTTY(io.StringIO):
    """A stdout stand-in that claims to be a terminal and counts flushes."""

    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def isatty(self) -> bool:
        return True

    def flush(self) -> None:
        self.flushes += 1


@pytest.fixture(autouse=True)
def _no_jupyter(monkeypatch):
    # A loaded ipykernel would switch every bar to in-place mode.
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)


@pytest.fixture
def tty():
    # Redirected inside each test body: pytest re-installs its own capture after fixture setup.
    return FakeTTY()


def default_values(i):
    return [("loss", 1.0 / (i + 1)), ("accuracy", 0.5 + i / 100)]


def drive(target, dt, n=None, values=default_values, **kwargs):
    bar = Progbar(target, _time=Clock(dt), **kwargs)
    for i in range(target if n is None else n):
        bar.update(i + 1, values(i))
    return bar


# -- piped output (not a terminal): one plain final line -------------------------------------


def test_verbose1_piped_final_line_only(capsys):
    drive(1875, 0.0016)
    out = capsys.readouterr().out
    # tf_keras
    assert out == (
        "1875/1875 [==============================] - 3s 2ms/step"
        " - loss: 0.0043 - accuracy: 9.8700\n"
    )


def test_verbose2_line_with_epoch_and_step_times(capsys):
    drive(313, 0.0011, verbose=2)
    # tf_keras
    assert capsys.readouterr().out == (
        "313/313 - 0s - loss: 0.0202 - accuracy: 2.0600 - 344ms/epoch - 1ms/step\n"
    )


def test_piped_output_has_no_control_characters(capsys):
    drive(10, 0.6)
    drive(None, 0.03, n=5).update(5, finalize=True)
    out = capsys.readouterr().out
    for ch in ("\r", "\b", "\x1b"):
        assert ch not in out
    assert out.count("\n") == 2


def test_verbose0_prints_nothing(capsys, tty):
    drive(8, 0.1, verbose=0)
    with redirect_stdout(tty):
        drive(8, 0.1, verbose=0)
    assert tty.getvalue() == ""
    assert capsys.readouterr().out == ""


# -- terminal output: in-place redraws --------------------------------------------------------


def test_tty_redraws_in_place(tty):
    with redirect_stdout(tty):
        drive(10, 0.6)
    # tf_keras
    assert tty.getvalue() == (
        "\r 1/10 [==>...........................] - ETA: 5s - loss: 1.0000 - accuracy: 0.5000"
        "\r 2/10 [=====>........................] - ETA: 4s - loss: 0.7500 - accuracy: 0.5050"
        "\r 3/10 [========>.....................] - ETA: 4s - loss: 0.6111 - accuracy: 0.5100"
        "\r 4/10 [===========>..................] - ETA: 3s - loss: 0.5208 - accuracy: 0.5150"
        "\r 5/10 [==============>...............] - ETA: 3s - loss: 0.4567 - accuracy: 0.5200"
        "\r 6/10 [=================>............] - ETA: 2s - loss: 0.4083 - accuracy: 0.5250"
        "\r 7/10 [====================>.........] - ETA: 1s - loss: 0.3704 - accuracy: 0.5300"
        "\r 8/10 [=======================>......] - ETA: 1s - loss: 0.3397 - accuracy: 0.5350"
        "\r 9/10 [==========================>...] - ETA: 0s - loss: 0.3143 - accuracy: 0.5400"
        "\r10/10 [==============================] - 6s 600ms/step - loss: 0.2929 - accuracy: 0.5450"
        "\n"
    )
    assert tty.flushes == 10
    assert "\b" not in tty.getvalue()


def test_tty_pads_over_a_longer_previous_line(tty):
    with redirect_stdout(tty):
        drive(10, 2.5)
    frames = tty.getvalue().split("\r")
    # tf_keras: the ETA shrinks from "10s" to "7s", so one space blanks the old last character.
    assert frames[6] == (
        " 6/10 [=================>............] - ETA: 10s - loss: 0.4083 - accuracy: 0.5250"
    )
    assert frames[7] == (
        " 7/10 [====================>.........] - ETA: 7s - loss: 0.3704 - accuracy: 0.5300 "
    )
    assert frames[-1] == (
        "10/10 [==============================] - 25s 2s/step - loss: 0.2929 - accuracy: 0.5450\n"
    )


def test_tty_is_throttled_by_interval(tty):
    with redirect_stdout(tty):
        drive(20, 0.01)  # interval 0.05: roughly every 6th step is drawn, and the last one always
    # tf_keras
    assert tty.getvalue() == (
        "\r 1/20 [>.............................] - ETA: 0s - loss: 1.0000 - accuracy: 0.5000"
        "\r 7/20 [=========>....................] - ETA: 0s - loss: 0.3704 - accuracy: 0.5300"
        "\r13/20 [==================>...........] - ETA: 0s - loss: 0.2446 - accuracy: 0.5600"
        "\r19/20 [===========================>..] - ETA: 0s - loss: 0.1867 - accuracy: 0.5900"
        "\r20/20 [==============================] - 0s 10ms/step"
        " - loss: 0.1799 - accuracy: 0.5950\n"
    )


def test_interval_zero_draws_every_update(tty):
    with redirect_stdout(tty):
        drive(20, 0.01, interval=0.0)
    assert tty.getvalue().count("\r") == 20


def test_eta_formats(tty):
    with redirect_stdout(tty):
        drive(100, 37.0, width=20, interval=0.0)
    frames = tty.getvalue().split("\r")
    # tf_keras
    assert frames[1] == (
        "  1/100 [....................] - ETA: 1:01:03 - loss: 1.0000 - accuracy: 0.5000"
    )
    assert frames[85].startswith(" 85/100 [================>...] - ETA: 9:15 - loss: 0.0591")
    assert frames[97].startswith(" 97/100 [==================>.] - ETA: 1:51 - loss: 0.0532")
    assert frames[99].startswith(" 99/100 [==================>.] - ETA: 37s - ")
    assert frames[100].startswith("100/100 [====================] - 3700s 37s/step - ")


def test_step_zero_and_large_values(tty):
    with redirect_stdout(tty):
        bar = Progbar(3, interval=0.0, _time=Clock(0.2))
        bar.update(0)
        bar.update(1, [("x", 123456.789)])
        bar.update(3, [("x", 2e-4)])
    # tf_keras
    assert tty.getvalue() == (
        "\r0/3 [..............................] - ETA: 0s"
        "\r1/3 [=========>....................] - ETA: 0s - x: 123456.7890"
        "\r3/3 [==============================] - 1s 100ms/step - x: 41152.2631\n"
    )


def test_dynamic_display_detection(tty, monkeypatch):
    with redirect_stdout(tty):
        assert Progbar(3)._dynamic_display is True
    with redirect_stdout(io.StringIO()):
        assert Progbar(3)._dynamic_display is False
        monkeypatch.setitem(sys.modules, "ipykernel", sys)
        assert Progbar(3)._dynamic_display is True


# -- unknown target ---------------------------------------------------------------------------


def test_unknown_target_tty_and_piped(tty):
    with redirect_stdout(tty):
        bar = drive(None, 0.03, n=12)
        bar.update(12, [("loss", 3.0)], finalize=True)
    # tf_keras
    assert tty.getvalue() == (
        "\r      1/Unknown - 0s 30ms/step - loss: 1.0000 - accuracy: 0.5000"
        "\r      3/Unknown - 0s 30ms/step - loss: 0.6111 - accuracy: 0.5100"
        "\r      5/Unknown - 0s 30ms/step - loss: 0.4567 - accuracy: 0.5200"
        "\r      7/Unknown - 0s 30ms/step - loss: 0.3704 - accuracy: 0.5300"
        "\r      9/Unknown - 0s 30ms/step - loss: 0.3143 - accuracy: 0.5400"
        "\r     11/Unknown - 0s 30ms/step - loss: 0.2745 - accuracy: 0.5500"
        "\r     12/Unknown - 0s 33ms/step - loss: 0.4695 - accuracy: 0.5550\n"
    )
    piped = io.StringIO()
    with redirect_stdout(piped):
        bar = drive(None, 0.03, n=12)
        assert piped.getvalue() == ""  # never finalized: nothing shown when piped
        bar.update(12, [("loss", 3.0)], finalize=True)
    assert piped.getvalue() == (
        "     12/Unknown - 0s 33ms/step - loss: 0.4695 - accuracy: 0.5550\n"
    )


def test_unknown_target_verbose2(capsys):
    bar = Progbar(None, verbose=2, _time=Clock(0.5))
    bar.update(4, [("loss", 1.0)], finalize=True)
    assert capsys.readouterr().out == "4/Unknown - 0s - loss: 1.0000\n"


# -- values -----------------------------------------------------------------------------------


def test_values_are_averaged_weighted_by_steps(capsys):
    bar = Progbar(4, verbose=2, _time=Clock(0.25))
    bar.add(1, [("loss", 1.0)])
    bar.add(3, [("loss", 3.0)])
    # tf_keras: (1 * 1 + 3 * 3) / 4
    assert capsys.readouterr().out == "4/4 - 0s - loss: 2.5000 - 500ms/epoch - 125ms/step\n"


def test_repeated_final_step_still_counts(capsys):
    bar = Progbar(2, verbose=2, _time=Clock(0.0))
    bar.update(1, [("loss", 1.0)])
    bar.update(1, [("loss", 5.0)])  # same step again: weighted as one step
    bar.update(2, [("loss", 0.0)])
    assert "loss: 2.0000" in capsys.readouterr().out


def test_stateful_metrics_shown_as_is(tty):
    with redirect_stdout(tty):
        bar = Progbar(7, stateful_metrics=["acc"], _time=Clock(0.1))
        for i in range(7):
            bar.update(i + 1, [("acc", i * 0.1), ("loss", -0.5 * i)])
    frames = tty.getvalue().split("\r")
    # tf_keras: zero and small values use %.4e; the shorter frame 3 is not padded (only longer
    # previous lines are), frame 2 is padded over frame 1.
    assert frames[1] == (
        "1/7 [===>..........................] - ETA: 0s - acc: 0.0000e+00 - loss: 0.0000e+00"
    )
    assert frames[2] == (
        "2/7 [=======>......................] - ETA: 0s - acc: 0.1000 - loss: -0.2500       "
    )
    assert frames[7] == (
        "7/7 [==============================] - 1s 100ms/step - acc: 0.6000 - loss: -1.5000\n"
    )


def test_verbose2_negative_values_use_scientific_notation(capsys):
    bar = Progbar(7, verbose=2, stateful_metrics=["acc"], _time=Clock(0.1))
    for i in range(7):
        bar.update(i + 1, [("acc", i * 0.1), ("loss", -0.5 * i), ("tiny", 1e-5)])
    # tf_keras: verbose=2 compares the signed value with 1e-3, unlike verbose=1.
    assert capsys.readouterr().out == (
        "7/7 - 1s - acc: 0.6000 - loss: -1.5000e+00 - tiny: 1.0000e-05 - 700ms/epoch - 100ms/step\n"
    )


def test_tensor_like_and_array_values(capsys):
    class TensorLike:
        def __init__(self, value):
            self.value = value

        def numpy(self):
            return np.float32(self.value)

    bar = Progbar(2, verbose=2, _time=Clock(0.0))
    bar.update(1, [("loss", TensorLike(0.25)), ("vec", np.array([1.0, 3.0]))])
    bar.update(2, {"loss": TensorLike(0.75), "vec": np.array([3.0, 5.0])})
    assert capsys.readouterr().out == (
        "2/2 - 0s - loss: 0.5000 - vec: 3.0000 - 0s/epoch - 0s/step\n"
    )


# -- time units -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, dt, kwargs, expected",
    [
        # tf_keras
        (5, 0.00002, {}, "5/5 [==============================] - 0s 20us/step"),
        (10, 0.6, {}, "10/10 [==============================] - 6s 600ms/step"),
        (100, 37.0, {"width": 20}, "100/100 [====================] - 3700s 37s/step"),
    ],
)
def test_time_per_step_units(capsys, target, dt, kwargs, expected):
    drive(target, dt, **kwargs)
    assert capsys.readouterr().out.startswith(expected + " - loss: ")


def test_unit_name_and_add(capsys):
    bar = Progbar(50, unit_name="sample", _time=Clock(0.2))
    for _ in range(5):
        bar.add(10, [("loss", 0.0)])
    # tf_keras
    assert capsys.readouterr().out == (
        "50/50 [==============================] - 1s 20ms/sample - loss: 0.0000e+00\n"
    )


def test_zero_duration_shows_zero_seconds(capsys):
    Progbar(20, verbose=2, _time=Clock(0.0)).update(20, [("loss", 0.1)])
    # tf_keras
    assert capsys.readouterr().out == "20/20 - 0s - loss: 0.1000 - 0s/epoch - 0s/step\n"


def test_verbose2_finalize_before_target_ends_line(capsys):
    bar = Progbar(10, verbose=2, _time=Clock(0.5))
    bar.update(4, [("loss", 1.0)])
    assert capsys.readouterr().out == ""
    bar.update(6, [("loss", 4.0)], finalize=True)
    # No epoch times (the target was not reached); unlike Keras 2 the line is ended.
    assert capsys.readouterr().out == " 6/10 - 1s - loss: 2.0000\n"
