"""Seed note 004: the TensorFlow 2 beginner quickstart (a notebook export), cell by cell.

Run:  python -m nanotf examples/seed_004_quickstart.py
Data: MNIST (Keras cache, NANOTF_DATASETS_MIRROR, or one download).

Every cell runs unchanged and in order. A notebook shows the value of a cell's last expression;
the script prints it with `display_value(...)` (the repr, as Jupyter shows it). For the README's
version that also works without MNIST, see examples/quickstart.py.
"""
# The note's imports are kept as written (order, and numpy, which it imports but does not use):
# ruff: noqa: I001, F401

# -- In [6]: imports -----------------------------------------------------------------------------
import tensorflow as tf

import numpy as np


def display_value(value):
    """Prints a notebook cell's value the way Jupyter shows it (its repr)."""
    print(repr(value))


# -- In [7]: load the dataset, scale pixels to [0, 1] -------------------------------------------
mnist = tf.keras.datasets.mnist

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0

# -- In [8]: build a tf.keras.Sequential model by stacking layers -----------------------------
model = tf.keras.models.Sequential([
  tf.keras.layers.Flatten(input_shape=(28, 28)),
  tf.keras.layers.Dense(128, activation='relu'),
  tf.keras.layers.Dropout(0.2),
  tf.keras.layers.Dense(10)
])

# -- In [9]: the untrained model returns one vector of logits per example -------------------
predictions = model(x_train[:1]).numpy()
display_value(predictions)

# -- In [10]: tf.nn.softmax turns logits into class probabilities ----------------------------
display_value(tf.nn.softmax(predictions).numpy())

# -- In [11]: the loss: logits and the true class index -> one scalar per example ----------
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

# -- In [12]: near -log(1/10) ~= 2.3 for an untrained model ---------------------------------
display_value(loss_fn(y_train[:1], predictions).numpy())

# -- In [13]: compile ---------------------------------------------------------------------
model.compile(optimizer='adam',
              loss=loss_fn,
              metrics=['accuracy'])

# -- In [14]: train -----------------------------------------------------------------------
display_value(model.fit(x_train, y_train, epochs=5))

# -- In [15]: evaluate on the test set ---------------------------------------------------
display_value(model.evaluate(x_test,  y_test, verbose=2))

# -- In [16], [17]: wrap the trained model with a softmax to return probabilities ----------
probability_model = tf.keras.Sequential([
  model,
  tf.keras.layers.Softmax()
])

display_value(probability_model(x_test[:5]))
