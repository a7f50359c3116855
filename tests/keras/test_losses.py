"""Keras losses against TF 2.21 + tf_keras (Keras 2) numbers, and the seed notes' printed values."""

import numpy as np
import pytest

import nanotf as tf
from nanotf._src import ops
from nanotf._src.keras import losses as L

INPUTS = {
    "yt_reg": [[0.0, 1.0, 2.0], [1.5, -1.0, 0.5]], "yp_reg": [[0.5, 1.5, 1.0], [1.0, 0.2, 0.4]],
    "yt_cat": [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], "yp_prob": [[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]],
    "logits": [[1.0, 2.0, -1.0], [0.5, -0.3, 2.2]], "yt_sparse": [1, 2],
    "yt_bin": [[0.0, 1.0], [1.0, 0.0]], "yp_bin": [[0.6, 0.4], [0.9, 0.2]],
    "lg_bin": [[0.3, -1.2], [2.0, 0.1]], "yt_hinge": [[-1.0, 1.0], [1.0, -1.0]], "sw": [0.3, 1.7],
}

# Values printed by TF 2.21 with TF_USE_LEGACY_KERAS=1 (tf_keras), rounded to float32 digits.
TF = {
    "MeanSquaredError|yt_reg|yp_reg|none": [0.5, 0.56666666],
    "MeanSquaredError|yt_reg|yp_reg|auto": 0.5333333,
    "MeanSquaredError|yt_reg|yp_reg|sum_sw": 1.1133333,
    "MeanSquaredError|yt_reg|yp_reg|auto_sw": 0.5566667,
    "MeanAbsoluteError|yt_reg|yp_reg|none": [0.6666667, 0.6],
    "MeanAbsoluteError|yt_reg|yp_reg|auto": 0.6333333,
    "MeanAbsoluteError|yt_reg|yp_reg|sum_sw": 1.2200001,
    "MeanAbsoluteError|yt_reg|yp_reg|auto_sw": 0.6100001,
    "MeanAbsolutePercentageError|yt_reg|yp_reg|none": [166666700.0, 57.77778],
    "MeanAbsolutePercentageError|yt_reg|yp_reg|auto": 83333384.0,
    "MeanAbsolutePercentageError|yt_reg|yp_reg|sum_sw": 50000110.0,
    "MeanAbsolutePercentageError|yt_reg|yp_reg|auto_sw": 25000056.0,
    "MeanSquaredLogarithmicError|yt_reg|yp_reg|none": [0.12619895, 0.029264731],
    "MeanSquaredLogarithmicError|yt_reg|yp_reg|auto": 0.07773184,
    "MeanSquaredLogarithmicError|yt_reg|yp_reg|sum_sw": 0.08760973,
    "MeanSquaredLogarithmicError|yt_reg|yp_reg|auto_sw": 0.043804865,
    "Huber|yt_reg|yp_reg|none": [0.25, 0.27666667],
    "Huber|yt_reg|yp_reg|auto": 0.26333332,
    "Huber|yt_reg|yp_reg|sum_sw": 0.5453334,
    "Huber|yt_reg|yp_reg|auto_sw": 0.2726667,
    "LogCosh|yt_reg|yp_reg|none": [0.22466998, 0.23959835],
    "LogCosh|yt_reg|yp_reg|auto": 0.23213416,
    "LogCosh|yt_reg|yp_reg|sum_sw": 0.47471818,
    "LogCosh|yt_reg|yp_reg|auto_sw": 0.23735909,
    "Poisson|yt_cat|yp_prob|none": [0.35043105, 1.1008614],
    "Poisson|yt_cat|yp_prob|auto": 0.72564626,
    "Poisson|yt_cat|yp_prob|sum_sw": 1.9765939,
    "Poisson|yt_cat|yp_prob|auto_sw": 0.9882969,
    "KLDivergence|yt_cat|yp_prob|none": [0.051292017, 2.3025823],
    "KLDivergence|yt_cat|yp_prob|auto": 1.1769371,
    "KLDivergence|yt_cat|yp_prob|sum_sw": 3.9297774,
    "KLDivergence|yt_cat|yp_prob|auto_sw": 1.9648887,
    "CosineSimilarity|yt_reg|yp_reg|none": [-0.83665997, -0.7319251],
    "CosineSimilarity|yt_reg|yp_reg|auto": -0.7842925,
    "CosineSimilarity|yt_reg|yp_reg|sum_sw": -1.4952707,
    "CosineSimilarity|yt_reg|yp_reg|auto_sw": -0.74763536,
    "Hinge|yt_hinge|yp_bin|none": [1.1, 0.65000004],
    "Hinge|yt_hinge|yp_bin|auto": 0.875,
    "Hinge|yt_hinge|yp_bin|sum_sw": 1.4350002,
    "Hinge|yt_hinge|yp_bin|auto_sw": 0.7175001,
    "Hinge|yt_bin|yp_bin|none": [1.1, 0.65000004],
    "Hinge|yt_bin|yp_bin|auto": 0.875,
    "Hinge|yt_bin|yp_bin|sum_sw": 1.4350002,
    "Hinge|yt_bin|yp_bin|auto_sw": 0.7175001,
    "SquaredHinge|yt_hinge|yp_bin|none": [1.46, 0.725],
    "SquaredHinge|yt_hinge|yp_bin|auto": 1.0925,
    "SquaredHinge|yt_hinge|yp_bin|sum_sw": 1.6705,
    "SquaredHinge|yt_hinge|yp_bin|auto_sw": 0.83525,
    "SquaredHinge|yt_bin|yp_bin|none": [1.46, 0.725],
    "SquaredHinge|yt_bin|yp_bin|auto": 1.0925,
    "SquaredHinge|yt_bin|yp_bin|sum_sw": 1.6705,
    "SquaredHinge|yt_bin|yp_bin|auto_sw": 0.83525,
    "CategoricalHinge|yt_cat|yp_prob|none": [0.100000024, 1.7],
    "CategoricalHinge|yt_cat|yp_prob|auto": 0.90000004,
    "CategoricalHinge|yt_cat|yp_prob|sum_sw": 2.92,
    "CategoricalHinge|yt_cat|yp_prob|auto_sw": 1.46,
    "CategoricalCrossentropy|yt_cat|yp_prob|none": [0.051293306, 2.3025851],
    "CategoricalCrossentropy|yt_cat|yp_prob|auto": 1.1769392,
    "CategoricalCrossentropy|yt_cat|yp_prob|sum_sw": 3.9297829,
    "CategoricalCrossentropy|yt_cat|yp_prob|auto_sw": 1.9648914,
    "SparseCategoricalCrossentropy|yt_sparse|yp_prob|none": [0.051293444, 2.3025851],
    "SparseCategoricalCrossentropy|yt_sparse|yp_prob|auto": 1.1769392,
    "SparseCategoricalCrossentropy|yt_sparse|yp_prob|sum_sw": 3.9297829,
    "SparseCategoricalCrossentropy|yt_sparse|yp_prob|auto_sw": 1.9648914,
    "BinaryCrossentropy|yt_bin|yp_bin|none": [0.9162905, 0.1642519],
    "BinaryCrossentropy|yt_bin|yp_bin|auto": 0.5402712,
    "BinaryCrossentropy|yt_bin|yp_bin|sum_sw": 0.5541154,
    "BinaryCrossentropy|yt_bin|yp_bin|auto_sw": 0.2770577,
    "Huber_d0.5|none": [0.20833333, 0.20166667],
    "CCE_logits|none": [0.34901217, 0.23488909],
    "CCE_ls|none": [0.6850014, 2.2332704],
    "CCE_logits_ls|none": [0.61567885, 0.5148891],
    "SCCE_logits|none": [0.34901217, 0.23488909],
    "BCE_logits|none": [1.1588188, 0.43566233],
    "BCE_ls|none": [0.8960173, 0.25383985],
    "BCE_logits_ls|none": [1.0463189, 0.5781623],
    "SCCE_ignore|auto": 0.051293444,
    "SCCE_3d|none": [[0.34901217, 1.9348891], [0.23488909, 3.3490121]],
    "BCE_1d|auto": 0.8558607,
}


