"""Run nanotf's benchmarks side by side with TensorFlow and PyTorch; print a table of ratios.

    python benchmarks/run.py [--tf /path/to/tf-venv/bin/python]
                             [--torch /path/to/torch-venv/bin/python]
                             [--repeat 3] [--only W3,add] [--out docs/benchmarks.md]

Each workload is a small script that prints one JSON line `{"workload": ..., "seconds": ...}`. The
tf-API scripts run unchanged under TensorFlow (its interpreter) and under nanotf (`python -m nanotf
script.py`); PyTorch and NumPy-floor versions live beside them. Runs alternate between frameworks
and the median of `--repeat` runs is reported. Nothing here is an assertion: the numbers are for
reading.
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
    "W1 evaluate": ("w1_fit.py --evaluate", "torch_w1.py --evaluate", "numpy_w1.py --evaluate"),
    "W1 predict": ("w1_fit.py --predict", None, None),
    "W2": ("w2_softmax.py", "torch_w2.py", "numpy_w2.py"),
    "W2 step (tf.function)": ("w2_function.py", None, None),
    "W3": ("w3_mse.py", "torch_w3.py", "numpy_w3.py"),
    "W4 CNN": ("w4_cnn.py", "torch_w4.py", "numpy_w4.py"),
    "data": ("data_pipeline.py", None, None),
    "import": ("import_time.py", None, None),
}


# name -> (target text, check(result) -> bool or None when it cannot be judged); issue 6's table
def _le(key, bound):
    return lambda r: None if r[key] is None else r[key] <= bound


def _vs(frac, torch=False):
    def check(r):
        if r["nanotf"] is None or r["tf"] is None:
            return None
        ok = r["nanotf"] <= r["tf"] * frac
        if torch and r["torch"] is not None:
            ok = ok and r["nanotf"] < r["torch"]
        return ok
    return check


TARGETS = {
    "add": ("≤ 5 µs", _le("nanotf", 5e-6)),
    "W1 fit": ("≤ 1/4 TF, < PyTorch", _vs(0.25, torch=True)),
    "W1 evaluate": ("≤ 40 ms", _le("nanotf", 0.040)),
    "W1 predict": ("≤ 1 ms", _le("nanotf", 0.001)),
    "W2": ("≤ 1/5 TF, < PyTorch", _vs(0.2, torch=True)),
    "W2 step (tf.function)": ("< TF", _vs(1.0)),
    "W2 step, eager ÷ traced": ("≥ 2×", lambda r: r["speedup"] >= 2.0),
    "W3": ("≤ 1/20 TF, < PyTorch", _vs(0.05, torch=True)),
    "W4 CNN": ("≤ TF", _vs(1.0)),
    "import": ("≤ 0.3 s, ≤ 60 MiB", lambda r: None if r["nanotf"] is None else
               r["nanotf"] <= 0.3 and (r.get("rss_nanotf") or 0) <= 60),
    "W1 peak RSS": ("≤ 700 MiB", _le("nanotf", 700)),
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
    rss: dict = {"nanotf": [], "tf": [], "torch": []}
    eager: list = []
    numpy_path: list = []
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for _ in range(repeat):  # alternate frameworks run by run
        r = _run(_cmd(sys.executable, script, True), env)
        if r:
            runs["nanotf"].append(r["seconds"])
            if "rss_mib" in r:
                rss["nanotf"].append(r["rss_mib"])
            if "eager" in r:  # the W2 step script also times the same step run eagerly
                eager.append(r["eager"])
        if name in NUMPY_PATH_TOO and _numba():  # the same run without the compiled kernels
            r = _run(_cmd(sys.executable, script, True), dict(env, NANOTF_JIT="0"))
            if r:
                numpy_path.append(r["seconds"])
        if tf_py:
            r = _run(_cmd(tf_py, script, False),
                     dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1"))
            if r:
                runs["tf"].append(r["seconds"])
                if "rss_mib" in r:
                    rss["tf"].append(r["rss_mib"])
        if torch_py and torch_script:
            r = _run(_cmd(torch_py, torch_script, False))
            if r:
                runs["torch"].append(r["seconds"])
                if "rss_mib" in r:
                    rss["torch"].append(r["rss_mib"])
        if floor_script:
            r = _run(_cmd(sys.executable, floor_script, False))
            if r:
                runs["numpy"].append(r["seconds"])
    out = {k: statistics.median(v) if v else None for k, v in runs.items()}
    out.update({"rss_" + k: statistics.median(v) if v else None for k, v in rss.items()})
    if eager:
        out["eager_nanotf"] = statistics.median(eager)
    if numpy_path:
        out["numpy_path_nanotf"] = statistics.median(numpy_path)
    return out


# Workloads whose nanotf run uses the optional compiled kernels (numba, where installed): they are
# also timed without them (NANOTF_JIT=0), reported in a row of their own.
NUMPY_PATH_TOO = {"W1 fit"}


def _numba() -> str | None:
    """numba's version where it is installed (nanotf then loads its compiled kernels), else None."""
    try:
        from importlib.metadata import version

        return version("numba")
    except Exception:  # noqa: BLE001 - not installed
        return None


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


