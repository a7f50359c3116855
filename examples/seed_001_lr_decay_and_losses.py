"""Seed note 001: exponential learning-rate decay, activation functions, and loss functions.

Run:  python -m nanotf examples/seed_001_lr_decay_and_losses.py
Data: none (the regression data is generated with a seeded NumPy RandomState).

Every ```python block of the note runs unchanged, in the note's order, and prints what the note
prints (its seeded weights included). The note shows the activation functions only as pictures;
the script draws them with the tf functions the note names (skipped without matplotlib).
"""
# The note's code is kept as written (its Chinese comments and notebook-style imports included):
# ruff: noqa: E402, E501, B020, I001, UP031

# -- Exponentially decaying learning rate -------------------------------------------------------
# lr = LR_BASE * LR_DECAY ** (epoch / LR_STEP); minimises (w + 1)^2 from w = 5.
import tensorflow as tf
# 指数衰减学习率
# 指数衰减学习率 = 初始学习率 * 学习率衰减率 ^ (当前轮次 / 多少轮衰减一次)
w = tf.Variable(tf.constant(5, dtype=tf.float32))
epoch = 40
# 最初学习率
LR_BASE = 0.2
# 学习率衰减率
LR_DECAY = 0.99
# 喂了多少轮BATCH_SIZE后，更新一次学习率
LR_STEP = 1

# 定义epoch顶层循环，表示对数据集循环epoch次
for epoch in range(epoch):
    # lr 学习率随着epoch的变化不断的衰减
    lr = LR_BASE * LR_DECAY ** (epoch / LR_STEP)

    # with 开启一个GradientTape()的上下文，该上下文会监控在它之下的所有计算活动
    with tf.GradientTape() as tape:
        # 定义loss函数
        loss = tf.square(w + 1)
    # 使用tape.gradient()来计算loss对w的求导值
    grads = tape.gradient(loss, w)

    # 使用w.assign_sub()来更新w的值
    w.assign_sub(lr * grads)
    print("After %s epoch,w is %f,loss is %f,lr is %f" % (epoch, w.numpy(), loss, lr))

# -- Activation functions (the note shows plots only) ---------------------------------------------
# Addition: draws tf.sigmoid, tf.tanh, tf.nn.relu and tf.nn.leaky_relu, the functions the note
# names, into one PNG (Agg backend when there is no display); skipped when matplotlib is missing.
import os


def plot_activations(path):
    """Draws the note's four activation functions into `path`; False without matplotlib."""
    try:
        import matplotlib
        if not os.environ.get("DISPLAY") and not os.environ.get("MPLBACKEND"):
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    xs = tf.linspace(-6.0, 6.0, 121)
    funcs = {"sigmoid": tf.sigmoid, "tanh": tf.tanh, "relu": tf.nn.relu,
             "leaky_relu": tf.nn.leaky_relu}
    fig, axes = plt.subplots(1, 4, figsize=(14, 3))
    for ax, (title, f) in zip(axes, funcs.items()):
        ax.plot(xs.numpy(), f(xs).numpy())
        ax.set_title(title)
        ax.grid(True)
    fig.savefig(path)
    plt.close(fig)
    return True


png = os.path.join(os.environ.get("NANOTF_EXAMPLES_OUTDIR", "."), "seed_001_activations.png")
if plot_activations(png):
    print("activation functions drawn to", png)
else:
    print("matplotlib is not installed: activation plots skipped")

# -- Mean squared error: fit y_ = x1 + x2 (+ noise) --------------------------------------------
import numpy as np
import tensorflow as tf

# random seed ,确保每次运行的结果都相同
SEED = 23455

# 定义获取随机数种子的函数
rdm = np.random.RandomState(seed = SEED)
x = rdm.rand(32,2)

# 通过列表推导式生成 y_(真实值)
# [expression for item in iterable] 列表推导式
# 这段代码会遍历 iterable 中的每一个 item，对每个 item 执行 expression，并将结果放入新列表。
# 【for (x1,x2) in x】 中 (x1, x2) 表示解包每个二元组，把每个二元组的第一个元素赋值给 x1，第二个元素赋值给 x2
# 【x1 + x2 + (rdm.rand() / 10.0 - 0.05)】 表示对于每一对二元组，计算 x1 + x2 + (随机噪声)
# 通过列表推导式，y_ 最终将是一个包含多个子列表的列表，每个子列表包含一个预测值（x1 + x2 + (随机噪声)）
y_ = [[x1 + x2 + (rdm.rand() / 10.0 - 0.05)] for (x1,x2) in x]

# print(f'x = {x}')
# print(f'y_ = {y_}')

