"""Keras 2 optimizers (OptimizerV2 behaviour) against TF 2.21 tf_keras legacy optimizers.

TF reference: `tf_keras.optimizers.legacy.*` (AdamW: `tf_keras.optimizers.AdamW`) applying three
steps of the gradients below to `W0` and `B0`; the literals are TF's float32 results.
"""

import numpy as np
import pytest

import nanotf as tf
from nanotf._src.keras import optimizer_schedules as S
from nanotf._src.keras import optimizers as O

W0 = np.array([[0.5, -1.25, 2.0], [0.1, 0.0, -0.3]], np.float32)
C = np.array([[1.0, 0.5, -1.0], [0.2, 0.3, -0.6]], np.float32)
B0 = np.float32(0.75)


def _grads(w, b):
    return np.float32(2) * (w - C) * np.float32(1.5), np.float32(2) * (b - np.float32(-0.5))


CASES = {
    "sgd": lambda: O.SGD(0.1),
    "sgd_mom": lambda: O.SGD(0.1, momentum=0.9),
    "sgd_nesterov": lambda: O.SGD(0.05, momentum=0.8, nesterov=True),
    "adam": lambda: O.Adam(0.1),
    "adam_amsgrad": lambda: O.Adam(0.1, amsgrad=True),
    "rmsprop": lambda: O.RMSprop(0.1),
    "rmsprop_mom": lambda: O.RMSprop(0.1, momentum=0.5),
    "rmsprop_centered": lambda: O.RMSprop(0.1, centered=True),
    "rmsprop_centered_mom": lambda: O.RMSprop(0.1, momentum=0.5, centered=True),
    "adagrad": lambda: O.Adagrad(0.1),
    "adadelta": lambda: O.Adadelta(1.0),
    "adamax": lambda: O.Adamax(0.1),
    "nadam": lambda: O.Nadam(0.1),
    "ftrl": lambda: O.Ftrl(0.1),
    "ftrl_reg": lambda: O.Ftrl(0.1, l1_regularization_strength=0.05,
                               l2_regularization_strength=0.1, beta=0.2,
                               learning_rate_power=-0.7),
    "ftrl_shrink": lambda: O.Ftrl(0.1, l1_regularization_strength=0.01,
                                  l2_shrinkage_regularization_strength=0.1),
    "sgd_clipnorm": lambda: O.SGD(0.1, clipnorm=1.0),
    "sgd_clipvalue": lambda: O.SGD(0.1, clipvalue=0.5),
    "sgd_global_clipnorm": lambda: O.SGD(0.1, global_clipnorm=1.0),
    "adam_decay": lambda: O.Adam(0.1, decay=0.5),
    "sgd_expdecay": lambda: O.SGD(S.ExponentialDecay(0.1, 2, 0.5, staircase=True)),
    "adam_cosine": lambda: O.Adam(S.CosineDecay(0.1, 5)),
    "adamw": lambda: O.AdamW(0.1, weight_decay=0.1),
}

