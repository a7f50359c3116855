"""W3 NumPy floor: the MSE demo's forward and backward written by hand."""

import json
import time

import numpy as np

rdm = np.random.RandomState(seed=23455)
x = rdm.rand(32, 2).astype(np.float32)
y_ = np.array([[x1 + x2 + (rdm.rand() / 10.0 - 0.05)] for (x1, x2) in x], np.float32)
w1 = np.array([[-0.008], [0.015]], np.float32)
t0 = time.perf_counter()
for _ in range(15000):
    y = x @ w1
    d = y_ - y
    g = x.T @ (d * np.float32(-2.0 / 32))
    w1 -= np.float32(0.002) * g
print(json.dumps({"workload": "W3", "seconds": time.perf_counter() - t0}))
