"""The Keras 2 progress bar (`tf.keras.utils.Progbar`): rendering only.

The layout follows Keras 2 (TF <= 2.10, tf_keras) character for character. Two deliberate
differences, both about the terminal and not the text:

- In place updates use `\\r` plus trailing padding instead of Keras 2's `\\b` backspaces.
- In place updates happen only when stdout is a terminal or inside Jupyter/Colab (Keras 2 also
  assumes a terminal whenever the `posix` module is loaded, i.e. always on Linux and macOS). When
  piped, a verbose=1 bar prints just its final line, so logs hold no `\\r`, `\\b` or ANSI codes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Sequence, Tuple, Union

import numpy as np

__all__ = ["Progbar"]

_Values = Union[Sequence[Tuple[str, Any]], Mapping[str, Any], None]


def _stream_is_dynamic(stream: Any) -> bool:
    """True when `\\r` redraws are visible: a terminal, or a Jupyter/Colab kernel."""
    if "ipykernel" in sys.modules:
        return True
    isatty = getattr(stream, "isatty", None)
    if isatty is None:
        return False
    try:
        return bool(isatty())
    except (ValueError, OSError):  # closed or detached stream
        return False


def _to_host(value: Any) -> Any:
    """Turns a tensor-like (anything with `.numpy()`) into a NumPy value; leaves others alone."""
    numpy = getattr(value, "numpy", None)
    if callable(numpy):
        return numpy()
    return value


def _format_duration(seconds: float, unit_name: str) -> str:
    """Formats a per-unit duration like Keras 2: `' 3s/epoch'`, `' 12ms/step'`, `' 85us/step'`."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(eta: float) -> str:
    """Formats the remaining time: `'5s'`, `'1:05'` (over a minute), `'1:01:05'` (over an hour)."""
    # Truncated, not rounded (Keras 2 uses `%d`): 59.9 seconds shows as 59s.
    if eta > 3600:
        return f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"


def _counter(current: float, target: float) -> str:
    """`' 7/10'`: the step right-aligned to the width of the target (integer parts, as `%d`)."""
    digits = len(str(int(target))) if target >= 1 else 1
    return f"{int(current):{digits}d}/{int(target)}"


