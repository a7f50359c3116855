"""Tiny float32 matrix-vector products follow TF 2.21's order on every machine.

TF computes `x @ w` with w of shape [k, 1], k <= 3, as a plain k-order sum of rounded products,
while OpenBLAS kernels differ by CPU (some fuse the multiply-add). The seed-001 MSE demo prints
weights whose last digits depend on it. The expected bits come from TF 2.21
(tests/core/tf221_matvec.json; inputs regenerated here from a fixed RandomState).
"""

import json
import os

import numpy as np

import nanotf as tf
from nanotf._src.ops import tfexact

DATA = os.path.join(os.path.dirname(__file__), "tf221_matvec.json")


def _cases():
    rng = np.random.RandomState(2026)
    with open(DATA) as f:
        for case in json.load(f):
            a = rng.randn(case["m"], case["k"]).astype(np.float32)
            b = (rng.randn(case["k"], 1) * 0.5).astype(np.float32)
            want = np.array(case["out_bits"], np.uint32).view(np.float32).reshape(-1, 1)
            yield a, b, want


def test_matvec_bits_match_tf():
    n = 0
    for a, b, want in _cases():
        got = tf.matmul(tf.constant(a), tf.constant(b)).numpy()
        assert got.view(np.uint32).tolist() == want.view(np.uint32).tolist(), (a.shape, b.shape)
        n += 1
    assert n == 6


def test_plain_matvec_is_rounded_products_summed_in_order():
    a = np.array([[1.0, 2.0 ** -24], [3.0, 1.0]], np.float32)
    b = np.array([[1.0], [1.0 + 2.0 ** -23]], np.float32)
    got = tfexact.plain_matvec(a, b)
    # row 0: 1 + 2^-24 * (1 + 2^-23) rounds to 1 in float32 either way; row 1 is 3 + (1 + 2^-23)
    want = np.array([[np.float32(1.0) + np.float32(2.0 ** -24 * (1 + 2.0 ** -23))],
                     [np.float32(3.0) + np.float32(1 + 2.0 ** -23)]], np.float32)
    assert got.tolist() == want.tolist()
    assert tfexact.wants_plain_matvec(a, b, False, False)
    assert not tfexact.wants_plain_matvec(a[:1], b, False, False)  # 1x1 results: TF's dot path
    assert not tfexact.wants_plain_matvec(a, b, True, False)
