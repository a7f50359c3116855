"""Seed note 003: TF 2 idioms - tf.data, Keras layers and models, training loops, saving, summaries.

Run:  python -m nanotf examples/seed_003_tf2_idioms.py
Data: none downloaded. Sections 2.1-2.5 use a small random stand-in for the note's 32x32x3 images
      (its model is sized for CIFAR-10, a 170 MB download); 2.3.1 trains on the iris flowers from
      scikit-learn (`pip install -e '.[examples]'`), the data this compile/fit call is known from,
      and is skipped without scikit-learn.
Writes: a SavedModel (seed_003_saved_model/) in NANOTF_EXAMPLES_OUTDIR (default: the current
      folder) and TensorBoard summaries under /tmp/summaries (or NANOTF_EXAMPLES_OUTDIR/summaries).

The note is a set of fragments of a larger program. The script supplies the context they assume
(marked "Context:") and completes what is not Python (marked "Completion:"); the note's own lines
are unchanged otherwise and keep its order.
"""
# The note's fragments are kept as written (spacing, 2-space indents, inline comments):
# ruff: noqa: E501, UP008, B007, B018, E402, I001

import os

import numpy as np

import tensorflow as tf

OUTDIR = os.environ.get("NANOTF_EXAMPLES_OUTDIR")
SUMMARIES = os.path.join(OUTDIR, "summaries") if OUTDIR else "/tmp/summaries"
OUTDIR = OUTDIR or "."

# Context: the note's x_train / y_train. A random stand-in shaped like CIFAR-10 (32x32x3, 10
# classes), small and seeded so the script needs no download.
rng = np.random.RandomState(0)
x_train = rng.rand(256, 32, 32, 3).astype(np.float32)
y_train = rng.randint(0, 10, size=256)

# -- 2.1 Data processing: tf.data ------------------------------------------------------------------
batch_size = 64
train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train))
train_dataset = train_dataset.shuffle(buffer_size=1024).batch(batch_size)
print("2.1 train_dataset:", train_dataset.element_spec)

# -- 2.2.1 Standard Keras layers -----------------------------------------------------------------
# Completion: the note puts `@tf.function` on an assignment (a SyntaxError) and leaves the sizes as
# `[..]`. The decorator is moved onto a function that runs the model (below); the sizes are
# [64, 32, 16, 8] and the head is one Dense(10).
layers=[tf.keras.layers.Dense(size, activation=tf.nn.sigmoid) for size in [64, 32, 16, 8]]# layers[3].trainable_variables => returns [w3, b3]
perceptron = tf.keras.Sequential(layers)# perceptron.trainable_variables => returns [w0, b0, ...]
head = tf.keras.Sequential([tf.keras.layers.Dense(10)])
path = tf.keras.Sequential([perceptron, head])


@tf.function
def run_path(x):
    """`path` compiled into a graph: where the note's `@tf.function` belongs."""
    return path(x)


print("2.2.1 path(x):", run_path(tf.zeros([2, 5])).shape)
print("      layers[3].trainable_variables:", [v.name for v in layers[3].trainable_variables])
print("      perceptron.trainable_variables:", len(perceptron.trainable_variables), "variables")

# -- 2.2.2 Custom layers: dimensions fixed in __init__ ---------------------------------------------
# Context: the note's `layers.Layer` and `keras.Model` need these imports (`layers` was a list in
# 2.2.1 and becomes the module again here).
from tensorflow import keras
from tensorflow.keras import layers


class myDense (layers.Layer):
    def __init__(self, in_dim, out_dim):
        super(myDense, self).__init__()
        self.kernel = self.add_variable('w', [in_dim, out_dim])
        self.bias = self.add_variable('b', [out_dim])
    def call(self, inputs, training = None):
        out = inputs @ self.kernel + self.bias
        return out
class Model (keras.Model):
    def __init__(self):
        super(Model, self).__init__()
        self.fc1 = myDense(32*32*3 ,256)
        self.fc2 = myDense(256, 128)
    def call(self, inputs, training = None):
        inputs = tf.reshape(inputs, [-1, 32 * 32 * 3])
        x = self.fc1(inputs)
        out = tf.nn.relu(x)
        x = self.fc2(out)
        return x


# -- 2.2.2 Custom layers: weights created in build() ----------------------------------------------
# Completion: the note's class is not Python (`name=,`, `..`) and uses names it never defines
# (name, use_token_type, token_type_vocab_size, max_position_embeddings, hidden_dropout_prob).
# They become constructor arguments with BERT-like defaults, and the weights get names.
class SegPosEmbedding(tf.keras.layers.Layer):
 def __init__(self, name=None, use_token_type=True, token_type_vocab_size=2,
              max_position_embeddings=512, hidden_dropout_prob=0.1, **kwargs):
     super(SegPosEmbedding, self).__init__(name=name, **kwargs)
     self.use_token_type = use_token_type
     self.token_type_vocab_size = token_type_vocab_size
     self.max_position_embeddings = max_position_embeddings
     self.hidden_dropout_prob = hidden_dropout_prob
 def build(self, input_shape):
     self.input_spec = tf.keras.layers.InputSpec(shape=input_shape)
     self.token_type_table = self.add_weight(name="token_type_embeddings",shape=[self.token_type_vocab_size, input_shape[2]])
     self.full_position_embeddings = self.add_weight(name="position_embeddings",shape=[self.max_position_embeddings, input_shape[2]],)
     self.drop_out = tf.keras.layers.Dropout(self.hidden_dropout_prob)
     self.layer_norm = tf.keras.layers.LayerNormalization(axis=-1, name="LayerNorm")
     self.built = True
 def call(self, input_tensor, token_type_ids=None, is_training=True):
     token_type_embeddings = tf.gather(self.token_type_table, token_type_ids)
     input_tensor += token_type_embeddings
     output = self.layer_norm(input_tensor)
     output = self.drop_out(output, training=is_training)
     return output


