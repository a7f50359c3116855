"""Compiled backward passes for repeated eager tapes (tape_replay): same numbers as the eager
sweep, and every case that must not replay sweeps eagerly."""

from __future__ import annotations

import numpy as np
import pytest

import nanotf as tf
from nanotf._src import tape_replay
from nanotf._src.tape import GradientTape
from tests.conftest import python_work


@pytest.fixture
def eager_only(monkeypatch):
    """Runs the block with replay switched off (every gradient takes the eager sweep)."""
    def run(fn):
        with monkeypatch.context() as m:
            m.setattr(tape_replay, "gradient", lambda *a, **k: None)
            return fn()
    return run


def _mlp_steps(n):
    rng = np.random.RandomState(0)
    x = tf.constant(rng.rand(16, 6).astype(np.float32))
    y = tf.constant(rng.randint(0, 3, 16))
    w1 = tf.Variable(rng.randn(6, 8).astype(np.float32))
    b1 = tf.Variable(np.zeros(8, np.float32))
    w2 = tf.Variable(rng.randn(8, 3).astype(np.float32))
    seen = []
    for _ in range(n):
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.matmul(x, w1) + b1)
            logits = tf.matmul(h, w2)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
            loss += 0.01 * tf.reduce_sum(tf.square(w1))
        grads = tape.gradient(loss, [w1, b1, w2])
        seen.append([g.numpy() for g in grads])
        for v, g in zip([w1, b1, w2], grads):
            v.assign_sub(0.1 * g)
    return seen, [v.numpy() for v in (w1, b1, w2)]


def _w3_steps(n):
    rdm = np.random.RandomState(seed=23455)
    x = rdm.rand(32, 2)
    y_ = [[x1 + x2 + (rdm.rand() / 10.0 - 0.05)] for (x1, x2) in x]
    x = tf.cast(x, dtype=tf.float32)
    w1 = tf.Variable([[-0.0081], [0.0147]])
    for _ in range(n):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(y_ - tf.matmul(x, w1)))
        w1.assign_sub(0.002 * tape.gradient(loss, w1))
    return w1.numpy()


def test_replayed_gradients_equal_the_eager_sweep_bit_for_bit(eager_only):
    got, final = _mlp_steps(6)
    want, want_final = eager_only(lambda: _mlp_steps(6))
    for g, w in zip(got, want):
        for a, b in zip(g, w):
            np.testing.assert_array_equal(a, b)
    for a, b in zip(final, want_final):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(_w3_steps(300), eager_only(lambda: _w3_steps(300)))


def test_a_repeated_structure_runs_without_the_eager_sweep():
    v = tf.Variable([1.0, 2.0, 3.0])

    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.exp(v) * v)
        return tape.gradient(loss, v)

    step()
    step()  # the second sighting compiles
    work = python_work(step)
    assert work["_sweep"] == 0
    np.testing.assert_allclose(step().numpy(), np.exp([1.0, 2.0, 3.0]) * [2.0, 3.0, 4.0],
                               rtol=1e-6)


def test_replay_reads_the_current_values_of_inputs_and_variables():
    v = tf.Variable(1.0)
    for k in range(5):
        v.assign(float(k))
        x = tf.constant(float(k + 1))
        with tf.GradientTape() as tape:
            y = v * v * x
        assert tape.gradient(y, v).numpy() == 2.0 * k * (k + 1)


def test_custom_gradient_rules_run_every_time():
    scale = [1.0]

    @tf.custom_gradient
    def scaled(x):
        return tf.identity(x), lambda dy: dy * scale[0]

    x = tf.constant([1.0, 2.0])
    before = len(tape_replay._CACHE)
    for k in range(4):
        scale[0] = float(k)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(scaled(x) * 3.0)
        assert tape.gradient(y, x).numpy().tolist() == [3.0 * k, 3.0 * k]
    assert len(tape_replay._CACHE) == before  # nothing kept that holds a call's closure


def test_eager_control_flow_gradients_follow_the_taken_branch():
    x = tf.Variable(2.0)
    for k in range(4):
        with tf.GradientTape() as tape:
            y = tf.cond(tf.constant(k % 2 == 0), lambda: x * x, lambda: x * 3.0)
        assert tape.gradient(y, x).numpy() == (4.0 if k % 2 == 0 else 3.0)


def test_nested_tapes_still_give_second_derivatives():
    x = tf.Variable(3.0)
    for _ in range(3):
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                y = x * x * x
            dy = inner.gradient(y, x)
        assert dy.numpy() == 27.0
        assert outer.gradient(dy, x).numpy() == 18.0


def test_data_dependent_sizes_fall_back_when_they_change():
    x = tf.Variable([1.0, -2.0, 3.0, -4.0])
    for mask in ([True, False, True, False], [True, False, True, False],
                 [True, True, True, False], [False, False, False, True]):
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.boolean_mask(x * x, tf.constant(mask)))
        got = tape.gradient(y, x).numpy()
        np.testing.assert_array_equal(got, np.where(mask, 2 * x.numpy(), 0.0))


def test_new_shapes_and_persistent_tapes():
    for n in (2, 3, 2, 3, 4):
        x = tf.constant(np.arange(n, dtype=np.float32))
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = tf.reduce_sum(x * x)
            z = tf.reduce_sum(tf.sin(x))
        np.testing.assert_array_equal(tape.gradient(y, x).numpy(), 2 * x.numpy())
        np.testing.assert_allclose(tape.gradient(z, x).numpy(), np.cos(x.numpy()), rtol=1e-6)
        np.testing.assert_array_equal(tape.gradient(y, x).numpy(), 2 * x.numpy())


def test_unconnected_and_integer_sources():
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    for _ in range(3):
        with tf.GradientTape() as tape:
            y = a * 4.0
        ga, gb = tape.gradient(y, [a, b], unconnected_gradients="zero")
        assert (ga.numpy(), gb.numpy()) == (4.0, 0.0)


def test_the_cache_is_bounded():
    for n in range(1, tape_replay._MAX_KEYS + 20):
        x = tf.constant(np.ones(n, np.float32))
        for _ in range(2):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.reduce_sum(x * x)
            tape.gradient(y, x)
    assert len(tape_replay._CACHE) <= tape_replay._MAX_KEYS


def test_replay_is_off_while_another_tape_records():
    # an outer recording tape must see the backward ops, so the sweep runs eagerly
    x = tf.Variable(2.0)
    calls = []
    orig = GradientTape._sweep

    def counting(self, *a):
        calls.append(1)
        return orig(self, *a)

    GradientTape._sweep = counting
    try:
        for _ in range(3):
            with tf.GradientTape():
                with tf.GradientTape() as inner:
                    y = x * x
                inner.gradient(y, x)
    finally:
        GradientTape._sweep = orig
    assert len(calls) == 3
