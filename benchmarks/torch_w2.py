"""W2 in PyTorch: the seed-002 softmax regression from scratch (hand-written softmax, picked-entry
cross-entropy, sgd), batch 256, one epoch of 60,000 after a warm-up epoch."""

import json
import time

import numpy as np
import torch

rng = np.random.RandomState(0)
x_train = torch.tensor(rng.randint(0, 256, (60000, 28, 28)).astype(np.float32)) / 255
y_train = torch.tensor(rng.randint(0, 10, 60000).astype(np.int64))
W = (torch.randn(784, 10) * 0.01).requires_grad_()
b = torch.zeros(10, requires_grad=True)


def net(X):
    e = torch.exp(X.reshape(-1, 784) @ W + b)
    return e / e.sum(1, keepdim=True)


def epoch():
    for i in range(0, 60000, 256):
        X, y = x_train[i:i + 256], y_train[i:i + 256]
        y_hat = net(X)
        loss = -torch.log(y_hat[torch.arange(len(y)), y] + 1e-8).sum()
        gW, gb = torch.autograd.grad(loss, [W, b])
        with torch.no_grad():
            W.sub_(0.1 * gW / 256)
            b.sub_(0.1 * gb / 256)


epoch()
t0 = time.perf_counter()
epoch()
print(json.dumps({"workload": "W2", "seconds": time.perf_counter() - t0}))
