"""GradientTape behaviour; expected values taken from TensorFlow 2.21."""

from __future__ import annotations

import numpy as np
import pytest

import nanotf as tf
from nanotf._src.tape import UnconnectedGradients


def _vals(ts):
    return [None if t is None else t.numpy().tolist() for t in ts]


def test_trainable_variables_are_watched_constants_are_not():
    v = tf.Variable(2.0)
    c = tf.constant(3.0)
    with tf.GradientTape() as g:
        y = v * c
    assert _vals(g.gradient(y, [v, c])) == [3.0, None]


def test_non_trainable_variable_is_not_watched():
    v = tf.Variable(2.0, trainable=False)
    with tf.GradientTape() as g:
        y = v * v
    assert g.gradient(y, v) is None


def test_watch_accessed_variables_false():
    v, w = tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as g:
        g.watch(w)
        y = v * w
    assert _vals(g.gradient(y, [v, w])) == [None, 2.0]
    assert [x.name for x in g.watched_variables()] == ["Variable:0"]
    assert g.watched_variables()[0] is w


def test_watch_nested_structure_and_bad_values():
    a, b = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as g:
        g.watch([a, {"b": b}])
        y = a * b
    assert _vals(g.gradient(y, [a, b])) == [2.0, 1.0]
    with tf.GradientTape() as g, pytest.raises(
            ValueError, match="Passed in object 1.0 of type 'float', not tf.Tensor or tf.Variable"):
        g.watch(1.0)
    with tf.GradientTape() as g:
        g.watch(tf.constant(1))  # allowed; its gradient is just None


def test_persistent_and_non_persistent():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as g:
        g.watch(x)
        y = x * x
        z = y * x
    assert _vals([g.gradient(y, x), g.gradient(z, x)]) == [6.0, 27.0]
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
    g.gradient(y, x)
    with pytest.raises(RuntimeError, match="A non-persistent GradientTape can only be used to "
                                           "compute one set of gradients \\(or jacobians\\)"):
        g.gradient(y, x)


def test_gradient_inside_the_context():
    x = tf.constant(3.0)
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
        r = g.gradient(y, x)
    assert r.numpy() == 6.0


def test_stop_recording():
    x = tf.constant(3.0)
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
        with g.stop_recording():
            z = x * x
        w = y + z
    assert g.gradient(w, x).numpy() == 6.0


def test_stop_gradient_and_reset():
    x = tf.constant(2.0)
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.stop_gradient(x * x) + x
    assert g.gradient(y, x).numpy() == 1.0
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
        g.reset()
        g.watch(x)
        z = x * 3
    assert g.gradient(z, x).numpy() == 3.0


def test_nested_tapes_second_derivative():
    x = tf.constant(3.0)
    with tf.GradientTape() as g2:
        g2.watch(x)
        with tf.GradientTape() as g1:
            g1.watch(x)
            y = x ** 3
        dy = g1.gradient(y, x)
    assert dy.numpy() == 27.0
    assert g2.gradient(dy, x).numpy() == 18.0


def test_nested_structures_of_targets_and_sources():
    a, b = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as g:
        g.watch([a, b])
        y = {"p": a * b, "q": [a + b]}
    r = g.gradient(y, {"x": a, "y": [b]})
    assert set(r) == {"x", "y"}
    assert r["x"].numpy() == 3.0 and r["y"][0].numpy() == 2.0
    x = tf.constant(3.0)
    with tf.GradientTape() as g:
        g.watch(x)
        y1, y2 = x * x, x * 2
    assert g.gradient([y1, y2], x).numpy() == 8.0


def test_output_gradients():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
    r = g.gradient(y, x, output_gradients=tf.constant([10.0, 100.0]))
    assert r.numpy().tolist() == [20.0, 400.0]


def test_unconnected_gradients():
    x, z = tf.constant(1.0), tf.constant([1.0, 2.0])
    with tf.GradientTape(persistent=True) as g:
        g.watch([x, z])
        y = x * 2
    assert g.gradient(y, z) is None
    for uc in (UnconnectedGradients.ZERO, "zero"):
        r = g.gradient(y, z, unconnected_gradients=uc)
        assert r.dtype == tf.float32 and r.numpy().tolist() == [0.0, 0.0]
    with pytest.raises(ValueError):
        g.gradient(y, z, unconnected_gradients="bogus")


def test_integer_sources_and_targets_give_none():
    x = tf.constant(2)
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
    assert g.gradient(y, x) is None
    f = tf.constant([1.3, -2.7])
    with tf.GradientTape(persistent=True) as g:
        g.watch(f)
        eq = tf.equal(f, 1.0)
        i = tf.cast(f, tf.int32)
        d = f * 2
    assert g.gradient(eq, f) is None and g.gradient(i, f) is None
    assert g.gradient([eq, d], f).numpy().tolist() == [2.0, 2.0]


def test_gradient_dtype_follows_the_source():
    x = tf.constant([1.0, 2.0], tf.float64)
    with tf.GradientTape() as g:
        g.watch(x)
        y = tf.cast(x, tf.float32) * 3.0
    r = g.gradient(y, x)
    assert r.dtype == tf.float64 and r.numpy().tolist() == [3.0, 3.0]


def test_duplicate_sources():
    v = tf.Variable(1.0)
    with tf.GradientTape() as g:
        y = v * 2.0
    assert _vals(g.gradient(y, [v, v])) == [2.0, 2.0]