# 对x 进行类型转换 确保x 的类型为 float32
x = tf.cast(x, dtype = tf.float32)

# 定义权重
w1 = tf.Variable(tf.random.normal([2,1], stddev = 0.01,seed = 1), name = 'weights')

# 定义循环次数和学习率
epoch = 15000
lr = 0.002


for epoch in range(epoch):
    with tf.GradientTape() as tape:
        y = tf.matmul(x, w1)
        loss = tf.reduce_mean(tf.square(y_ - y))

    grads = tape.gradient(loss,w1)
    w1.assign_sub(lr * grads)

    if epoch % 500 == 0:
        print("After %d training steps,w1 is " % (epoch))
        print(w1.numpy(), "\n")
print("Final w1 is: ", w1.numpy())

# -- A custom loss: under-predicting costs PROFIT (99), over-predicting costs COST (1) ------------
# so the fitted weights end above 1.
# 使用自定义损失函数

import numpy as np
import tensorflow as tf

# random seed ,确保每次运行的结果都相同
SEED = 23455

# 定义获取随机数种子的函数
rdm = np.random.RandomState(seed = SEED)
x = rdm.rand(32,2)

# 通过列表推导式生成 y_(真实值)
# [expression for item in iterable] 列表推导式
# 这段代码会遍历 iterable 中的每一个 item，对每个 item 执行 expression，并将结果放入新列表。
# 【for (x1,x2) in x】 中 (x1, x2) 表示解包每个二元组，把每个二元组的第一个元素赋值给 x1，第二个元素赋值给 x2
# 【x1 + x2 + (rdm.rand() / 10.0 - 0.05)】 表示对于每一对二元组，计算 x1 + x2 + (随机噪声)
# 通过列表推导式，y_ 最终将是一个包含多个子列表的列表，每个子列表包含一个预测值（x1 + x2 + (随机噪声)）
y_ = [[x1 + x2 + (rdm.rand() / 10.0 - 0.05)] for (x1,x2) in x]

# print(f'x = {x}')
# print(f'y_ = {y_}')

# 对x 进行类型转换 确保x 的类型为 float32
x = tf.cast(x, dtype = tf.float32)

# 定义权重
w1 = tf.Variable(tf.random.normal([2,1], stddev = 0.01,seed = 1), name = 'weights')

# 定义循环次数和学习率
epoch = 15000
lr = 0.002

COST = 1
PROFIT = 99



for epoch in range(epoch):
    with tf.GradientTape() as tape:
        y = tf.matmul(x, w1)
        # y : 预测值  y_ : 真实值
        # 如果 y > y_ 说明预测值大于真实值，则损失为 COST * (y - y_)
        # 如果 y < y_ 说明预测值小于真实值，则损失为 PROFIT * (y - y_)
        loss = tf.reduce_mean(tf.where(tf.greater(y, y_,), COST * (y - y_), PROFIT * (y_ - y)))

    grads = tape.gradient(loss,w1)
    w1.assign_sub(lr * grads)

    if epoch % 500 == 0:
        print("After %d training steps,w1 is " % (epoch))
        print(w1.numpy(), "\n")

# 因为预测的少时，损失更多，所以预测值会偏大，w1 最终会偏大 结果都大于1
print("Final w1 is: ", w1.numpy())

# -- Cross entropy: which prediction is closer to y_ = (1, 0)? ---------------------------------
y_ = tf.constant([1.0, 0.0])
y1 = tf.constant([0.6, 0.4])
y2 = tf.constant([0.8, 0.2])

loss_y1 = tf.losses.categorical_crossentropy(y_, y1)
loss_y2 = tf.losses.categorical_crossentropy(y_, y2)
print(f'loss_y1: {loss_y1}')
print(f'less_y2: {loss_y2}')

# -- Softmax with cross entropy, in one call (the note's formula) ------------------------------
# Runs on whatever y_ and y hold at this point of the notebook (y_: (2,), y: the (32, 1)
# predictions of the loop above); it prints nothing.
cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))

# -- Softmax then categorical_crossentropy, versus the fused op ---------------------------------
y_ = tf.constant([[1,0,0],[0,1,0],[0,0,1],[1,0,0],[0,0,1]])
y = tf.constant([[12,3,2],[3,10,1],[1,2,5],[4,6.5,1.2],[3,6,1]])

y_pro = tf.nn.softmax(y)

loss_ce1 = tf.losses.categorical_crossentropy(y_, y_pro)
loss_ce2 = tf.nn.softmax_cross_entropy_with_logits(y_, y)

print(f'loss_ce1 分步计算结果 : {loss_ce1}')

print(f'loss_ce2 组合计算结果 : {loss_ce2}')