def _in(key):
    if key == "yt_sparse":
        return np.array(INPUTS[key])
    return np.array(INPUTS[key], np.float32)


SPECIAL = {
    "Huber_d0.5": (lambda: L.Huber(delta=0.5, reduction="none"), "yt_reg", "yp_reg"),
    "CCE_logits": (lambda: L.CategoricalCrossentropy(from_logits=True, reduction="none"),
                   "yt_cat", "logits"),
    "CCE_ls": (lambda: L.CategoricalCrossentropy(label_smoothing=0.1, reduction="none"),
               "yt_cat", "yp_prob"),
    "CCE_logits_ls": (lambda: L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2,
                                                        reduction="none"), "yt_cat", "logits"),
    "SCCE_logits": (lambda: L.SparseCategoricalCrossentropy(from_logits=True, reduction="none"),
                    "yt_sparse", "logits"),
    "BCE_logits": (lambda: L.BinaryCrossentropy(from_logits=True, reduction="none"),
                   "yt_bin", "lg_bin"),
    "BCE_ls": (lambda: L.BinaryCrossentropy(label_smoothing=0.1, reduction="none"),
               "yt_bin", "yp_bin"),
    "BCE_logits_ls": (lambda: L.BinaryCrossentropy(from_logits=True, label_smoothing=0.3,
                                                   reduction="none"), "yt_bin", "lg_bin"),
    "SCCE_ignore": (lambda: L.SparseCategoricalCrossentropy(ignore_class=2), "yt_sparse",
                    "yp_prob"),
}


