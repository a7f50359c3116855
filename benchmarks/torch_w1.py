"""W1 in PyTorch: the seed-004 MLP (Flatten, Linear 128 + ReLU, Dropout 0.2, Linear 10), Adam,
batch 32, one epoch of 60,000 after a warm-up epoch. `--evaluate`: the loss and accuracy of 10,000
samples (batch 32), after a warm-up pass."""

import json
import resource
import sys
import time

import numpy as np
import torch

rng = np.random.RandomState(0)
x = torch.tensor(rng.rand(60000, 28, 28).astype(np.float32))
y = torch.tensor(rng.randint(0, 10, 60000).astype(np.int64))
model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
                            torch.nn.Dropout(0.2), torch.nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
loss_fn = torch.nn.CrossEntropyLoss()


def epoch():
    model.train()
    perm = torch.randperm(60000)  # Keras shuffles every epoch
    for i in range(0, 60000, 32):
        idx = perm[i:i + 32]
        xb, yb = x[idx], y[idx]
        opt.zero_grad()
        out = model(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        opt.step()
        (out.argmax(1) == yb).float().mean()  # the accuracy metric


def evaluate():
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, 10000, 32):
            out = model(x[i:i + 32])
            total += float(loss_fn(out, y[i:i + 32])) * len(out)
            correct += int((out.argmax(1) == y[i:i + 32]).sum())
    return total / 10000, correct / 10000


if len(sys.argv) > 1 and sys.argv[1] == "--evaluate":
    evaluate()
    t0 = time.perf_counter()
    evaluate()
    print(json.dumps({"workload": "W1 evaluate", "seconds": time.perf_counter() - t0}))
    sys.exit(0)
epoch()
t0 = time.perf_counter()
epoch()
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # peak, MiB
print(json.dumps({"workload": "W1", "seconds": dt, "rss_mib": rss}))
