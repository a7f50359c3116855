"""W4 NumPy floor: the small CNN's forward and backward by hand with naive im2col (one copy per
conv), Adam, batch 64, one epoch of 10,000 samples after a warm-up epoch."""

import json
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

rng = np.random.RandomState(0)
x = rng.rand(10000, 28, 28, 1).astype(np.float32)
y = rng.randint(0, 10, 10000)
params = [rng.normal(0, 0.1, (3, 3, 1, 32)).astype(np.float32), np.zeros(32, np.float32),
          rng.normal(0, 0.05, (3, 3, 32, 64)).astype(np.float32), np.zeros(64, np.float32),
          rng.normal(0, 0.02, (1600, 10)).astype(np.float32), np.zeros(10, np.float32)]
m = [np.zeros_like(p) for p in params]
v = [np.zeros_like(p) for p in params]


def im2col(a):  # (n, h, w, c) -> (n, h-2, w-2, 3*3*c), valid 3x3 windows
    win = sliding_window_view(a, (3, 3), axis=(1, 2))  # n, oh, ow, c, 3, 3
    return np.ascontiguousarray(win.transpose(0, 1, 2, 4, 5, 3)).reshape(*win.shape[:3], -1)


def col2im(cols, shape):
    n, h, w, c = shape
    out = np.zeros(shape, np.float32)
    cols = cols.reshape(n, h - 2, w - 2, 3, 3, c)
    for i in range(3):
        for j in range(3):
            out[:, i:i + h - 2, j:j + w - 2] += cols[:, :, :, i, j]
    return out


def pool(a):  # 2x2 max pool (floor), with the argmax mask for the backward pass
    n, h, w, c = a.shape
    a = a[:, :h // 2 * 2, :w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, c)
    out = a.max((2, 4))
    return out, a == out[:, :, None, :, None]


def unpool(g, mask, shape):
    n, h, w, c = shape
    out = np.zeros(shape, np.float32)
    out[:, :h // 2 * 2, :w // 2 * 2] = (mask * g[:, :, None, :, None]).reshape(
        n, h // 2 * 2, w // 2 * 2, c)
    return out


def step(t, xb, yb):
    n = len(xb)
    c1 = im2col(xb)
    z1 = np.maximum(c1 @ params[0].reshape(-1, 32) + params[1], 0)
    p1, m1 = pool(z1)
    c2 = im2col(p1)
    z2 = np.maximum(c2 @ params[2].reshape(-1, 64) + params[3], 0)
    p2, m2 = pool(z2)
    f = p2.reshape(n, -1)
    z = f @ params[4] + params[5]
    z -= z.max(1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(1, keepdims=True)
    p[np.arange(n), yb] -= 1
    p /= n
    grads = [None] * 6
    grads[4], grads[5] = f.T @ p, p.sum(0)
    gz2 = unpool((p @ params[4].T).reshape(p2.shape), m2, z2.shape) * (z2 > 0)
    grads[2] = (c2.reshape(-1, c2.shape[-1]).T @ gz2.reshape(-1, 64)).reshape(params[2].shape)
    grads[3] = gz2.sum((0, 1, 2))
    gp1 = col2im(gz2.reshape(-1, 64) @ params[2].reshape(-1, 64).T, p1.shape)
    gz1 = unpool(gp1, m1, z1.shape) * (z1 > 0)
    grads[0] = (c1.reshape(-1, 9).T @ gz1.reshape(-1, 32)).reshape(params[0].shape)
    grads[1] = gz1.sum((0, 1, 2))
    a = 0.001 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
    for j, g in enumerate(grads):
        m[j] += (g - m[j]) * np.float32(0.1)
        v[j] += (g * g - v[j]) * np.float32(0.001)
        params[j] -= np.float32(a) * m[j] / (np.sqrt(v[j]) + np.float32(1e-7))


def epoch():
    perm = rng.permutation(10000)
    for t, i in enumerate(range(0, 10000, 64), 1):
        idx = perm[i:i + 64]
        step(t, x[idx], y[idx])


epoch()
t0 = time.perf_counter()
epoch()
print(json.dumps({"workload": "W4", "seconds": time.perf_counter() - t0}))