def _compute(key):
    parts = key.split("|")
    if len(parts) == 4:
        cls, yt, yp, mode = parts
        red = {"none": "none", "auto": "auto", "sum_sw": "sum", "auto_sw": "auto"}[mode]
        kw = {"sample_weight": _in("sw")} if mode.endswith("sw") else {}
        return getattr(L, cls)(reduction=red)(_in(yt), _in(yp), **kw)
    name = parts[0]
    if name == "SCCE_3d":
        logits = _in("logits")
        return L.SparseCategoricalCrossentropy(from_logits=True, reduction="none")(
            np.array([[1, 0], [2, 2]]), np.stack([logits, logits[::-1]]))
    if name == "BCE_1d":
        return L.BinaryCrossentropy()(np.array([0.0, 1.0, 1.0]),
                                      np.array([[0.2], [0.7], [0.4]], np.float32))
    make, yt, yp = SPECIAL[name]
    return make()(_in(yt), _in(yp))


@pytest.mark.parametrize("key", sorted(TF))
def test_matches_tf(key):
    got = _compute(key)
    assert got.dtype == tf.float32
    np.testing.assert_allclose(np.asarray(got), TF[key], rtol=2e-6, atol=1e-7)


def test_seed_001_categorical_crossentropy_prints():
    y_ = tf.constant([1.0, 0.0])
    assert f"{L.categorical_crossentropy(y_, tf.constant([0.6, 0.4]))}" == "0.5108255743980408"
    assert f"{L.categorical_crossentropy(y_, tf.constant([0.8, 0.2]))}" == "0.2231435328722"
    if not hasattr(ops, "softmax"):
        pytest.skip("tf.nn.softmax is not available yet")
    labels = tf.constant([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 1]])
    y = tf.constant([[12, 3, 2], [3, 10, 1], [1, 2, 5], [4, 6.5, 1.2], [3, 6, 1]])
    out = L.categorical_crossentropy(labels, ops.softmax(y))
    assert f"{out}" == "[1.6881460e-04 1.0347950e-03 6.5883920e-02 2.5834920e+00 5.0549855e+00]"


def test_seed_004_sparse_from_logits():
    pred = np.array([[0.18543927, -0.25567344, 0.6349365, 0.26560476, -0.14295079, -0.9846669,
                      0.7638925, -0.6912051, 0.18511018, 0.7829043]], np.float32)
    loss_fn = L.SparseCategoricalCrossentropy(from_logits=True)
    assert str(loss_fn(np.array([5], np.uint8), pred).numpy()) == "3.5062575"