class Progbar:
    """Displays a progress bar.

    Args:
        target: Total number of steps expected, None if unknown.
        width: Progress bar width on screen, in characters.
        verbose: Verbosity mode, 0 (silent), 1 (progress bar), 2 (one line at the end).
        interval: Minimum time in seconds between two redraws of the bar (verbose=1).
        stateful_metrics: Iterable of names of metrics that should *not* be averaged over
            steps. These are displayed as given; all others are shown as a step-weighted
            running average.
        unit_name: Display name for step counts (usually "step" or "sample").

    Example:

    >>> bar = tf.keras.utils.Progbar(3)
    >>> for step in range(3):
    ...     bar.update(step + 1, values=[("loss", 0.5)])
    3/3 [==============================] - 0s 1ms/step - loss: 0.5000
    """

    def __init__(
        self,
        target: int | None,
        width: int = 30,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Iterable[str] | None = None,
        unit_name: str = "step",
        *,
        _time: Callable[[], float] | None = None,
    ) -> None:
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()

        # Injectable clock so tests can render deterministic times.
        self._time = _time if _time is not None else time.time
        self._dynamic_display = _stream_is_dynamic(sys.stdout)
        # Width of what is on the current terminal line (0 after a newline), to pad redraws.
        self._total_width = 0
        self._seen_so_far = 0
        # name -> [weighted sum, weight]; a stateful metric is stored as [value, 1].
        self._values: dict = {}
        self._values_order: list = []
        self._start = self._time()
        # None: never drawn yet, so the first draw is never throttled.
        self._last_update: float | None = None
        self._time_at_epoch_start = self._start
        self._time_at_epoch_end: float | None = None
        self._time_after_first_step: float | None = None

    def update(self, current: int, values: _Values = None, finalize: bool | None = None) -> None:
        """Updates the progress bar.

        Args:
            current: Index of the current step (steps seen so far).
            values: List of `(name, value_for_last_step)` tuples (or a dict). A name in
                `stateful_metrics` is shown as given; any other is averaged over steps,
                weighted by the steps covered by each update.
            finalize: Whether this is the last update of the bar. If None, it is
                `current >= target` (never, when the target is unknown).
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target

        self._accumulate(current, values)
        self._seen_so_far = current

        now = self._time()
        info = f" - {now - self._start:.0f}s"
        if current == self.target:
            self._time_at_epoch_end = now

        if self.verbose == 1:
            throttled = self._last_update is not None and now - self._last_update < self.interval
            if throttled and not finalize:
                return
            self._render_bar(current, now, info, finalize)
        elif self.verbose == 2 and finalize:
            self._render_line(current, now, info)

        self._last_update = now

    def add(self, n: int, values: _Values = None) -> None:
        """Advances the bar by `n` steps; see `update` for `values`."""
        self.update(self._seen_so_far + n, values)

    # -- internals ------------------------------------------------------------------------

    def _accumulate(self, current: int, values: _Values) -> None:
        if not values:
            return
        items = values.items() if isinstance(values, Mapping) else values
        for name, value in items:
            value = _to_host(value)
            if name not in self._values_order:
                self._values_order.append(name)
            if name in self.stateful_metrics:
                self._values[name] = [value, 1]
                continue
            # At least 1: an epoch-end update may repeat the last step's `current`, and
            # its value must still count.
            steps = max(current - self._seen_so_far, 1)
            if name in self._values:
                self._values[name][0] += value * steps
                self._values[name][1] += steps
            else:
                self._values[name] = [value * steps, steps]

    def _average(self, name: str) -> Any:
        total, count = self._values[name]
        return np.mean(total / max(1, count))

    def _metrics_text(self, signed: bool) -> str:
        # Keras 2 tests `abs(avg)` for the bar but `avg` for the verbose=2 line, so a negative
        # value prints in scientific notation there; kept for identical logs.
        text = ""
        for name in self._values_order:
            avg = self._average(name)
            large = abs(avg) > 1e-3 if signed else avg > 1e-3
            text += f" - {name}: {avg:.4f}" if large else f" - {name}: {avg:.4e}"
        return text

    def _estimate_step_duration(self, current: int, now: float) -> float:
        """Seconds per step; leaves out the (slow, warm-up) first step once there are others."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step

    def _render_bar(self, current: int, now: float, info: str, finalize: bool) -> None:
        target = self.target
        if target is not None:
            bar = f"{_counter(current, target)} ["
            progress = float(current) / target if target else 1.0
            filled = int(self.width * progress)
            if filled > 0:
                bar += "=" * (filled - 1) + (">" if current < target else "=")
            bar += "." * (self.width - filled) + "]"
        else:
            bar = f"{int(current):7d}/Unknown"

        per_step = self._estimate_step_duration(current, now)
        if target is None or finalize:
            info += _format_duration(per_step, self.unit_name)
        else:
            info = " - ETA: " + _format_eta(per_step * (target - current))
        info += self._metrics_text(signed=True)

        if self._dynamic_display:
            line = bar + info
            # Blank out the tail of a longer previous line.
            pad = " " * max(0, self._total_width - len(line))
            self._total_width = 0 if finalize else len(line)
            _write("\r" + line + pad + ("\n" if finalize else ""))
        elif finalize:
            # Piped output: only the finished bar, as one plain line.
            _write(bar + info + "\n")

    def _render_line(self, current: int, now: float, info: str) -> None:
        target = self.target
        if target is None:
            # Keras 2 fails here (log10 of None); show the count instead.
            count = f"{current}/Unknown"
        else:
            count = _counter(current, target)
        line = count + info + self._metrics_text(signed=False)
        if self._time_at_epoch_end is not None:
            per_epoch = self._time_at_epoch_end - self._time_at_epoch_start
            per_step = per_epoch / target if target else 0.0
            self._time_at_epoch_start = now
            self._time_at_epoch_end = None
            line += " -" + _format_duration(per_epoch, "epoch")
            line += " -" + _format_duration(per_step, self.unit_name)
        # Keras 2 omits this newline when finalizing short of the target, which glues the
        # next print onto the line; always end it.
        _write(line + "\n")

    def _update_stateful_metrics(self, stateful_metrics: Iterable[str]) -> None:
        """Adds names to `stateful_metrics` (used by the fit loop's progress logger)."""
        self.stateful_metrics = self.stateful_metrics.union(stateful_metrics)


def _write(text: str) -> None:
    # Look stdout up at call time so redirections (pytest's capsys, contextlib) are honoured.
    stream = sys.stdout
    stream.write(text)
    stream.flush()
