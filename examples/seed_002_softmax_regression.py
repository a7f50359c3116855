"""Seed note 002: softmax regression on Fashion-MNIST, from scratch and with Keras.

Run:  python -m nanotf examples/seed_002_softmax_regression.py
Data: Fashion-MNIST (Keras cache, NANOTF_DATASETS_MIRROR, or one download). The mirror that
      examples/make_mirror.py builds serves MNIST files of the same layout as stand-ins.

The note is a Jupyter notebook; its cells run here unchanged and in order, with these completions
for what only a notebook does (each marked where it happens):
- `%matplotlib inline` (an IPython magic) becomes: the Agg backend when there is no display, and
  each `plt.show()` also saves its figure as a PNG (seed_002_figure_<n>.png in
  NANOTF_EXAMPLES_OUTDIR, default the current folder). Without matplotlib the figures are skipped.
- A cell whose last line is an expression shows its value in a notebook; here it is printed
  (`display_value(...)`, the repr, as Jupyter shows it).
- `help(...)` pages hundreds of lines (interactively, in a terminal); the script prints the
  summary line instead, or the full help with NANOTF_EXAMPLES_HELP=1.
"""
# The note's code is kept as written (its Chinese comments and notebook-style imports included):
# ruff: noqa: E402, E501, B007, I001, UP031, F811, E741, UP034

import os

OUTDIR = os.environ.get("NANOTF_EXAMPLES_OUTDIR", ".")
SHOW_HELP = os.environ.get("NANOTF_EXAMPLES_HELP") == "1"


def display_value(value):
    """Prints a notebook cell's value the way Jupyter shows it (its repr)."""
    print(repr(value))


def print_summary(obj):
    """Prints the first line of `obj`'s docstring (what `help(obj)` starts with)."""
    doc = (getattr(obj, "__doc__", None) or "").strip()
    summary = doc.splitlines()[0] if doc else "(no docstring)"
    print(f"help({getattr(obj, '__name__', obj)}): {summary}")


# Completion for `%matplotlib inline`: pick the Agg backend when there is no display, and make
# plt.show() save each figure before showing it (Agg cannot show; the PNG is the output).
try:
    import matplotlib

    if not os.environ.get("DISPLAY") and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as _plt

    _figures_shown = []
    _show = _plt.show

    def _save_then_show(*args, **kwargs):
        name = f"seed_002_figure_{len(_figures_shown) + 1}.png"
        _figures_shown.append(os.path.join(OUTDIR, name))
        _plt.savefig(_figures_shown[-1], bbox_inches="tight")
        print("figure saved to", _figures_shown[-1])
        if matplotlib.get_backend().lower() == "agg":
            _plt.close()
        else:
            _show(*args, **kwargs)

    _plt.show = _save_then_show
    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False
    print("matplotlib is not installed: the note's figures are skipped")

# -- Imports (the note's first cell) ---------------------------------------------------------------
# import needed package
# %matplotlib inline    <- IPython magic, completed above
try:  # IPython is only needed inside a notebook (the note imports it but does not use it)
    from IPython import display
except ImportError:
    display = None
if HAVE_MATPLOTLIB:  # the figures are skipped without matplotlib
    import matplotlib.pyplot as plt
import tensorflow as tf
from tensorflow import keras
import numpy as np
import time
import sys
print(tf.__version__)

# -- Getting Fashion-MNIST -------------------------------------------------------------------------
from tensorflow.keras.datasets import fashion_mnist

