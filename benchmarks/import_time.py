"""Import time and resident memory of a fresh interpreter that imports the framework.

Under `python -m nanotf` the framework is nanotf (already loaded in this process, so the measurement
runs in a child interpreter); under TF's interpreter it is tensorflow.
"""

import json
import subprocess
import sys

import tensorflow as tf

module = "nanotf" if tf.__name__ == "nanotf" else "tensorflow"
code = (f"import time, resource; t = time.perf_counter(); import {module}; "
        "dt = time.perf_counter() - t; "
        "print(dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
best = None
for _ in range(3):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True).stdout.split()
    dt, rss = float(out[-2]), float(out[-1])
    best = (dt, rss) if best is None or dt < best[0] else best
print(json.dumps({"workload": "import", "seconds": best[0], "rss_mib": best[1]}))