TF = {
    "sgd": ([[0.8285, -0.100250006, 0.028999925], [0.16569999, 0.1971, -0.49710003]], 0.14),
    "sgd_mom": ([[1.1389999, 0.9865, -1.8340001], [0.22780001, 0.3834, -0.68340003]], -0.4225),
    "sgd_nesterov": (
        [[0.9139715, 0.19890025, -0.48382914], [0.1827943, 0.24838293, -0.54838294]],
        -0.0059899986),
    "adam": (
        [[0.7951282, -0.95073867, 1.7003816], [0.27443752, 0.2867102, -0.5867103]],
        0.45115572),
    "adam_amsgrad": (
        [[0.7951282, -0.95073867, 1.7003816], [0.27442294, 0.2867102, -0.5867103]],
        0.45115572),
    "rmsprop": (
        [[0.97556466, -0.56646293, 1.2917659], [0.2250571, 0.3003003, -0.6003003]],
        0.09324305),
    "rmsprop_mom": (
        [[1.1676681, -0.24207765, 0.9541331], [0.107114315, 0.3681289, -0.6681289]],
        -0.2155751),
    "rmsprop_centered": (
        [[0.9851346, -0.505303, 1.223695], [0.21818376, 0.30096593, -0.6009659]],
        0.03994955),
    "rmsprop_centered_mom": (
        [[1.1774204, -0.16239, 0.8638737], [0.10704604, 0.36415595, -0.66415596]],
        -0.28300026),
    "adagrad": (
        [[0.70606196, -1.0267363, 1.774454], [0.19664897, 0.18576466, -0.48576468]],
        0.5297531),
    "adadelta": (
        [[0.50428426, -1.2457111, 1.9957103], [0.10425722, 0.0042797457, -0.30427977]],
        0.74571174),
    "adamax": (
        [[0.76909024, -0.9587758, 1.7050095], [0.25983334, 0.24914919, -0.5491492]],
        0.46237066),
    "nadam": (
        [[0.73527294, -0.9982243, 1.745876], [0.20539539, 0.21587987, -0.5158799]],
        0.5005815),
    "ftrl": (
        [[0.6168021, -0.95429265, 1.7056144], [0.17913814, 0.18576467, -0.41132075]],
        0.44074294),
    "ftrl_reg": (
        [[0.5523146, -1.0950891, 1.876213], [0.15524213, 0.15261556, -0.35891825]],
        0.53371924),
    "ftrl_shrink": (
        [[0.6019876, -0.944191, 1.6958845], [0.16957898, 0.18136717, -0.3971346]],
        0.42901006),
    "sgd_clipnorm": (
        [[0.5424222, -1.1015226, 1.745467], [0.10848443, 0.0254533, -0.32545328]],
        0.44999996),
    "sgd_clipvalue": (
        [[0.65000004, -1.1000001, 1.8500001], [0.16569999, 0.15, -0.45000005]],
        0.59999996),
    "sgd_global_clipnorm": (
        [[0.54127, -1.1055549, 1.7523799], [0.10825401, 0.024762012, -0.32476205]],
        0.6805596),
    "adam_decay": (
        [[0.7145131, -1.0336802, 1.7835147], [0.25527367, 0.2110297, -0.5110297]],
        0.5338702),
    "sgd_expdecay": ([[0.79175, -0.228875, 0.24949992], [0.15834999, 0.17505, -0.47505]], 0.22),
    "adam_cosine": (
        [[0.75260997, -0.99460953, 1.7443635], [0.26790392, 0.24707624, -0.5470762]],
        0.4948949),
    "adamw": (
        [[0.77775383, -0.9167201, 1.6440607], [0.27130768, 0.28385252, -0.5757732]],
        0.43198475),
}
# TF's Eigen `pow` (Ftrl with learning_rate_power != -0.5) can differ from NumPy's in the last bit.
NOT_BITWISE = {"ftrl_reg"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_three_steps_match_tf(name):
    opt = CASES[name]()
    w, b = tf.Variable(W0), tf.Variable(B0)
    for _ in range(3):
        gw, gb = _grads(w.numpy(), b.numpy())
        opt.apply_gradients([(tf.constant(gw), w), (tf.constant(gb), b)])
    want_w, want_b = np.array(TF[name][0], np.float32), np.float32(TF[name][1])
    if name in NOT_BITWISE:
        np.testing.assert_allclose(w.numpy(), want_w, rtol=1e-6)
        np.testing.assert_allclose(b.numpy(), want_b, rtol=1e-6)
    else:
        np.testing.assert_array_equal(w.numpy(), want_w)
        assert b.numpy() == want_b
    assert int(opt.iterations.numpy()) == 3


def test_updates_in_place_without_new_arrays():
    opt = O.Adam(0.01)
    v = tf.Variable(np.ones((4, 3), np.float32))
    g = tf.constant(np.full((4, 3), 0.5, np.float32))
    opt.apply_gradients([(g, v)])
    arrays = [v._v, opt.get_slot(v, "m")._v, opt.get_slot(v, "v")._v]
    opt.apply_gradients([(g, v)])
    assert [v._v, opt.get_slot(v, "m")._v, opt.get_slot(v, "v")._v] == arrays
    assert all(a is b for a, b in zip(arrays, [v._v, opt.get_slot(v, "m")._v,
                                                 opt.get_slot(v, "v")._v]))


def test_persistent_tape_still_sees_old_values():
    v = tf.Variable([2.0])
    with tf.GradientTape(persistent=True) as tape:
        y = v * v
    O.SGD(0.5).apply_gradients([(tape.gradient(y, v), v)])
    assert v.numpy().tolist() == [0.0]
    assert tape.gradient(y, v).numpy().tolist() == [4.0]


def test_learning_rate_alias_and_hyperparameters():
    opt = O.Adam(learning_rate=0.01)
    assert isinstance(opt.lr, tf.Variable) and opt.lr is opt.learning_rate
    assert opt.lr.name == "learning_rate:0" and opt.lr.dtype == tf.float32
    opt.lr = 0.5
    assert float(opt.learning_rate.numpy()) == 0.5
    opt.learning_rate.assign(0.25)
    assert float(opt.lr.numpy()) == 0.25
    with pytest.warns(UserWarning, match="The `lr` argument is deprecated"):
        assert O.SGD(lr=0.3).get_config()["learning_rate"] == pytest.approx(0.3)
    opt.beta_1 = 0.8
    assert float(opt.beta_1.numpy()) == pytest.approx(0.8)


def test_iterations_and_slots():
    opt = O.Adam()
    v = tf.Variable([1.0, 2.0])
    opt.apply_gradients([(tf.constant([0.1, 0.2]), v)])
    assert opt.iterations.dtype == tf.int64 and opt.iterations.name == "Adam/iter:0"
    assert opt.get_slot_names() == ["m", "v"]
    assert opt.get_slot(v, "m").name == "Adam/Variable/m:0"
    assert [w.name for w in opt.variables()] == ["Adam/iter:0", "Adam/Variable/m:0",
                                                 "Adam/Variable/v:0"]
    w = tf.Variable([[3.0]])  # a variable seen for the first time gets its slots then
    opt.apply_gradients([(tf.constant([[1.0]]), w)])
    assert len(opt.weights) == 5 and int(opt.iterations.numpy()) == 2
    weights = opt.get_weights()
    opt2 = O.Adam()  # same creation order: slots are made per apply, grouped by slot name
    opt2.apply_gradients([(tf.constant([0.0, 0.0]), tf.Variable([1.0, 2.0]))])
    opt2.apply_gradients([(tf.constant([[0.0]]), tf.Variable([[3.0]]))])
    opt2.set_weights(weights)
    assert int(opt2.iterations.numpy()) == 2
    with pytest.raises(ValueError, match="weight list of length 1"):
        opt2.set_weights(weights[:1])


def test_none_gradients_are_skipped(capsys):
    opt = O.SGD(1.0)
    a, b = tf.Variable(1.0, name="a"), tf.Variable(1.0, name="b")
    opt.apply_gradients([(tf.constant(0.5), a), (None, b)])
    assert (a.numpy(), b.numpy()) == (0.5, 1.0)
    assert "Gradients do not exist for variables ['b:0']" in capsys.readouterr().err
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply_gradients([(None, b)])


def test_minimize_with_callable_and_with_tape():
    v = tf.Variable(3.0)
    opt = O.SGD(0.1)
    opt.minimize(lambda: v * v, [v])
    assert v.numpy() == pytest.approx(2.4)
    with tf.GradientTape() as tape:
        loss = v * v
    opt.minimize(loss, [v], tape=tape)
    assert v.numpy() == pytest.approx(1.92)
    with pytest.raises(ValueError, match="`tape` is required when a `Tensor` loss is passed"):
        opt.minimize(tf.constant(1.0), [v])


def test_seed_001_style_loop():
    w = tf.Variable(tf.constant(5, dtype=tf.float32))
    opt = O.SGD(learning_rate=0.2)
    for _ in range(2):
        with tf.GradientTape() as tape:
            loss = tf.square(w + 1)
        opt.apply_gradients(zip([tape.gradient(loss, w)], [w]))
    assert f"{w.numpy():f}" == "1.160000"


def test_schedules_match_tf():
    assert float(S.ExponentialDecay(0.1, 10, 0.5)(10)) == pytest.approx(0.05)
    assert float(S.ExponentialDecay(0.1, 10, 0.5, staircase=True)(19)) == pytest.approx(0.05)
    assert float(S.ExponentialDecay(0.1, 10, 0.5, staircase=True)(9)) == pytest.approx(0.1)
    p = S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [float(p(s)) for s in (5, 10, 11, 20, 21)] == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.1])
    assert float(S.PolynomialDecay(0.1, 10)(5)) == pytest.approx(0.05005)
    assert float(S.InverseTimeDecay(0.1, 10, 0.5)(5)) == pytest.approx(0.08)
    assert float(S.CosineDecay(0.1, 10, 0.1)(5)) == pytest.approx(0.055)
    assert float(S.CosineDecayRestarts(0.1, 10)(25)) == pytest.approx(0.014644662)
    cfg = S.serialize(S.ExponentialDecay(0.1, 10, 0.5))
    assert S.deserialize(cfg).get_config() == cfg["config"]


