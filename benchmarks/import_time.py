"""Import time and resident memory right after `import tensorflow` (nanotf under -m nanotf)."""

import json
import resource
import time

t0 = time.perf_counter()
import tensorflow as tf  # noqa: E402

dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"workload": "import", "seconds": dt, "rss_mib": rss, "v": tf.__version__}))
