"""W1 NumPy floor: the seed-004 MLP (784-128 relu, dropout 0.2, 128-10) trained with Adam at batch
32, forward and backward written by hand. `--evaluate`: the forward pass over 10,000 samples."""

import json
import sys
import time

import numpy as np

rng = np.random.RandomState(0)
x = rng.rand(60000, 784).astype(np.float32)
y = rng.randint(0, 10, 60000)
params = [rng.normal(0, 0.05, (784, 128)).astype(np.float32), np.zeros(128, np.float32),
          rng.normal(0, 0.05, (128, 10)).astype(np.float32), np.zeros(10, np.float32)]
m = [np.zeros_like(p) for p in params]
v = [np.zeros_like(p) for p in params]
lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-7


def forward(xb):
    h = np.maximum(xb @ params[0] + params[1], 0)
    return h, h @ params[2] + params[3]


def epoch():
    t = 0
    for i in range(0, 60000, 32):
        xb, yb = x[i:i + 32], y[i:i + 32]
        n = len(xb)
        h = np.maximum(xb @ params[0] + params[1], 0)
        keep = rng.rand(*h.shape) >= 0.2
        hd = h * keep * np.float32(1 / 0.8)
        z = hd @ params[2] + params[3]
        z -= z.max(1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(1, keepdims=True)
        p[np.arange(n), yb] -= 1
        p *= np.float32(1 / n)
        g2 = hd.T @ p
        gb2 = p.sum(0)
        gh = (p @ params[2].T) * keep * np.float32(1 / 0.8)
        gh *= h > 0
        g0 = xb.T @ gh
        gb0 = gh.sum(0)
        t += 1
        a = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        for j, g in enumerate((g0, gb0, g2, gb2)):
            m[j] += (g - m[j]) * np.float32(1 - b1)
            v[j] += (g * g - v[j]) * np.float32(1 - b2)
            params[j] -= np.float32(a) * m[j] / (np.sqrt(v[j]) + np.float32(eps))


if len(sys.argv) > 1 and sys.argv[1] == "--evaluate":
    forward(x[:10000])
    t0 = time.perf_counter()
    for i in range(0, 10000, 32):
        forward(x[i:i + 32])
    print(json.dumps({"workload": "W1 evaluate", "seconds": time.perf_counter() - t0}))
    sys.exit(0)
epoch()
t0 = time.perf_counter()
epoch()
print(json.dumps({"workload": "W1", "seconds": time.perf_counter() - t0}))
