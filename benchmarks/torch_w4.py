"""W4 in PyTorch: Conv 32 3x3 + ReLU, MaxPool 2, Conv 64 3x3 + ReLU, MaxPool 2, Flatten, Linear 10;
Adam, batch 64, one epoch of 10,000 samples after a warm-up epoch (channels-first, as PyTorch)."""

import json
import time

import numpy as np
import torch

rng = np.random.RandomState(0)
x = torch.tensor(rng.rand(10000, 1, 28, 28).astype(np.float32))
y = torch.tensor(rng.randint(0, 10, 10000).astype(np.int64))
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(64 * 5 * 5, 10))
opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
loss_fn = torch.nn.CrossEntropyLoss()


def epoch():
    perm = torch.randperm(10000)
    for i in range(0, 10000, 64):
        idx = perm[i:i + 64]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()


epoch()
t0 = time.perf_counter()
epoch()
print(json.dumps({"workload": "W4", "seconds": time.perf_counter() - t0}))
