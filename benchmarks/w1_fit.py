"""W1: the seed-004 quickstart model. Default: one `fit` epoch (60,000 samples, batch 32, Adam)
after a warm-up epoch. `--evaluate`: evaluate 10,000 samples. `--predict`: predict one sample."""

import json
import resource
import sys
import time

import numpy as np
import tensorflow as tf

rng = np.random.RandomState(0)
x = rng.rand(60000, 28, 28).astype(np.float32)
y = rng.randint(0, 10, 60000).astype(np.uint8)
model = tf.keras.models.Sequential([
    tf.keras.layers.Flatten(input_shape=(28, 28)),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dropout(0.2),
    tf.keras.layers.Dense(10),
])
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
model.compile(optimizer="adam", loss=loss_fn, metrics=["accuracy"])
mode = sys.argv[1] if len(sys.argv) > 1 else "--fit"
if mode == "--evaluate":
    model.evaluate(x[:10000], y[:10000], verbose=0)
    t0 = time.perf_counter()
    model.evaluate(x[:10000], y[:10000], verbose=0)
elif mode == "--predict":
    model.predict(x[:1], verbose=0)
    t0 = time.perf_counter()
    for _ in range(20):
        model.predict(x[:1], verbose=0)
    print(json.dumps({"workload": "W1 predict", "seconds": (time.perf_counter() - t0) / 20}))
    sys.exit(0)
else:
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    t0 = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # peak, MiB
print(json.dumps({"workload": "W1" + mode, "seconds": dt, "rss_mib": rss}))