def test_broadcast_gradients_are_reduced():
    x = tf.constant([[1.0], [2.0]])
    b = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as g:
        g.watch([x, b])
        y = x * b
    gx, gb = g.gradient(y, [x, b])
    assert gx.numpy().tolist() == [[6.0], [6.0]] and gb.numpy().tolist() == [3.0, 3.0, 3.0]


def test_jacobian():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
    assert g.jacobian(y, x).numpy().tolist() == [[2.0, 0.0], [0.0, 4.0]]
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape(persistent=True) as g:
        g.watch(x)
        y = tf.reduce_sum(x * x, axis=1)
    j = g.jacobian(y, x)
    assert j.shape == tf.TensorShape([2, 2, 2])
    assert j.numpy().tolist() == [[[2.0, 4.0], [0.0, 0.0]], [[0.0, 0.0], [6.0, 8.0]]]
    assert g.jacobian(y, tf.constant(1.0)) is None


def test_batch_jacobian():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
    j = g.batch_jacobian(y, x)
    assert j.numpy().tolist() == [[[2.0, 0.0], [0.0, 4.0]], [[6.0, 0.0], [0.0, 8.0]]]


def test_custom_gradient():
    @tf.custom_gradient
    def f(x):
        def grad(dy):
            return dy * 100.0
        return x * 2, grad

    x = tf.constant(1.0)
    with tf.GradientTape() as g:
        g.watch(x)
        y = f(x)
    assert y.numpy() == 2.0 and g.gradient(y, x).numpy() == 100.0
    assert f(tf.constant(3.0)).numpy() == 6.0  # no tape: just the value


def test_custom_gradient_with_variables():
    v = tf.Variable(3.0)

    @tf.custom_gradient
    def f(x):
        def grad(dy, variables=None):
            assert variables is not None and variables[0] is v
            return dy * 10.0, [dy * 7.0]
        return x * v, grad

    x = tf.constant(2.0)
    with tf.GradientTape() as g:
        g.watch(x)
        y = f(x)
    assert _vals(g.gradient(y, [x, v])) == [10.0, 7.0]


def test_custom_gradient_must_accept_variables():
    v = tf.Variable(3.0)

    @tf.custom_gradient
    def f(x):
        return x * v, lambda dy: dy * 10.0

    with tf.GradientTape() as g:
        g.watch(tf.constant(2.0))
        with pytest.raises(TypeError, match="@tf.custom_gradient grad_fn must accept keyword "
                                            "argument 'variables', since function uses variables"):
            f(tf.constant(2.0))


def test_custom_gradient_second_order():
    @tf.custom_gradient
    def cube(x):
        return x ** 3, lambda dy: dy * 3 * x * x

    x = tf.constant(2.0)
    with tf.GradientTape() as g2:
        g2.watch(x)
        with tf.GradientTape() as g1:
            g1.watch(x)
            y = cube(x)
        d = g1.gradient(y, x)
    assert d.numpy() == 12.0 and g2.gradient(d, x).numpy() == 12.0


def test_assign_after_recording_keeps_recorded_values():
    v = tf.Variable(2.0)
    with tf.GradientTape() as g:
        y = v * v
    v.assign(10.0)
    assert g.gradient(y, v).numpy() == 4.0
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as g:
        y = tf.reduce_sum(tf.exp(v))
    v.assign_add([1.0, 1.0])
    np.testing.assert_allclose(g.gradient(y, v).numpy(), np.exp([1.0, 2.0]), rtol=1e-6)


def test_assign_during_recording():
    v = tf.Variable(2.0)
    with tf.GradientTape() as g:
        y = v * v
        v.assign_add(1.0)
        z = y * v
    # d/dv (v0^2 * v1) summed over both reads: 2*2*3 + 4 = 16 (TF 2.21)
    assert g.gradient(z, v).numpy() == 16.0
    assert v.numpy() == 3.0


def test_optimizer_style_update_after_gradient():
    v = tf.Variable([1.0, 2.0])
    for _ in range(3):
        with tf.GradientTape() as g:
            loss = tf.reduce_sum(v * v)
        v.assign_sub(0.25 * g.gradient(loss, v))
    assert v.numpy().tolist() == [0.125, 0.25]


def test_second_order_through_variables_read_by_both_tapes():
    # values from TF 2.21: the inner tape's reads of `w`, `b` and `x` must reach the outer tape
    x = tf.Variable(3.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = x * x * x
        dy = inner.gradient(y, x)
    assert (dy.numpy(), outer.gradient(dy, x).numpy()) == (27.0, 18.0)
    w = tf.Variable([[1.0, 2.0], [3.0, -1.0]])
    b = tf.Variable([0.5, -0.5])
    xi = tf.constant([[0.3, -0.2]])
    with tf.GradientTape() as outer:  # a gradient penalty, as WGAN-GP writes it
        with tf.GradientTape() as inner:
            inner.watch(xi)
            out = tf.reduce_sum(tf.nn.sigmoid(tf.matmul(xi, w) + b))
        gp = tf.reduce_sum(inner.gradient(out, xi) ** 2)
    gw, gb = outer.gradient(gp, [w, b])
    np.testing.assert_allclose(gw.numpy(), [[0.33154, 0.33877], [0.26858, 0.25772]], atol=2e-5)
    np.testing.assert_allclose(gb.numpy(), [-0.11006, -0.07096], atol=2e-5)
