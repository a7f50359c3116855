"""Eager `tf.add` of two 4x3 float32 tensors: microseconds per call (one JSON line)."""

import json
import time

import numpy as np
import tensorflow as tf

a = tf.constant(np.ones((4, 3), np.float32))
b = tf.constant(np.ones((4, 3), np.float32))
for _ in range(2000):
    tf.add(a, b)
n = 100000
best = float("inf")
for _ in range(5):
    t0 = time.perf_counter()
    for _ in range(n):
        tf.add(a, b)
    best = min(best, (time.perf_counter() - t0) / n)
print(json.dumps({"workload": "eager tf.add 4x3", "seconds": best}))
