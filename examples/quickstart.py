"""The TensorFlow 2 beginner quickstart (seed note 004) on nanotf: train on MNIST, print test
accuracy.

MNIST comes from the Keras cache (~/.keras/datasets), the NANOTF_DATASETS_MIRROR setting, or one
download. If none can provide it, this says why and trains on scikit-learn's bundled 8x8
handwritten digits instead (install them with `pip install -e '.[examples]'`)."""

import sys

import numpy as np

import nanotf as tf


def load_data():
    """MNIST as ((x_train, y_train), (x_test, y_test)), or sklearn digits when it is unavailable."""
    try:
        return tf.keras.datasets.mnist.load_data(), "MNIST"
    except (ConnectionError, OSError, ValueError) as e:
        print(f"MNIST is unavailable here: {e}", file=sys.stderr)
        print("To train on MNIST, put mnist.npz (or the four IDX .gz files) in a folder and set "
              "NANOTF_DATASETS_MIRROR to it, or copy mnist.npz into ~/.keras/datasets/.\n"
              "Training on scikit-learn's bundled handwritten digits (8x8) instead.\n",
              file=sys.stderr)
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("scikit-learn is not installed either: pip install -e '.[examples]'")
    digits = load_digits()
    x = (digits.images / 16.0 * 255).astype(np.uint8)
    y = digits.target.astype(np.uint8)
    rng = np.random.RandomState(0)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    n = int(len(x) * 0.8)
    return ((x[:n], y[:n]), (x[n:], y[n:])), "scikit-learn digits"


def main():
    ((x_train, y_train), (x_test, y_test)), source = load_data()
    print(f"Training on {source}: {len(x_train)} training and {len(x_test)} test images")
    x_train, x_test = x_train / 255.0, x_test / 255.0
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=x_train.shape[1:]),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10),
    ])
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer="adam", loss=loss_fn, metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5)
    loss, acc = model.evaluate(x_test, y_test, verbose=2)
    print(f"Test accuracy ({source}): {acc:.4f}")


if __name__ == "__main__":
    main()
