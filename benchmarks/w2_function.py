"""The seed-002 softmax-regression train step (batch 256) eager and under @tf.function.

Prints one JSON line with the per-step seconds of both modes; `seconds` is the @tf.function step.
"""

import json
import time

import numpy as np
import tensorflow as tf

rng = np.random.RandomState(0)
Xall = rng.rand(256 * 20, 28, 28).astype(np.float32)
yall = rng.randint(0, 10, 256 * 20).astype(np.int64)
W = tf.Variable(tf.random.normal(shape=(784, 10), mean=0, stddev=0.01, dtype=tf.float32))
b = tf.Variable(tf.zeros(10, dtype=tf.float32))


def softmax(logits, axis=-1):
    e = tf.exp(logits)
    return e / tf.reduce_sum(e, axis, keepdims=True)


def net(X):
    return softmax(tf.matmul(tf.reshape(X, shape=(-1, W.shape[0])), W) + b)


def cross_entropy(y_hat, y):
    y = tf.cast(tf.reshape(y, shape=[-1, 1]), dtype=tf.int32)
    y = tf.one_hot(y, depth=y_hat.shape[-1])
    y = tf.cast(tf.reshape(y, shape=[-1, y_hat.shape[-1]]), dtype=tf.int32)
    return -tf.math.log(tf.boolean_mask(y_hat, y) + 1e-8)


def step(X, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(cross_entropy(net(X), y))
    grads = tape.gradient(loss, [W, b])
    for p, g in zip([W, b], grads):
        p.assign_sub(0.1 * g / 256)
    return loss


batches = [(tf.constant(Xall[i:i + 256]), tf.constant(yall[i:i + 256]))
           for i in range(0, len(Xall), 256)]
result = {"workload": "W2 step"}
for name, fn in (("eager", step), ("function", tf.function(step))):
    fn(*batches[0])
    best = 1e9
    for _ in range(5):
        t0 = time.perf_counter()
        for X, y in batches:
            fn(X, y)
        best = min(best, (time.perf_counter() - t0) / len(batches))
    result[name] = best
result["seconds"] = result["function"]
print(json.dumps(result))
