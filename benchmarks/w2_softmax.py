"""W2: the seed-002 softmax regression from scratch: an eager GradientTape loop, batch 256, one
epoch of 60,000 samples with the note's hand-written softmax, cross-entropy and sgd."""

import json
import time

import numpy as np
import tensorflow as tf

rng = np.random.RandomState(0)
x_train = tf.cast(rng.randint(0, 256, (60000, 28, 28)).astype(np.uint8), tf.float32) / 255
y_train = rng.randint(0, 10, 60000).astype(np.uint8)
train_iter = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(256)
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


def epoch():
    for X, y in train_iter:
        with tf.GradientTape() as tape:
            y_hat = net(X)
            loss = tf.reduce_sum(cross_entropy(y_hat, y))
        grads = tape.gradient(loss, [W, b])
        for p, g in zip([W, b], grads):
            p.assign_sub(0.1 * g / 256)


epoch()
t0 = time.perf_counter()
epoch()
print(json.dumps({"workload": "W2", "seconds": time.perf_counter() - t0}))