def _mib(v) -> str:
    return "—" if v is None else f"{v:.0f} MiB"


def table(results: dict) -> str:
    lines = ["| workload | nanotf | TF 2.21 | PyTorch | NumPy floor | nanotf/TF | nanotf/PyTorch "
             "| target | met |", "|---|---|---|---|---|---|---|---|---|"]
    rows: dict = {}
    for name, r in results.items():
        rows[name] = r
        if name in NUMPY_PATH_TOO and r.get("numpy_path_nanotf"):
            rows[f"{name}, NumPy path (NANOTF_JIT=0)"] = {
                "nanotf": r["numpy_path_nanotf"], "tf": r["tf"], "torch": r["torch"],
                "numpy": r["numpy"]}
    if "W1 fit" in results:  # peak memory of the W1 fit run, as its own row
        r = results["W1 fit"]
        rows["W1 peak RSS"] = {"nanotf": r.get("rss_nanotf"), "tf": r.get("rss_tf"),
                               "torch": r.get("rss_torch"), "numpy": None, "mib": True}
    r = results.get("W2 step (tf.function)")
    if r and r.get("eager_nanotf") and r.get("nanotf"):  # issue 5: traced vs eager, both nanotf
        rows["W2 step, eager ÷ traced"] = {
            "nanotf": r["eager_nanotf"], "tf": None, "torch": None, "numpy": None,
            "speedup": r["eager_nanotf"] / r["nanotf"]}
    for name, r in rows.items():
        fmt = _mib if r.get("mib") else _fmt
        target, check = TARGETS.get(name, ("", lambda r: None))
        ok = check(r)
        met = "—" if ok is None else ("yes" if ok else "**no**")
        nano = fmt(r["nanotf"])
        if "speedup" in r:
            nano = f"{nano} eager, {r['speedup']:.2f}×"
        if name == "import" and r.get("rss_nanotf") is not None:
            nano += f", {_mib(r['rss_nanotf'])}"
        tf_ = fmt(r["tf"]) + (f", {_mib(r['rss_tf'])}" if name == "import" and r.get("rss_tf")
                              else "")
        lines.append(f"| {name} | {nano} | {tf_} | {fmt(r['torch'])} | "
                     f"{fmt(r['numpy'])} | {_ratio(r['nanotf'], r['tf'])} | "
                     f"{_ratio(r['nanotf'], r['torch'])} | {target} | {met} |")
    return "\n".join(lines)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    import numpy

    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    nb = _numba()
    kernels = f"numba {nb} (nanotf's compiled kernels)" if nb else "no numba (NumPy path only)"
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python "
            f"{platform.python_version()}, NumPy {numpy.__version__}, {kernels}; load average "
            f"{load}")


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
    machine_before = _machine()
    # An installed package has its bytecode compiled (pip does it, as for TensorFlow's); an
    # editable checkout under PYTHONDONTWRITEBYTECODE would recompile every module at each import.
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(ROOT, "nanotf")],
                   check=False, capture_output=True)
    for n in names:
        results[n] = measure(n, a.repeat, a.tf, a.torch)
        print(f"{n}: {results[n]}", file=sys.stderr)
    text = table(results)
    print(text)
    if a.out:
        info = (f"Measured {time.strftime('%Y-%m-%d %H:%M')} with `python benchmarks/run.py "
                f"--repeat {a.repeat}`: medians of {a.repeat} runs alternating between "
                f"frameworks.\n\nMachine at the start: {machine_before}.\n"
                f"At the end: load average {_machine().rsplit('load average ', 1)[1]}.\n\n")
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            f.write("# Benchmarks\n\n" + info + text + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
