"""Control flow: cond, while_loop, case, switch_case, map_fn, scan, foldl/foldr.

Each op is checked eagerly, inside tf.function (a graph node) and, where it matters, for gradients
(rematerialised under a tape) against the values TensorFlow 2.21 gives.
"""

from __future__ import annotations

import numpy as np
import pytest

import nanotf as tf
from nanotf._src.function import function
from nanotf._src.ops import control


def both(fn):
    """fn eagerly and as a tf.function (graph mode)."""
    return [fn, function(fn)]


@pytest.mark.parametrize("mode", [0, 1])
def test_cond_values_and_gradients(mode):
    def f(x):
        return control.cond(x > 0, lambda: x * x, lambda: -3.0 * x)

    fn = both(f)[mode]
    for v, want, grad in ((2.0, 4.0, 4.0), (-1.0, 3.0, -3.0)):
        x = tf.constant(v)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        assert float(y) == want
        assert float(tape.gradient(y, x)) == grad


def test_cond_in_graph_is_one_node_with_both_branches_traced(capsys):
    @function
    def f(x):
        return control.cond(x > 0, lambda: print("true") or x, lambda: print("false") or -x)

    assert float(f(tf.constant(1.0))) == 1.0
    assert float(f(tf.constant(-2.0))) == 2.0
    assert capsys.readouterr().out == "true\nfalse\n"
    assert f.experimental_get_tracing_count() == 1


def test_cond_branch_structures_must_match():
    f = function(lambda x: control.cond(x > 0, lambda: x, lambda: (x, x)))
    with pytest.raises(ValueError, match="same number, type, and overall structure"):
        f(tf.constant(1.0))


def test_gradient_wrt_variable_inside_branch():
    v = tf.Variable(2.0)

    @function
    def f(x):
        with tf.GradientTape() as tape:
            y = control.cond(x > 0, lambda: v * x, lambda: v * v)
        return tape.gradient(y, v)

    assert float(f(tf.constant(3.0))) == 3.0
    assert float(f(tf.constant(-3.0))) == 4.0


@pytest.mark.parametrize("mode", [0, 1])
def test_while_loop_sum_and_power_gradient(mode):
    def f(n, x):
        i, acc = control.while_loop(lambda i, acc: i < n, lambda i, acc: (i + 1, acc * x),
                                    (tf.constant(0), tf.constant(1.0)))
        return acc

    fn = both(f)[mode]
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(tf.constant(3), x)
    assert float(y) == 8.0
    assert float(tape.gradient(y, x)) == 12.0  # TF 2.21: 12.0


def test_while_loop_returns_loop_vars_structure():
    res = control.while_loop(lambda i: i < 10, lambda i: [i + 1], [tf.constant(0)])
    assert isinstance(res, list) and int(res[0]) == 10
    f = function(lambda n: control.while_loop(lambda i: i < n, lambda i: i + 2, tf.constant(0)))
    assert int(f(tf.constant(7))) == 8
    limited = function(lambda: control.while_loop(lambda i: i < 100, lambda i: i + 1,
                                                  [tf.constant(0)], maximum_iterations=5))
    assert int(limited()[0]) == 5


def test_while_loop_shape_invariants():
    grow = lambda i: tf.concat([i, i], 0)  # noqa: E731
    f = function(lambda x: control.while_loop(lambda i: tf.shape(i)[0] < 8, grow, [x]))
    with pytest.raises(ValueError, match="enters the loop with shape \\(1,\\), but has shape "
                                         "\\(2,\\) after one iteration"):
        f(tf.constant([1.0]))
    g = function(lambda x: control.while_loop(lambda i: tf.shape(i)[0] < 8, grow, [x],
                                              shape_invariants=[tf.TensorShape([None])]))
    np.testing.assert_array_equal(g(tf.constant([1.0]))[0].numpy(), np.ones(8))


@pytest.mark.parametrize("mode", [0, 1])
def test_map_fn_scan_folds(mode):
    m = both(lambda e: control.map_fn(lambda x: x * 2, e))[mode]
    np.testing.assert_array_equal(m(tf.constant([[1.0, 2.0], [3.0, 4.0]])).numpy(),
                                  [[2.0, 4.0], [6.0, 8.0]])
    pairs = both(lambda a, b: control.map_fn(lambda t: (t[0] + t[1], t[0] * t[1]), (a, b)))[mode]
    s, p = pairs(tf.constant([1, 2]), tf.constant([3, 4]))
    np.testing.assert_array_equal(s.numpy(), [4, 6])
    np.testing.assert_array_equal(p.numpy(), [3, 8])
    sc = both(lambda e: control.scan(lambda a, x: a * x, e, initializer=tf.constant(1.0)))[mode]
    np.testing.assert_array_equal(sc(tf.constant([1.0, 2.0, 3.0])).numpy(), [1.0, 2.0, 6.0])
    cs = both(lambda e: control.scan(lambda a, x: a + x, e))[mode]
    np.testing.assert_array_equal(cs(tf.constant([1, 2, 3, 4])).numpy(), [1, 3, 6, 10])
    fl = both(lambda e: control.foldl(lambda a, x: a - x, e))[mode]
    fr = both(lambda e: control.foldr(lambda a, x: a - x, e))[mode]
    assert int(fl(tf.constant([1, 2, 3]))) == -4
    assert int(fr(tf.constant([1, 2, 3]))) == 0


def test_map_fn_gradient():
    w = tf.Variable(3.0)

    def f(e):
        return tf.reduce_sum(control.map_fn(lambda x: x * x * w, e))

    for fn in both(f):
        e = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(e)
            y = fn(e)
        ge, gw = tape.gradient(y, [e, w])
        np.testing.assert_allclose(ge.numpy(), [6.0, 12.0])
        assert float(gw) == 5.0


@pytest.mark.parametrize("mode", [0, 1])
def test_case_and_switch_case(mode):
    def c(x):
        return control.case([(x < 2, lambda: tf.constant(1)), (x < 5, lambda: tf.constant(2))],
                            default=lambda: tf.constant(3))

    def s(i):
        return control.switch_case(i, [lambda: tf.constant(10), lambda: tf.constant(20)],
                                   default=lambda: tf.constant(-1))

    fc, fs = both(c)[mode], both(s)[mode]
    assert [int(fc(tf.constant(v))) for v in (1, 3, 7)] == [1, 2, 3]
    assert [int(fs(tf.constant(v))) for v in (0, 1, 5)] == [10, 20, -1]


def test_cond_on_placeholder_in_session():
    from nanotf._src.graph import Graph
    from nanotf._src.session import Session

    g = Graph()
    with g.as_default():
        p = g.placeholder(tf.bool, [])
        x = g.placeholder(tf.float32, [None])
        y = control.cond(p, lambda: x * 2.0, lambda: x - 1.0)
    sess = Session(graph=g)
    np.testing.assert_array_equal(sess.run(y, {p: True, x: [1.0, 2.0]}), [2.0, 4.0])
    np.testing.assert_array_equal(sess.run(y, {p: False, x: [1.0]}), [0.0])