def test_config_round_trip_and_identifiers():
    assert O.SGD(0.1, momentum=0.9, nesterov=True, clipnorm=1.0).get_config() == {
        "name": "SGD", "clipnorm": 1.0, "learning_rate": 0.1, "decay": 0.0, "momentum": 0.9,
        "nesterov": True}
    assert O.RMSprop().get_config() == {"name": "RMSprop", "learning_rate": 0.001, "decay": 0.0,
                                        "rho": 0.9, "momentum": 0.0, "epsilon": 1e-07,
                                        "centered": False}
    adam = O.Adam.from_config(O.Adam(0.01, amsgrad=True).get_config())
    assert adam.amsgrad and adam.get_config()["learning_rate"] == 0.01
    sched = O.SGD(S.ExponentialDecay(0.1, 10, 0.5))
    assert isinstance(O.SGD.from_config(sched.get_config()).lr, S.ExponentialDecay)
    assert isinstance(O.get("adam"), O.Adam) and isinstance(O.get("RMSprop"), O.RMSprop)
    assert isinstance(O.deserialize(O.serialize(O.Nadam())), O.Nadam)
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamm'.*Did you mean 'adam'"):
        O.get("adamm")


def test_bad_arguments():
    with pytest.raises(TypeError, match="Unexpected keyword argument passed to optimizer: foo"):
        O.Adam(foo=1)
    with pytest.raises(ValueError, match="Cannot accept both `clipnorm` and `global_clipnorm`"):
        O.SGD(clipnorm=1.0, global_clipnorm=1.0)
    with pytest.raises(ValueError, match="`momentum` must be between"):
        O.SGD(momentum=1.5)


def test_facades():
    import nanotf.keras.optimizers as facade

    assert facade.Adam is O.Adam and facade.legacy.Adam is O.Adam
    assert facade.schedules.ExponentialDecay is S.ExponentialDecay
    assert tf.optimizers.SGD is O.SGD
