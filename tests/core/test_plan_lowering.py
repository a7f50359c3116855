"""Compiled plans: lowered nodes, reused buffers and fused optimizer updates keep eager's bits."""

import warnings

import numpy as np
import pytest

import nanotf as tf
from nanotf._src.ops.conv import fused_conv2d
from nanotf._src.plan import Plan

SPECIAL = np.array([[0.0, -0.0, 1.5, -2.25], [np.inf, -np.inf, np.nan, 3e38],
                    [1e-40, -7.0, 0.5, 2.0]], np.float32)


def _bits(a):
    a = np.asarray(a)
    return a.view(np.uint32) if a.dtype == np.float32 else a


def _same(fn, *args, quiet=False):
    """`fn` eagerly and as a tf.function (twice: trace, then the compiled plan) agree bit for bit;
    returns the plan's source. `quiet`: the compiled run must not warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eager = fn(*args)
        f = tf.function(fn)
        f(*args)
    with warnings.catch_warnings():
        warnings.simplefilter("error" if quiet else "ignore")
        traced = f(*args)
    for e, t in zip(tf.nest.flatten(eager), tf.nest.flatten(traced)):
        assert e.dtype == t.dtype and e.shape == t.shape
        np.testing.assert_array_equal(_bits(e.numpy()), _bits(t.numpy()))
    cf = next(iter(f._cache.values()))
    return cf._plan.source


def test_elementwise_and_reductions_match_eager_bits():
    x = tf.constant(SPECIAL)
    y = tf.constant(SPECIAL[::-1].copy())

    def fn(x, y):
        a = x * y + x - y
        b = tf.maximum(a, y) / tf.minimum(x, 2.0)
        c = tf.nn.relu(-b)
        s = tf.reduce_sum(c, axis=1, keepdims=True) + tf.reduce_sum(x)
        cmp = tf.cast(tf.greater_equal(x, y), tf.float32) + tf.cast(tf.equal(x, y), tf.float32)
        return a, b, c, s, cmp, tf.where(x > 0.0, x, y), tf.argmax(y, axis=1)

    src = _same(fn, x, y, quiet=True)  # lowered divisions stay silent, as the impls are
    assert "out=" in src  # dead intermediates were reused


def test_casts_and_shape_ops():
    x = tf.constant([[-2.7, -0.5, 0.5, 3.9]], tf.float32)

    def fn(x):
        i = tf.cast(x, tf.int32)  # truncates toward zero
        b = tf.cast(x > 0.0, tf.float32)
        e = tf.expand_dims(tf.squeeze(x, 0), -1)
        return i, b, tf.reshape(e, [2, 2]), tf.cast(i, tf.float32)

    _same(fn, x)


def test_divide_no_nan_zero_denominators():
    x = tf.constant([1.0, np.nan, -0.0, 4.0, np.inf])
    y = tf.constant([0.0, 0.0, 2.0, -0.0, 5.0])
    _same(lambda x, y: tf.math.divide_no_nan(x, y), x, y)
    for a, b in zip(x.numpy(), y.numpy()):  # scalars (a metric's result) take their own path
        for d in (b, np.float32(np.nan), np.float32(np.inf), np.float32(-0.0)):
            _same(lambda x, y: tf.math.divide_no_nan(x, y), tf.constant(a), tf.constant(d))


def test_one_hot_out_of_range_and_values():
    idx = tf.constant([[0, 9, -1, 10]], tf.int32)
    _same(lambda i: tf.one_hot(i, 10), idx)
    _same(lambda i: tf.one_hot(i, 4, on_value=5.0, off_value=-1.0), idx)
    big = tf.constant(np.array([0, 255, 7], np.uint8))
    _same(lambda i: tf.one_hot(i, 300), big)
    wide = tf.constant(np.array([[-3, 0, 5], [2**31 - 1, -(2**31), 4]], np.int64))
    for depth in (1, 6, 2000):  # the table lookup, and the comparison beyond its depths
        for dt in (tf.float32, tf.int32):
            assert "take" in _same(lambda i, d=depth, t=dt: tf.one_hot(i, d, dtype=t), wide) \
                or depth > 1024


def test_boolean_mask_and_its_gradient():
    x = tf.constant(SPECIAL.reshape(-1))
    m = tf.constant(np.array([1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0], bool))

    def fn(x, m):
        with tf.GradientTape() as tape:
            tape.watch(x)
            picked = tf.boolean_mask(x, m)
            loss = tf.reduce_sum(picked * tf.constant(-0.0))  # -0.0 gradients become 0.0
        return picked, tape.gradient(loss, x)

    _same(fn, x, m)


def test_gather_out_of_range_still_raises():
    f = tf.function(lambda p, i: tf.gather(p, i))
    p = tf.constant([1.0, 2.0, 3.0])
    f(p, tf.constant([0, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="not in"):
        f(p, tf.constant([0, 3]))


def test_reused_buffers_never_clobber_live_values():
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))

    def fn(x):
        a = x * 2.0
        b = a + 1.0   # a is still needed below: b must not be written into a
        c = a * 3.0
        d = tf.reshape(c, [3, 2])  # a view of c: c must not be reused while d lives
        e = c + 1.0
        return a, b, d, e

    _same(fn, x)


def test_compiled_assign_respects_a_live_tape():
    v = tf.Variable(3.0)
    bump = tf.function(lambda: v.assign_add(1.0))
    bump()
    with tf.GradientTape(persistent=True) as tape:
        y = v * v  # the tape log holds v's current value (4.0)
    bump()  # compiled: v is replaced, not updated in place
    assert float(v.numpy()) == 5.0
    assert float(tape.gradient(y, v).numpy()) == 8.0
    sub = tf.function(lambda d: v.assign_sub(d))
    sub(tf.constant(2.0))
    sub(tf.constant(2.0))
    assert float(v.numpy()) == 1.0


def test_plans_of_v1_sessions_are_not_lowered():
    p = Plan([], [], [])
    assert "def plan(xp, )" in p.source


def _train(one_by_one: bool, amsgrad: bool):
    tf.keras.utils.set_random_seed(3)
    m = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu", input_shape=(5,)),
                             tf.keras.layers.Dense(3)])
    opt = tf.keras.optimizers.Adam(0.01, amsgrad=amsgrad)
    if one_by_one:
        opt._update_all = lambda items, lr: False
    m.compile(opt, tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.RandomState(0)
    m.fit(rng.rand(64, 5).astype(np.float32), rng.randint(0, 3, 64), batch_size=16, epochs=2,
          verbose=0)
    return m.get_weights() + opt.get_weights()


@pytest.mark.parametrize("amsgrad", [False, True])
def test_multi_variable_adam_equals_per_variable_updates(amsgrad):
    for a, b in zip(_train(False, amsgrad), _train(True, amsgrad)):
        np.testing.assert_array_equal(a, b)


def test_keras_dropout_masks_follow_seed_rules():
    from nanotf._src.ops import fast_random

    tf.random.set_seed(11)
    a = fast_random.fast_uniform([1000], seed=4).numpy()
    b = fast_random.fast_uniform([1000], seed=4).numpy()
    tf.random.set_seed(11)
    c = fast_random.fast_uniform([1000], seed=4).numpy()
    assert a.dtype == np.float32 and 0 <= a.min() and a.max() < 1 and abs(a.mean() - 0.5) < 0.05
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b)
    assert fast_random.fast_uniform([3], tf.float16).dtype == tf.float16


def _zero_signless(a):
    a = np.asarray(a)
    return np.where(a == 0, np.float32(0), a)  # fused pairs may differ in the sign of zeros


@pytest.mark.parametrize("h", [8, 9])  # windows tile the input / leave a last row out
def test_conv_relu_pool_gradients_are_fused_and_match_eager(h):
    rng = np.random.RandomState(3)
    x = tf.constant(rng.randn(4, h, h, 3).astype(np.float32))
    w = tf.Variable(rng.randn(3, 3, 3, 5).astype(np.float32))
    b = tf.Variable(rng.randn(5).astype(np.float32) * 0.1)

    def fn(x):
        with tf.GradientTape() as tape:
            y = tf.nn.relu(fused_conv2d(x, w, b, 1, "VALID"))  # what Keras's Conv2D calls
            p = tf.nn.max_pool2d(y, 2, 2, "VALID")
            loss = tf.reduce_sum(p * p)
        return (p,) + tuple(tape.gradient(loss, [w, b]))

    eager = fn(x)
    f = tf.function(fn)
    f(x)
    traced = f(x)
    plan = next(iter(f._cache.values()))._plan
    names = {getattr(v, "__name__", "") for v in plan._fn.__globals__.values()}
    assert {"fused_conv2d_relu", "max_pool_relu_grad"} <= names
    for e, t in zip(eager, traced):
        np.testing.assert_array_equal(_zero_signless(e.numpy()), _zero_signless(t.numpy()))


def _called(fn, *args):
    """The names of the functions a plan calls (its constants appear as c0, c1, ... in its
    source), after `_same` checked its bits."""
    import re

    _same(fn, *args)
    f = tf.function(fn)  # a fresh trace, to read its plan's globals
    f(*args)
    cf = next(iter(f._cache.values()))
    g = cf._plan._fn.__globals__
    return [getattr(g[n], "__name__", "") for n in re.findall(r"\b(c\d+)\(", cf._plan.source)]


def test_select_with_a_zero_masks_bits():
    x = tf.constant(SPECIAL)
    cond = tf.constant(np.array([[1, 0, 1, 0], [0, 1, 1, 0], [1, 1, 0, 0]], bool))
    assert "_keep_or_zero" in _called(lambda c, v: tf.where(c, v, 0.0), cond, x)
    assert "_keep_or_zero" not in _called(lambda c, v: tf.where(c, v, -0.0), cond, x)
    x64 = tf.constant(SPECIAL.astype(np.float64))
    assert "_keep_or_zero" in _called(
        lambda c, v: tf.where(c, v, tf.constant(0.0, tf.float64)), cond, x64)
    # dropout's forward and gradient take it
    keep = tf.constant(np.random.RandomState(0).rand(3, 4) > 0.5)

    def drop(v):
        with tf.GradientTape() as tape:
            tape.watch(v)
            y = tf.where(keep, v * 2.0, 0.0)
            total = tf.reduce_sum(y * v)
        return y, tape.gradient(total, v)

    assert _called(drop, tf.constant(np.where(SPECIAL > 1e30, 3.0, SPECIAL))).count(
        "_keep_or_zero") == 2  # (no 3e38, whose square would overflow with a warning)
