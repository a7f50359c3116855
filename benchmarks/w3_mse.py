"""W3: the seed-001 MSE demo, 15,000 GradientTape steps (y_ kept as the note's Python list).

Runs under TF (`python w3_mse.py`) or nanotf (`python -m nanotf w3_mse.py`); prints one JSON line.
"""

import json
import sys
import time

import numpy as np
import tensorflow as tf

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 15000
rdm = np.random.RandomState(seed=23455)
x = rdm.rand(32, 2)
y_ = [[x1 + x2 + (rdm.rand() / 10.0 - 0.05)] for (x1, x2) in x]
x = tf.cast(x, dtype=tf.float32)
w1 = tf.Variable(tf.random.normal([2, 1], stddev=0.01, seed=1), name="weights")
lr = 0.002
t0 = time.perf_counter()
for _epoch in range(steps):
    with tf.GradientTape() as tape:
        y = tf.matmul(x, w1)
        loss = tf.reduce_mean(tf.square(y_ - y))
    grads = tape.gradient(loss, w1)
    w1.assign_sub(lr * grads)
dt = time.perf_counter() - t0
print(json.dumps({"workload": "W3 15,000 steps", "seconds": dt,
                  "check": w1.numpy().ravel().tolist()}))