(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()

# 训练集中和测试集中的每个类别的图像数分别为6,000和1,000, 类别数为 10
display_value((len(x_train), len(x_test)))

# 我们可以通过下标来访问任意一个样本
feature, label = x_train[0], y_train[0]
# 28*28 像素，每个像素的数值为0到255之间8位无符号整数（uint8）
print(feature.shape, feature.dtype, type(feature))
print(label, label.dtype, type(label))

# -- Text labels and a plotting helper -------------------------------------------------------------
def get_fashion_mnist_labels(labels):
    text_labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                   'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
    return [text_labels[int(i)] for i in labels]


# 定义一个可以在一行里画出多张图像和对应标签的函数。
def show_fashion_mnist(images, labels):
    # 这⾥的_表示我们忽略（不使⽤）的变量
    _, figs = plt.subplots(1, len(images), figsize=(12, 12)) # 这里注意subplot 和subplots 的区别
    for f, img, lbl in zip(figs, images, labels):
        f.imshow(tf.reshape(img, shape=(28, 28)).numpy())
        f.set_title(lbl)
        f.axes.get_xaxis().set_visible(False)
        f.axes.get_yaxis().set_visible(False)
    plt.show()


if HAVE_MATPLOTLIB:
    X, y = [], []
    for i in range(10):
        X.append(x_train[i]) # 将第i个feature加到X中
        y.append(y_train[i]) # 将第i个label加到y中
    show_fashion_mnist(X, get_fashion_mnist_labels(y))

# -- Reading mini-batches --------------------------------------------------------------------------
bath_size = 256
if sys.platform.startswith('win'):
    num_workers = 0  # 0表示不用额外的进程来加速读取数据
else:
    num_workers = 4

train_iter = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(bath_size)

start = time.time()
for X, y in train_iter:
    continue
print('%.2f sec' % (time.time() - start))

# -- Softmax regression from scratch: data ---------------------------------------------------------
from tensorflow.keras.datasets import fashion_mnist

batch_size=256
(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
x_train = tf.cast(x_train, tf.float32) / 255 #在进行矩阵相乘时需要float型，故强制类型转换为float型
x_test = tf.cast(x_test,tf.float32) / 255 #在进行矩阵相乘时需要float型，故强制类型转换为float型
train_iter = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(batch_size)
test_iter = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(batch_size)

# -- Model parameters ------------------------------------------------------------------------------
num_inputs = 784
num_outputs = 10
W = tf.Variable(tf.random.normal(shape=(num_inputs, num_outputs),mean=0, stddev=0.01, dtype=tf.float32))
b = tf.Variable(tf.zeros(num_outputs, dtype=tf.float32))

# -- Reducing a multi-dimensional Tensor along an axis ---------------------------------------------
X = tf.constant([[1,2,3], [4,5,6]])
print(tf.reduce_sum(X, axis=0, keepdims=True))
print(tf.reduce_sum(X, axis=1, keepdims=True))

# 不保留维度
print(tf.reduce_sum(X, axis=0))
print(tf.reduce_sum(X, axis=1))

# -- The softmax operation -------------------------------------------------------------------------
def softmax(logits, axis=-1):
    # axis=-1 表示最后一个维度,矩阵相当于 axis=1，即计算一行元素
    logits_exp = tf.exp(logits)
    return logits_exp / tf.reduce_sum(logits_exp, axis, keepdims=True) # 这里运用广播机制


X = tf.random.normal(shape=(2, 5))
X_prob = softmax(X)
display_value((X_prob, tf.reduce_sum(X_prob, axis=1)))

# -- The model -------------------------------------------------------------------------------------
def net(X):
    # 这里通过reshpe函数将每张原始图像改成长度为num_inputs的向量。X*W
    logits = tf.matmul(tf.reshape(X, shape=(-1, W.shape[0])), W) + b
    return softmax(logits)


# -- The loss function -----------------------------------------------------------------------------
# 2 个样本3个类别的预测概率
y_hat = np.array([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
# 2 个样本真实值
y = np.array([0, 2], dtype='int32')
display_value(tf.one_hot(y, depth=3))

# tf.boolean_mask 在 y_hat 中保留后面的参数为 1 的位置的数据
display_value(tf.boolean_mask(y_hat, tf.one_hot(y, depth=3)))

if SHOW_HELP:
    help(tf.boolean_mask)
else:
    print_summary(tf.boolean_mask)

def cross_entropy(y_hat, y):
    y = tf.cast(tf.reshape(y, shape=[-1, 1]),dtype=tf.int32)
    y = tf.one_hot(y, depth=y_hat.shape[-1])
    y = tf.cast(tf.reshape(y, shape=[-1, y_hat.shape[-1]]),dtype=tf.int32)
    # 注意这里没有对损失求和，所以后面训练时需要求和
    return -tf.math.log(tf.boolean_mask(y_hat, y)+1e-8)


# -- Accuracy --------------------------------------------------------------------------------------
def accuracy(y_hat, y):
    return np.mean((tf.argmax(y_hat, axis=1) == y))


print(accuracy(y_hat, y))


# 描述,对于tensorflow2中，比较的双方必须类型都是int型，所以要将输出和标签都转为int型
def evaluate_accuracy(data_iter, net):
    acc_sum, n = 0.0, 0
    for _, (X, y) in enumerate(data_iter):
        y = tf.cast(y,dtype=tf.int64)
        acc_sum += np.sum(tf.cast(tf.argmax(net(X), axis=1), dtype=tf.int64) == y)
        n += y.shape[0]
    return acc_sum / n


print(evaluate_accuracy(test_iter, net))

# -- Training (mini-batch SGD written by hand) -----------------------------------------------------
def sgd(params, lr, batch_size, grads):
    """
    Mini-batch stochastic gradient descent.
    lr: 步长
    """
    # 对每一个参数求梯度，并更新
    for i, param in enumerate(params):
        param.assign_sub(lr * grads[i] / batch_size)


# 迭代周期，学习率
num_epochs, lr = 5, 0.1
def train_ch3(net, train_iter, test_iter, loss, num_epochs, batch_size, params=None, lr=None, trainer=None):
    for epoch in range(num_epochs):
        train_l_sum, train_acc_sum, n = 0.0, 0.0, 0
        for X, y in train_iter:
            with tf.GradientTape() as tape:
                y_hat = net(X)
                l = tf.reduce_sum(loss(y_hat, y))
            grads = tape.gradient(l, params)
            if trainer is None:
                # 如果没有传入优化器，则使用原先编写的小批量随机梯度下降
                sgd(params, lr, batch_size, grads)
            else:
                # tf.keras.optimizers.SGD 直接使用是随机梯度下降 theta(t+1) = theta(t) - learning_rate * gradient
                # 这里使用批量梯度下降，需要对梯度除以 batch_size, 对应原书代码的 trainer.step(batch_size)
                trainer.apply_gradients(zip([grad / batch_size for grad in grads], params))  # “softmax回归的简洁实现”一节将用到

            y = tf.cast(y, dtype=tf.float32)
            train_l_sum += l.numpy()
            train_acc_sum += tf.reduce_sum(tf.cast(tf.argmax(y_hat, axis=1) == tf.cast(y, dtype=tf.int64), dtype=tf.int64)).numpy()
            n += y.shape[0]
        test_acc = evaluate_accuracy(test_iter, net)
        print('epoch %d, loss %.4f, train acc %.3f, test acc %.3f'% (epoch + 1, train_l_sum / n, train_acc_sum / n, test_acc))

trainer = tf.keras.optimizers.SGD(lr)
train_ch3(net, train_iter, test_iter, cross_entropy, num_epochs, batch_size, [W, b], lr)

# -- Prediction ------------------------------------------------------------------------------------
# (`.next()` on the iterator, as the note writes it; `next(iter(test_iter))` is the same.)
X, y = iter(test_iter).next()

true_labels = get_fashion_mnist_labels(y.numpy())
pred_labels = get_fashion_mnist_labels(tf.argmax(net(X), axis=1).numpy())
titles = [true + '\n' + pred for true, pred in zip(true_labels, pred_labels)]

if HAVE_MATPLOTLIB:
    show_fashion_mnist(X[0:9], titles[0:9])

# -- Softmax regression with Keras: data -----------------------------------------------------------
import tensorflow as tf
from tensorflow import keras

fashion_mnist = keras.datasets.fashion_mnist
(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()

# 归一化数据
x_train = x_train / 255.0
x_test = x_test / 255.0

# 6000 * 10 * 28 * 28
display_value((x_train.shape, y_train.shape))

# -- The model -------------------------------------------------------------------------------------
# 第一层是Flatten，将28 * 28的像素值，压缩成一行 (784, ) 第二层还是Dense，因为是多分类问题，激活函数使用softmax
net = keras.Sequential([keras.layers.Flatten(input_shape=(28, 28)),
                         keras.layers.Dense(10, activation=tf.nn.softmax)])

if SHOW_HELP:
    help(keras.layers.Flatten)
else:
    print_summary(keras.layers.Flatten)

# -- The loss --------------------------------------------------------------------------------------
loss = 'sparse_categorical_crossentropy'

from tensorflow import losses

# SparseCategoricalCrossentropy 已经除以了 batch_size,所以sgd 不需要再除以 batch_size 了
# 默认，SUM_OVER_BATCH_SIZE，Scalar SUM divided by number of elements in losses.
# https://stackoverflow.com/questions/58159154/how-to-calculate-categorical-cross-entropy-by-hand
cross_entropy = losses.SparseCategoricalCrossentropy(reduction=tf.keras.losses.Reduction.SUM_OVER_BATCH_SIZE)

if SHOW_HELP:
    help(losses.SparseCategoricalCrossentropy)
else:
    print_summary(losses.SparseCategoricalCrossentropy)

# -- The optimizer ---------------------------------------------------------------------------------
optimizer = tf.keras.optimizers.SGD(0.1)

# -- Training, way 1: compile and fit --------------------------------------------------------------
net.compile(optimizer=optimizer, loss=loss, metrics=['accuracy'])
display_value(net.fit(x_train, y_train, epochs=5, batch_size=256))

test_loss, test_acc = net.evaluate(x_test, y_test)
print('Test Acc:',test_acc)

# -- Training, way 2: a GradientTape loop over the from-scratch datasets ---------------------------
# 迭代周期，学习率
num_epochs, lr = 5, 0.1
def train_ch3(net, train_iter, test_iter, loss, num_epochs, batch_size, params=None, lr=None, trainer=None):
    for epoch in range(num_epochs):
        train_l_sum, train_acc_sum, n = 0.0, 0.0, 0
        for X, y in train_iter:
            with tf.GradientTape() as tape:
                y_hat = net(X, training=True)
                l = loss(y, y_hat)
                #print(params)
                grads = tape.gradient(l, net.trainable_variables)
                # tf.keras.optimizers.SGD 直接使用是随机梯度下降 theta(t+1) = theta(t) - learning_rate * gradient
                trainer.apply_gradients(zip([grad for grad in grads], net.trainable_variables))

            train_l_sum += l.numpy()
            train_acc_sum += tf.reduce_sum(tf.cast(tf.argmax(y_hat, axis=1) == tf.cast(y, dtype=tf.int64), dtype=tf.int64)).numpy()
            n += y.shape[0]
        test_acc = evaluate_accuracy(test_iter, net)
        print('epoch %d, loss %.4f, train acc %.3f, test acc %.3f'% (epoch + 1, train_l_sum / n, train_acc_sum / n, test_acc))

trainer = tf.keras.optimizers.SGD(lr)
train_ch3(net, train_iter, test_iter, cross_entropy, num_epochs, batch_size, lr=lr, trainer=trainer)
