"""Run nanotf's benchmarks side by side with TensorFlow and PyTorch; print a table of ratios.

    python benchmarks/run.py [--tf /path/to/tf-venv/bin/python] [--torch /path/to/torch-venv/bin/python]
                             [--repeat 3] [--only W3,add] [--out docs/benchmarks.md]

Each workload is a small script that prints one JSON line `{"workload": ..., "seconds": ...}`. The tf-API
scripts run unchanged under TensorFlow (its interpreter) and under nanotf (`python -m nanotf script.py`);
PyTorch and NumPy-floor versions live beside them. Runs alternate between frameworks and the median of
`--repeat` runs is reported. Nothing here is an assertion: the numbers are for reading.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# name -> (tf-API script + args, torch script, numpy-floor script); None where there is none
WORKLOADS = {
    "add": ("micro_add.py", None, None),
    "W1 fit": ("w1_fit.py", "torch_w1.py", "numpy_w1.py"),
    "W1 evaluate": ("w1_fit.py --evaluate", "torch_w1.py --evaluate", None),
    "W1 predict": ("w1_fit.py --predict", None, None),
    "W2": ("w2_softmax.py", "torch_w2.py", "numpy_w2.py"),
    "W2 step (tf.function)": ("w2_function.py", None, None),
    "W3": ("w3_mse.py", "torch_w3.py", "numpy_w3.py"),
    "W4 CNN": ("w4_cnn.py", "torch_w4.py", "numpy_w4.py"),
    "data": ("data_pipeline.py", None, None),
    "import": ("import_time.py", None, None),
}


def _run(cmd: list, env=None) -> dict | None:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env, cwd=HERE)
    except subprocess.TimeoutExpired:
        return None
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    sys.stderr.write(f"[{' '.join(cmd)}] failed:\n{out.stderr[-2000:]}\n")
    return None


def _cmd(python: str, script: str, nanotf: bool) -> list:
    parts = script.split()
    path = os.path.join(HERE, parts[0])
    return [python, "-m", "nanotf", path, *parts[1:]] if nanotf else [python, path, *parts[1:]]


def measure(name: str, repeat: int, tf_py: str | None, torch_py: str | None) -> dict:
    script, torch_script, floor_script = WORKLOADS[name]
    runs: dict = {"nanotf": [], "tf": [], "torch": [], "numpy": []}
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for _ in range(repeat):  # alternate frameworks run by run
        r = _run(_cmd(sys.executable, script, True), env)
        if r:
            runs["nanotf"].append(r["seconds"])
        if tf_py:
            r = _run(_cmd(tf_py, script, False),
                     dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1"))
            if r:
                runs["tf"].append(r["seconds"])
        if torch_py and torch_script:
            r = _run(_cmd(torch_py, torch_script, False))
            if r:
                runs["torch"].append(r["seconds"])
        if floor_script:
            r = _run(_cmd(sys.executable, floor_script, False))
            if r:
                runs["numpy"].append(r["seconds"])
    return {k: statistics.median(v) if v else None for k, v in runs.items()}


def _fmt(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.0f} ms"
    return f"{s:.2f} s"


def _ratio(a, b) -> str:
    return "—" if a is None or b is None else f"{a / b:.2f}"


def table(results: dict) -> str:
    lines = ["| workload | nanotf | TF 2.21 | PyTorch | NumPy floor | nanotf/TF | nanotf/PyTorch |",
             "|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        lines.append(f"| {name} | {_fmt(r['nanotf'])} | {_fmt(r['tf'])} | {_fmt(r['torch'])} | "
                     f"{_fmt(r['numpy'])} | {_ratio(r['nanotf'], r['tf'])} | "
                     f"{_ratio(r['nanotf'], r['torch'])} |")
    return "\n".join(lines)


def _default(path: str) -> str | None:
    return path if os.path.exists(path) else None


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tf", default=os.environ.get("NANOTF_BENCH_TF") or _default(
        os.path.join(ROOT, "..", "tfenv", "bin", "python")))
    p.add_argument("--torch", default=os.environ.get("NANOTF_BENCH_TORCH") or _default(
        os.path.join(ROOT, "..", "torchenv", "bin", "python")))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", default="")
    p.add_argument("--out", default="")
    a = p.parse_args(argv)
    names = [n.strip() for n in a.only.split(",") if n.strip()] or list(WORKLOADS)
    results = {}
    for n in names:
        results[n] = measure(n, a.repeat, a.tf, a.torch)
        print(f"{n}: {results[n]}", file=sys.stderr)
    text = table(results)
    print(text)
    if a.out:
        info = (f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
                f"{os.cpu_count()} cores, Python {platform.python_version()}; medians of "
                f"{a.repeat} alternating runs.\n\n")
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            f.write("# Benchmarks\n\n" + info + text + "\n")
        os.replace(tmp, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
