"""Keras metrics against TF 2.21 + tf_keras (Keras 2) numbers; state, config and identifiers."""

import numpy as np
import pytest

import nanotf as tf
import nanotf.keras.metrics as M
from nanotf._src.keras import metrics as metrics_impl

YT_B = np.array([0, 1, 1, 0, 1, 0, 1, 1], np.float32)
YP_B = np.array([0.1, 0.8, 0.4, 0.6, 0.9, 0.3, 0.55, 0.2], np.float32)
SW = np.array([1, 0.5, 2, 1, 1, 0.25, 1, 3], np.float32)
YT_C = np.array([2, 0, 1, 1], np.int64)
YP_C = np.array([[0.1, 0.3, 0.6], [0.5, 0.4, 0.1], [0.2, 0.2, 0.6], [0.3, 0.35, 0.35]], np.float32)
ONEHOT = np.eye(3, dtype=np.float32)[YT_C]

# metric.result() after one update_state, printed by TF 2.21 with TF_USE_LEGACY_KERAS=1.
TF = {
    "mean": 4.0,
    "mean_sw": 5.0,
    "sum": 17.5,
    "binary_acc": 0.625,
    "binary_acc_t": 0.3846154,
    "sparse_cat_acc": 0.75,
    "cat_acc": 0.75,
    "topk": 1.0,
    "sparse_topk": 0.75,
    "accuracy": 0.75,
    "mse": 0.2140625,
    "rmse": 0.4626689,
    "precision": 0.75,
    "precision_sw": [0.8181818, 0.71428573, 1.0],
    "recall": 0.6,
    "precision_topk": 0.75,
    "recall_class": 0.0,
    "auc": 0.73333335,
    "auc_sw": 0.59999996,
    "auc_pr": 0.8361746,
    "auc_minoring": 0.73333335,
    "auc_logits": 0.73333335,
    "auc_multi": 0.6944444,
    "bce": 0.6037993,
    "cce": 0.9658082,
    "scce": 0.9658082,
    "cosine": 0.6405969,
    "kld": 0.9658053,
    "logcosh": 0.10040287,
}

