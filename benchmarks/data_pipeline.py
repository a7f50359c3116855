"""One pass over from_tensor_slices((x, y)).shuffle(10000).batch(256) of 60,000 28x28 float32."""

import json
import time

import numpy as np
import tensorflow as tf

x = np.random.rand(60000, 28, 28).astype(np.float32)
y = np.random.randint(0, 10, 60000).astype(np.int64)
ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(10000).batch(256)
for _ in ds:  # warm-up pass
    pass
t0 = time.perf_counter()
n = 0
for xb, _yb in ds:
    n += int(xb.shape[0])
print(json.dumps({"workload": "data", "seconds": time.perf_counter() - t0, "n": n}))
