"""W4: a small CNN (Conv 32 3x3, MaxPool 2, Conv 64 3x3, MaxPool 2, Flatten, Dense 10), batch 64,
one epoch of 10,000 samples after a warm-up epoch."""

import json
import time

import numpy as np
import tensorflow as tf

rng = np.random.RandomState(0)
x = rng.rand(10000, 28, 28, 1).astype(np.float32)
y = rng.randint(0, 10, 10000).astype(np.uint8)
model = tf.keras.Sequential([
    tf.keras.layers.Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)),
    tf.keras.layers.MaxPooling2D(2),
    tf.keras.layers.Conv2D(64, 3, activation="relu"),
    tf.keras.layers.MaxPooling2D(2),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(10),
])
model.compile(optimizer="adam",
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(x, y, batch_size=64, epochs=1, verbose=0)
t0 = time.perf_counter()
model.fit(x, y, batch_size=64, epochs=1, verbose=0)
print(json.dumps({"workload": "W4", "seconds": time.perf_counter() - t0}))
