"""W3 in PyTorch: the MSE demo's 15,000 autograd steps."""

import json
import time

import numpy as np
import torch

rdm = np.random.RandomState(seed=23455)
x = rdm.rand(32, 2)
y_ = [[x1 + x2 + (rdm.rand() / 10.0 - 0.05)] for (x1, x2) in x]
x = torch.tensor(x, dtype=torch.float32)
w1 = (torch.randn(2, 1) * 0.01).requires_grad_()
t0 = time.perf_counter()
for _ in range(15000):
    y = x @ w1
    loss = ((torch.tensor(y_) - y) ** 2).mean()
    (g,) = torch.autograd.grad(loss, w1)
    with torch.no_grad():
        w1 -= 0.002 * g
print(json.dumps({"workload": "W3", "seconds": time.perf_counter() - t0}))