CASES = {
    "mean": lambda: (M.Mean(), ([1, 3, 5, 7],), {}),
    "mean_sw": lambda: (M.Mean(), ([1, 3, 5, 7],), {"sample_weight": [1, 0, 0.5, 2]}),
    "sum": lambda: (M.Sum(), ([1, 3, 5, 7],), {"sample_weight": [1, 0, 0.5, 2]}),
    "binary_acc": lambda: (M.BinaryAccuracy(), (YT_B, YP_B), {}),
    "binary_acc_t": lambda: (M.BinaryAccuracy(threshold=0.7), (YT_B, YP_B), {"sample_weight": SW}),
    "sparse_cat_acc": lambda: (M.SparseCategoricalAccuracy(), (YT_C, YP_C), {}),
    "cat_acc": lambda: (M.CategoricalAccuracy(), (ONEHOT, YP_C), {}),
    "topk": lambda: (M.TopKCategoricalAccuracy(k=2), (ONEHOT, YP_C), {}),
    "sparse_topk": lambda: (M.SparseTopKCategoricalAccuracy(k=1), (YT_C, YP_C), {}),
    "accuracy": lambda: (M.Accuracy(), ([1, 2, 3, 4], [0, 2, 3, 4]), {}),
    "mse": lambda: (M.MeanSquaredError(), (YT_B, YP_B), {}),
    "rmse": lambda: (M.RootMeanSquaredError(), (YT_B, YP_B), {}),
    "precision": lambda: (M.Precision(), (YT_B, YP_B), {}),
    "precision_sw": lambda: (M.Precision(thresholds=[0.3, 0.5, 0.7]), (YT_B, YP_B),
                             {"sample_weight": SW}),
    "recall": lambda: (M.Recall(), (YT_B, YP_B), {}),
    "precision_topk": lambda: (M.Precision(top_k=1), (ONEHOT, YP_C), {}),
    "recall_class": lambda: (M.Recall(class_id=1), (ONEHOT, YP_C), {}),
    "auc": lambda: (M.AUC(), (YT_B, YP_B), {}),
    "auc_sw": lambda: (M.AUC(num_thresholds=50), (YT_B, YP_B), {"sample_weight": SW}),
    "auc_pr": lambda: (M.AUC(curve="PR"), (YT_B, YP_B), {}),
    "auc_minoring": lambda: (M.AUC(summation_method="minoring"), (YT_B, YP_B), {}),
    "auc_logits": lambda: (M.AUC(from_logits=True), (YT_B, (YP_B - 0.5) * 4), {}),
    "auc_multi": lambda: (M.AUC(multi_label=True), (ONEHOT, YP_C), {}),
    "bce": lambda: (M.BinaryCrossentropy(), (YT_B, YP_B), {}),
    "cce": lambda: (M.CategoricalCrossentropy(), (ONEHOT, YP_C), {}),
    "scce": lambda: (M.SparseCategoricalCrossentropy(), (YT_C, YP_C), {}),
    "cosine": lambda: (M.CosineSimilarity(), (ONEHOT, YP_C), {}),
    "kld": lambda: (M.KLDivergence(), (ONEHOT, YP_C), {}),
    "logcosh": lambda: (M.LogCoshError(), (YT_B, YP_B), {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_tf(name):
    metric, args, kwargs = CASES[name]()
    metric.update_state(*args, **kwargs)
    np.testing.assert_allclose(np.asarray(metric.result()), TF[name], rtol=1e-6)


def test_state_reset_and_call():
    m = M.Mean()
    assert m.name == "mean" and m.dtype == "float32"
    assert [v.name for v in m.variables] == ["total:0", "count:0"]
    assert float(m(1.0)) == 1.0
    assert float(m([3.0, 5.0])) == 3.0
    m.reset_states()
    assert float(m.result()) == 0.0
    m.update_state(2.0)
    m.reset_state()
    assert [float(v) for v in m.variables] == [0.0, 0.0]


def test_accumulates_over_batches_and_merges():
    a = M.SparseCategoricalAccuracy()
    a.update_state([2, 1], YP_C[:2])
    a.update_state([1, 1], YP_C[2:])
    b = M.SparseCategoricalAccuracy()
    b.update_state([0], YP_C[1:2])
    a.merge_state([b])
    assert float(a.result()) == pytest.approx(3 / 5)


def test_metric_functions():
    out = M.sparse_categorical_accuracy([2, 1], [[0.1, 0.3, 0.6], [0.5, 0.4, 0.1]])
    assert out.numpy().tolist() == [1.0, 0.0]
    assert M.binary_accuracy([[1.0, 0.0]], [[0.7, 0.6]]).numpy().tolist() == [0.5]
    assert M.accuracy([1, 2], [1, 3]).numpy().tolist() == [1.0, 0.0]
    # ties count as in the top k, as tf.math.in_top_k
    assert M.top_k_categorical_accuracy(ONEHOT, YP_C, k=1).numpy().tolist() == [1, 1, 0, 1]


def test_subclassed_metric_with_add_weight():
    class Count(M.Metric):
        def __init__(self, name="count_pos", **kw):
            super().__init__(name=name, **kw)
            self.n = self.add_weight(name="n", initializer="zeros")

        def update_state(self, values):
            self.n.assign_add(tf.reduce_sum(tf.cast(tf.greater(values, 0.0), tf.float32)))

        def result(self):
            return self.n

    c = Count()
    c.update_state(tf.constant([1.0, -1.0, 2.0]))
    assert float(c.result()) == 2.0
    c.reset_state()
    assert float(c.result()) == 0.0


def test_identifiers_and_config():
    assert M.get("accuracy") is M.accuracy and M.get("acc") is M.accuracy
    assert M.get("mse") is M.mean_squared_error
    assert isinstance(M.get("AUC"), M.AUC)
    auc = M.AUC(num_thresholds=10, curve="PR")
    again = M.deserialize(M.serialize(auc))
    assert again.get_config() == auc.get_config()
    assert M.Precision().get_config() == {"name": "precision", "dtype": "float32",
                                          "thresholds": None, "top_k": None, "class_id": None}
    assert M.SparseCategoricalAccuracy().get_config() == {
        "name": "sparse_categorical_accuracy", "dtype": "float32"}
    with pytest.raises(ValueError, match="Unknown metric function: 'acuracy'"):
        M.get("acuracy")
    with pytest.raises(ValueError, match='Invalid AUC curve value: "XY"'):
        M.AUC(curve="XY")


def test_facade():
    assert M.Mean is metrics_impl.Mean and tf.metrics.AUC is M.AUC