embedding = SegPosEmbedding(name="seg_pos")
tokens = tf.random.normal([2, 6, 16], seed=1)
segments = tf.constant([[0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1]])
print("2.2.2 SegPosEmbedding:", embedding(tokens, token_type_ids=segments, is_training=False).shape,
      [w.name for w in embedding.weights])

# -- 2.3.1 Training on whole arrays: compile / fit / predict ---------------------------------------
# Context: `model` and its data. The compile/fit settings are those of the iris example of the
# Chinese TF 2 course (SGD(lr=0.1), 500 epochs, validation every 20): a single softmax Dense layer
# on the 150 iris flowers, shuffled with the course's seed (`x_train` / `y_train` are rebound:
# train_dataset already holds the images).
try:
    from sklearn.datasets import load_iris
except ImportError:
    load_iris = None
    print("2.3.1 skipped: scikit-learn is not installed (pip install -e '.[examples]')")
if load_iris is not None:
    iris = load_iris()
    order = np.random.RandomState(116).permutation(len(iris.target))
    x_train, y_train = iris.data[order].astype(np.float32), iris.target[order]
    model = tf.keras.models.Sequential([
        tf.keras.layers.Dense(3, activation='softmax',
                              kernel_regularizer=tf.keras.regularizers.l2())
    ])

    model.compile(optimizer = tf.keras.optimizers.SGD(lr = 0.1),
                  loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits = False), metrics = ['sparse_categorical_accuracy'])
    model.fit(x_train, y_train,batch_size = 32,epochs = 500,validation_split = 0.2,validation_freq = 20)
    model.predict
    # Completion: the note names `model.predict` without calling it.
    print("2.3.1 predict:", model.predict(x_train[:3], verbose=0).argmax(axis=1), "labels:",
          y_train[:3])

# -- 2.3.2 Training batch by batch with GradientTape ----------------------------------------------
# Context: the note uses `Model` both as the class and as its instance; `loss_cal(pred, labels)`
# and `optimizer` come from code it does not show.
Model = Model()
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def loss_cal(pred, labels):
    """The note's loss helper: predictions first."""
    return loss_fn(labels, pred)


optimizer = tf.keras.optimizers.SGD(0.01)

for step, (x_batch_train, y_batch_train) in enumerate(train_dataset):
  with tf.GradientTape() as tape:
    y_batch_pred = Model(x_batch_train)
    loss = loss_cal(y_batch_pred, y_batch_train)
  gradients = tape.gradient(loss, Model.trainable_variables)
  optimizer.apply_gradients(zip(gradients, Model.trainable_variables))
print(f"2.3.2 {step + 1} batches, last loss {float(loss):.4f}, "
      f"variables {[v.name for v in Model.trainable_variables]}")

# -- 2.4 Saving ----------------------------------------------------------------------------------
# Context: where to save.
output_path = os.path.join(OUTDIR, "seed_003_saved_model")
tf.saved_model.save(Model, output_path)
restored = tf.saved_model.load(output_path)
same = all(np.array_equal(a.numpy(), b.numpy())
           for a, b in zip(restored.trainable_variables, Model.trainable_variables))
print(f"2.4 saved to {output_path}; reloaded {len(restored.trainable_variables)} variables, "
      f"equal: {same}")

# -- 2.5 Recording progress with tf.summary ------------------------------------------------------
# Context: the loop's model, dataset, running mean and logging frequency. The summary folder is
# the note's /tmp/summaries unless NANOTF_EXAMPLES_OUTDIR is set.
model, dataset = Model, train_dataset
avg_loss = tf.keras.metrics.Mean(name='loss', dtype=tf.float32)
log_freq = 2

train_summary_writer = tf.summary.create_file_writer(os.path.join(SUMMARIES, 'train'))
with train_summary_writer.as_default():
  for images, labels in dataset:
    loss = loss_cal(model(images), labels)
    avg_loss.update_state(loss)                                               #累计值
    if tf.equal(optimizer.iterations % log_freq, 0):
      tf.summary.scalar('loss', avg_loss.result(), step=optimizer.iterations) # .result()返回累计结果
      avg_loss.reset_states()                                                 #.reset_states()清除累计值。


# Completion: as written the loop never trains, so optimizer.iterations stays put and every record
# lands on one step. In the TF 2 guide this idiom comes from, the loss line is a training step;
# with one, the steps advance and TensorBoard draws a curve.
def train_step(images, labels):
    """One SGD step on a batch; returns the batch loss."""
    with tf.GradientTape() as tape:
        loss = loss_cal(model(images), labels)
    gradients = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return loss


with train_summary_writer.as_default():
  for epoch in range(3):
    for images, labels in dataset:
      loss = train_step(images, labels)
      avg_loss.update_state(loss)
      if tf.equal(optimizer.iterations % log_freq, 0):
        tf.summary.scalar('loss', avg_loss.result(), step=optimizer.iterations)
        avg_loss.reset_states()
train_summary_writer.flush()
print("2.5 summaries written to", os.path.join(SUMMARIES, 'train'), "- steps up to",
      int(optimizer.iterations))

# -- 2.6 Pointing TensorBoard at the summaries ---------------------------------------------------
print(f"2.6 tensorboard --logdir {SUMMARIES}")