def test_probability_clipping_keeps_loss_finite():
    out = L.categorical_crossentropy([[0.0, 1.0]], [[1.0, 0.0]])
    np.testing.assert_allclose(out.numpy(), [-np.log(1e-7)], rtol=1e-6)
    out = L.binary_crossentropy([[1.0]], [[0.0]])
    assert np.isfinite(out.numpy()).all()


def test_reduction_api():
    assert L.Reduction.all() == ("auto", "none", "sum", "sum_over_batch_size")
    with pytest.raises(ValueError, match="Invalid Reduction Key: bogus"):
        L.Huber(reduction="bogus")
    losses = L.MeanSquaredError(reduction=L.Reduction.NONE)([[0.0], [1.0]], [[1.0], [1.0]])
    assert losses.shape == (2,)
    assert float(L.MeanSquaredError(reduction="sum")([[0.0], [1.0]], [[1.0], [3.0]])) == 5.0
    assert float(L.MeanSquaredError()([[0.0], [1.0]], [[1.0], [3.0]], sample_weight=0.5)) == 1.25


def test_functions_keep_float64_and_reduce_last_axis():
    out = L.mse(np.ones((2, 3)), np.zeros((2, 3)))
    assert out.dtype == tf.float64 and out.shape == (2,)


def test_gradient_flows_through_loss():
    w = tf.Variable([[0.5, -0.5], [0.2, 0.1]])
    x = tf.constant([[1.0, 2.0]])
    with tf.GradientTape() as tape:
        loss = L.SparseCategoricalCrossentropy(from_logits=True)([1], tf.matmul(x, w))
    g = tape.gradient(loss, w)
    p = np.exp([0.9, -0.3]) / np.exp([0.9, -0.3]).sum()
    np.testing.assert_allclose(g.numpy(), np.outer([1, 2], p - [0, 1]), rtol=1e-5)


def test_sparse_labels_that_do_not_fit_raise_clear_errors():
    onehot = np.eye(3, dtype=np.float32)[[0, 1, 2, 1]]
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy.*\(4, 3\)"):
        L.SparseCategoricalCrossentropy()(onehot, np.full((4, 3), 1 / 3, np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="label value of 5"):
        L.SparseCategoricalCrossentropy()(np.array([0, 1, 5]), np.full((3, 3), 1 / 3, np.float32))
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        L.categorical_crossentropy([[0.0, 1.0]], [[0.2, 0.3, 0.5]])


def test_identifiers_and_serialization():
    assert L.get("mse") is L.mean_squared_error is L.MSE
    assert L.get("categorical_crossentropy") is L.categorical_crossentropy
    assert isinstance(L.get("Huber"), L.Huber)
    assert L.get(None) is None
    fn = lambda a, b: a  # noqa: E731
    assert L.get(fn) is fn
    cfg = L.SparseCategoricalCrossentropy(from_logits=True).get_config()
    assert cfg == {"reduction": "auto", "name": "sparse_categorical_crossentropy",
                   "from_logits": True, "ignore_class": None}
    again = L.deserialize(L.serialize(L.Huber(delta=2.0, reduction="sum", name="h")))
    assert again.get_config() == {"reduction": "sum", "name": "h", "delta": 2.0}
    assert L.serialize(L.mse) == "mean_squared_error"
    with pytest.raises(ValueError, match="Unknown loss function: 'msee'.*Did you mean 'mse'"):
        L.get("msee")
    with pytest.raises(ValueError, match="Could not interpret loss function identifier: 123"):
        L.get(123)


def test_facade_aliases():
    import nanotf.keras.losses as facade

    assert facade.SparseCategoricalCrossentropy is L.SparseCategoricalCrossentropy
    assert facade.Reduction.SUM_OVER_BATCH_SIZE == "sum_over_batch_size"
    assert tf.losses.categorical_crossentropy is L.categorical_crossentropy
