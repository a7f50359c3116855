"""Seed note 000: TF1 compatibility mode, the MNIST quickstart, and softmax cross-entropy.

Run:  python -m nanotf examples/seed_000_tf1_compat.py
Data: MNIST (Keras cache, NANOTF_DATASETS_MIRROR, or one download).

The note's code runs unchanged in its order. Where it cannot run as written, the script first shows
what TensorFlow does with it, then makes the minimal completion, each explained where it happens:
item 5 spells `metrix=`, item 4's model lacks a Flatten, item 7 writes `torch.` for `tf.nn.`.
"""

# -- 1. Using TF 1.x features under TensorFlow 2 ---------------------------------------------------
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

# -- 2. The TensorFlow version -------------------------------------------------------------------
print(tf.__version__)

# -- 3. Preparing the MNIST dataset --------------------------------------------------------------
mnist = tf.keras.datasets.mnist
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0

# -- 4. Stacking the model -----------------------------------------------------------------------
model = tf.keras.models.Sequential([
    tf.keras.layers.Dense(128, activation='relu'),
    tf.keras.layers.Dropout(0.2),
    tf.keras.layers.Dense(10, activation='softmax')
])

# -- 5. Optimizer, loss and metrics --------------------------------------------------------------
# The note spells `metrix=`; Keras 2 rejects unknown compile() keywords with a TypeError.
# Completion: report it, then compile with the intended `metrics=`.
try:
    model.compile(optimizer='adam',
                  loss='sparse_categorical_crossentropy',
                  metrix=['accuracy'])
except TypeError as e:
    print(f"Item 5 as written: TypeError: {e}")
    model.compile(optimizer='adam',
                  loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])

# -- 6. Training and evaluation ------------------------------------------------------------------
# Item 4's model has no Flatten: Dense acts on the last axis of each 28x28 image, so the model
# predicts (batch, 28, 10) while the labels are (batch,). TensorFlow fails on the first step
# (InvalidArgumentError: "logits and labels must have the same first dimension"); nanotf refuses
# before training with a ValueError naming the loss and both shapes.
# Completion: report it, add the Flatten of the TF quickstart (seed note 004) in front of item 4's
# layers, compile as in item 5, and run item 6 unchanged.
try:
    model.fit(x_train, y_train, epochs=5)
except (ValueError, tf.errors.InvalidArgumentError) as e:
    print(f"Item 6 with item 4's model: {type(e).__name__}: {str(e).splitlines()[0]}")
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(128, activation='relu'),
        tf.keras.layers.Dropout(0.2),
        tf.keras.layers.Dense(10, activation='softmax')
    ])
    model.compile(optimizer='adam',
                  loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])

model.fit(x_train, y_train, epochs=5)
model.evaluate(x_test, y_test, verbose=2)

"""
verbose：用于fit和evaluate的日志显示
verbose = 0 为不在标准输出流输出日志信息
verbose = 1 默认情况，为输出进度条记录
verbose = 2 没有进度条，只是输出一行记录
"""
# (verbose: 0 prints nothing, 1 the progress bar (default), 2 one line per epoch.)

# -- 7. tf.nn.sparse_softmax_cross_entropy_with_logits -------------------------------------------
# The two losses differ in their labels: class ids (sparse) versus class probabilities.
label_id = [2, 1, 1, 0]
label_prob = [[0.0, 0.0, 1.0],
              [0.0, 1.0, 0.0],
              [0.0, 0.9, 0.1],
              [0.8, 0.2, 0.0]]

# scores before softmax (logits)
pred_without_softmax = [[0.3, 0.6, 1.6],
                        [1.0, 0.3, 0.0],
                        [0.0, 3.0, 0.6],
                        [2.0, 0.0, 0.0]]

# Completion: the note writes `torch.` for TensorFlow's `tf.nn.` (its links point at the
# tf.nn.*_cross_entropy_with_logits pages); positional (labels, logits) as the note has them.
loss_1 = tf.nn.sparse_softmax_cross_entropy_with_logits(label_id, pred_without_softmax)
loss_2 = tf.nn.softmax_cross_entropy_with_logits(label_prob, pred_without_softmax)

# Addition: the note only defines the two losses. With v2 behaviour disabled (item 1) values come
# from a Session. Rows 0 and 1 agree (one-hot labels); rows 2 and 3 differ (soft labels).
with tf.Session() as sess:
    value_1, value_2 = sess.run([loss_1, loss_2])
print("loss_1 (sparse, label ids):      ", value_1)
print("loss_2 (dense, label probability):", value_2)

# Addition: the note's closing remark. Both ops compute log(sum(exp(z))) - z_y after subtracting
# max(z), so huge logits stay finite, while log(softmax(z)) computed in two steps underflows.
big = [[1000.0, 0.0, -1000.0]]
fused = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[2], logits=big)
two_step = -tf.math.log(tf.nn.softmax(big))[:, 2]
with tf.Session() as sess:
    print("fused loss for logits", big, ":", sess.run(fused), "  two-step:", sess.run(two_step))
