"""Fast paths give the numbers of the plain code they replaced, bit for bit.

The references below are the straightforward versions (Eigen's four-step `pexp`, separate
elementwise and in-sum exp passes, Philox rounds on uint64 words, `_cast_value` conversion); the
fast versions in nanotf must agree with them exactly on ordinary and special inputs.
"""

import numpy as np
import pytest

from nanotf._src import dtypes, libm32, philox
from nanotf._src.ops import eigen32, pooling
from nanotf._src.tensor import _cast_value, convert_to_tensor

_f32 = np.float32


def ref_exp_packet(x):
    """Eigen's float32 `pexp` as first written: masks, nan_to_num and a four-step ldexp."""
    zero = x < _f32(-104)
    x = np.minimum(x, _f32(88.723))
    mm = np.floor(x * _f32(1.44269504088896341) + _f32(0.5))
    r = x + mm * _f32(-0.693359375)
    r = r + mm * _f32(2.12194440e-4)
    r2 = r * r
    pe = r2 * _f32(1.37449637986719608306884765625e-3) + _f32(4.166965186595916748046875e-2)
    po = r2 * _f32(8.36894474923610687255859375e-3) + _f32(0.16666518151760101318359375)
    pe = r2 * pe + _f32(0.49999988079071044921875)
    y = r2 * (r * po + pe) + (r + _f32(1))
    e = np.nan_to_num(mm, nan=0.0).astype(np.int32)
    b = e >> 2
    c = np.ldexp(_f32(1), b).astype(_f32)
    out = y * c * c * c * np.ldexp(_f32(1), e - 3 * b).astype(_f32)
    out[np.abs(out) < _f32(1.1754944e-38)] = 0
    out[zero] = 0
    return np.maximum(out, x, out=out) if out.size else out


def _same_bits(a, b):
    assert a.shape == b.shape and a.dtype == b.dtype
    assert np.array_equal(np.isnan(a), np.isnan(b))
    ok = ~np.isnan(a)
    assert np.array_equal(a[ok].view(np.uint32), b[ok].view(np.uint32))


SPECIAL = np.array([np.nan, np.inf, -np.inf, -104, -104.0001, -103.999, 88.723, 88.7231, 88.72,
                    -87.3, -87.34, -88, -100, 0, -0.0, 1e-30, -1e-30, 3.4e38, -3.4e38, 1e-45,
                    -1e-45], np.float32)


def test_exp_packet_matches_reference():
    rng = np.random.default_rng(0)
    band = np.arange(0x3F000000, 0x3F000000 + 2**18, dtype=np.uint32).view(np.float32)
    spread = np.arange(0, 2**32, 65537, dtype=np.uint64).astype(np.uint32).view(np.float32)
    with np.errstate(all="ignore"):
        for x in (SPECIAL, band, -band * 100, band * 80, spread,
                  rng.normal(0, 60, 50000).astype(np.float32)):
            _same_bits(eigen32._exp_packet(x.copy()), ref_exp_packet(x.copy()))


@pytest.mark.parametrize("shape", [(32, 10), (7, 3), (5, 8), (3, 1), (1, 5), (6, 13), (2, 4),
                                   (0, 4), (256, 10)])
def test_xent_parts_match_separate_passes(shape, monkeypatch):
    rng = np.random.default_rng(1)
    x = (rng.normal(0, 20, shape)).astype(np.float32)
    if x.size > 4:
        x.flat[:4] = [1000.0, -1000.0, 88.0, -150.0]
    sh, e, s = eigen32._xent_parts(np, x)
    _, e2, s2 = eigen32._xent_parts(np, x, need_e=False)
    assert e2 is None
    # the reference: two separate passes
    monkeypatch.setattr(eigen32, "_exp_packet", ref_exp_packet)
    sh_r = x - x.max(-1, keepdims=True)
    e_r = eigen32._exp32(sh_r)
    s_r = eigen32._rowsum32(eigen32._exp_rows32(sh_r))
    _same_bits(sh, sh_r)
    _same_bits(e, e_r)
    _same_bits(s, s_r)
    _same_bits(s2, s_r)


def ref_blocks(key, counter, offs):
    """Philox4x32-10 on uint64 words with explicit shifts and masks."""
    m32 = np.uint64(0xFFFFFFFF)
    lo = offs + np.uint64(counter & (2**64 - 1))
    hi = (lo < offs).astype(np.uint64) + np.uint64((counter >> 64) & (2**64 - 1))
    even = np.stack([lo & m32, hi & m32])
    odd = np.stack([lo >> np.uint64(32), hi >> np.uint64(32)])
    mul = np.array([[0xD2511F53], [0xCD9E8D57]], np.uint64)
    for r in range(10):
        keys = np.array([[(key & 0xFFFFFFFF) + r * 0x9E3779B9],
                         [(key >> 32 & 0xFFFFFFFF) + r * 0xBB67AE85]], np.uint64) & m32
        p = even * mul
        even = (p[::-1] >> np.uint64(32)) ^ odd ^ keys
        odd = p[::-1] & m32
    return np.stack([even[0], odd[0], even[1], odd[1]], 1).astype(np.uint32)


def test_philox_blocks_match_reference():
    rng = np.random.default_rng(2)
    cases = [(7, (1 << 64) - 3, 10, 1), (3, (1 << 128) - 5, 10, 1), (0, 0, 1, 1), (5, 9, 0, 1)]
    for _ in range(40):
        key = int(rng.integers(0, 2**63)) * 2 + 1
        counter = (int(rng.integers(0, 2**62)) << int(rng.integers(0, 66))) & (2**128 - 1)
        cases.append((key, counter, int(rng.integers(0, 2000)), int(rng.integers(1, 300))))
    for key, counter, n, stride in cases:
        offs = np.arange(n, dtype=np.uint64) * np.uint64(stride)
        got = philox._blocks(key, counter, offs)
        assert got.dtype == np.uint32 and got.shape == (n, 4)
        assert np.array_equal(got, ref_blocks(key, counter, offs))
    # the Random123 known-answer vector for a zero key and counter
    assert philox.philox(0, 0, 1).tolist() == [[0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8]]


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # 1e300 -> float32
def test_python_scalar_conversion_fast_path():
    values = [0.1, 0.7, 1e300, -1e-320, float("nan"), float("inf"), -0.0, 3, 0, -5, -2**31,
              2**31 - 1, 2**31, 16777217, 16777219, 2**53 + 1]
    for dt in (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.float16,
               dtypes.uint8, dtypes.int8):
        for v in values:
            try:
                want = _cast_value(v, dt, v)
            except (TypeError, ValueError) as e:
                with pytest.raises(type(e)):
                    convert_to_tensor(v, dtype=dt)
                continue
            got = convert_to_tensor(v, dtype=dt)._v
            assert got.dtype == want.dtype and got.shape == want.shape
            assert np.array_equal(got, want, equal_nan=True)
            assert np.signbit(got) == np.signbit(want)


def ref_max_pool_grad(x, g, ksize, strides, padding):
    """The general MaxPoolGrad: scatter-add `g * hit` for every window offset."""
    import itertools

    xpad, geom, _, arg = pooling._argmax_windows(np, x, ksize, strides, padding)
    dx = np.zeros(xpad.shape, g.dtype)
    for i, k_idx in enumerate(itertools.product(*[range(k) for k in ksize])):
        dx[pooling._offset_slices(geom, k_idx, strides, (1,) * len(ksize))] += g * (arg == i)
    crop = (slice(None),) + tuple(slice(b, b + n) for n, (_, b, _) in zip(x.shape[1:-1], geom))
    return dx[crop]


@pytest.mark.parametrize("shape,k", [((4, 26, 26, 3), 2), ((3, 11, 11, 5), 2), ((2, 9, 7, 2), 3),
                                     ((2, 8, 8, 1), 4), ((1, 5, 6, 2), 2)])
def test_tiled_max_pool_grad_matches_scatter(shape, k):
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(size=shape) * 2).astype(np.float32)  # many ties
    x.flat[::17] = np.nan
    out_shape = pooling._max_pool.impl(np, x, ksize=(k, k), strides=(k, k), padding="VALID").shape
    g = rng.normal(size=out_shape).astype(np.float32)
    g.flat[::5] = -0.0
    got = pooling._max_pool_grad.impl(np, x, g, ksize=(k, k), strides=(k, k), padding="VALID")
    want = ref_max_pool_grad(x, g, (k, k), (k, k), "VALID")
    _same_bits(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))


def _chain_expand_back(g, x, axis, keepdims, n=None):
    """The reduction VJP as first written: reshape -> broadcast_to (-> realdiv by n)."""
    import nanotf as tf

    kept = tuple(1 if axis is None or i in axis else d for i, d in enumerate(x.shape))
    if not keepdims:
        g = tf.reshape(g, kept)
    out = tf.broadcast_to(g, x.shape)
    return out if n is None else tf.math.divide(out, tf.constant(n, dtype=g.dtype))


@pytest.mark.parametrize("axis,keepdims", [(None, False), ((1,), False), ((0, 2), True),
                                           ((2,), True), ((0, 1, 2), False)])
@pytest.mark.parametrize("mean", [False, True])
def test_reduction_vjp_matches_reshape_broadcast_chain(axis, keepdims, mean):
    import nanotf as tf
    from nanotf._src.ops import reduction as m

    rng = np.random.default_rng(4)
    x = tf.constant(rng.normal(size=(3, 1, 5)).astype(np.float32) * 7)
    prim = m._mean if mean else m._sum
    out = prim(x, axis=axis, keepdims=keepdims)
    g = tf.constant(rng.normal(size=out.shape).astype(np.float32) * 3)
    n = x.shape.num_elements() // max(out.shape.num_elements(), 1) if mean else None
    with tf.GradientTape(persistent=True) as t2:
        t2.watch(g)
        fast = m._expand_back(g, x, axis, keepdims, n=n)
        slow = _chain_expand_back(g, x, axis, keepdims, n=n)
        h = tf.constant(rng.normal(size=x.shape).astype(np.float32))
        yf, ys = tf.reduce_sum(fast * h), tf.reduce_sum(slow * h)
    _same_bits(fast.numpy(), slow.numpy())
    _same_bits(t2.gradient(yf, g).numpy(), t2.gradient(ys, g).numpy())  # second order


def test_expf_tail_matches_libm():
    expf = eigen32._libm_fn("expf")
    if expf is None:
        pytest.skip("no loadable libm: the tail uses NumPy's exp")
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.uniform(-104, 0, 30000), rng.uniform(-110, 90, 10000),
                        rng.normal(0, 3, 10000)]).astype(np.float32)
    x = np.concatenate([x, SPECIAL, np.arange(0xC2000000, 0xC2000000 + 20000,
                                              dtype=np.uint32).view(np.float32)])
    with np.errstate(all="ignore"):
        want = np.array([expf(v) for v in x.tolist()], np.float32)
        _same_bits(libm32.expf(x), want)


def test_logf_rows_match_libm():
    """`libm32.logf` (float64 logs rounded, libm called near rounding midpoints) gives glibc's
    logf bit for bit: row sums of a softmax, each table bucket, every binade, special values."""
    logf = libm32.fn("logf")
    if logf is None:
        pytest.skip("no loadable libm: float64 logs rounded to float32 are used")
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.uniform(1, 10, 60000), 1 + rng.exponential(1e-3, 20000),
                        np.exp(rng.uniform(-80, 80, 40000))]).astype(np.float32)
    # whole runs of consecutive floats around 1, e and 1e5 (every midpoint case nearby)
    runs = [np.arange(b - 30000, b + 30000, dtype=np.uint32) for b in
            np.array([1.0, np.e, 1e5], np.float32).view(np.uint32).astype(np.int64)]
    x = np.concatenate([x, SPECIAL, *[r.view(np.float32) for r in runs],
                        np.array([1e-45, 1e-40, 3.4e38, -1.0, -0.0], np.float32)])
    with np.errstate(all="ignore"):
        want = np.array([logf(v) for v in x.tolist()], np.float32)
        _same_bits(libm32.logf(x), want)
        _same_bits(libm32.logf(x.reshape(-1, 2)[:, 1]), want.reshape(-1, 2)[:, 1])  # strided
    # the rows that call logf are few when the bounds apply (glibc)
    if libm32._glibc_bounds():
        s = rng.uniform(2, 10, 100000).astype(np.float32)
        calls = []
        libm32._fns["logf"] = lambda v: calls.append(v) or logf(v)
        try:
            libm32.logf(s)
        finally:
            libm32._fns["logf"] = logf
        assert len(calls) < 10000


def test_plan_skips_unread_xent_gradient():
    import nanotf as tf
    from nanotf._src.ops.softmax import _sparse_xent, _sparse_xent_loss

    rng = np.random.default_rng(6)
    logits = tf.constant(rng.normal(0, 5, (32, 10)).astype(np.float32))
    labels = tf.constant(rng.integers(0, 10, 32).astype(np.int64))
    f = tf.function(lambda x, y: tf.nn.sparse_softmax_cross_entropy_with_logits(y, x))
    traced = f(logits, labels).numpy()
    plan = f.get_concrete_function(logits, labels)._plan
    assert _sparse_xent.first_only is _sparse_xent_loss
    assert any(v is _sparse_xent_loss for v in plan._fn.__globals__.values())
    eager = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits).numpy()
    _same_bits(traced, eager)


def test_list_conversion_memo_sees_every_change():
    """A float list converted again (`y_ - y` in a loop) reuses its array only while the list
    still holds the same values; any change is converted afresh."""
    from nanotf._src import tensor

    def ref(v):
        return np.asarray(v, dtype=np.float64).astype(np.float32)

    y = [[0.5 + i, np.float64(1.25) * i + 0.1] for i in range(1, 5)]
    first = convert_to_tensor(y, dtype=dtypes.float32)._v
    again = convert_to_tensor(y, dtype=dtypes.float32)._v
    assert again is first and np.array_equal(first, ref(y))  # reused: the same array
    assert id(y) in tensor._ROWS_MEMO

    def check(mutate):
        mutate(y)
        got = convert_to_tensor(y, dtype=dtypes.float32)._v
        assert got.shape == ref(y).shape and np.array_equal(got, ref(y), equal_nan=True)
        assert np.array_equal(np.signbit(got), np.signbit(ref(y)))

    check(lambda v: v[2].__setitem__(1, 7.75))  # an element in place
    check(lambda v: v.__setitem__(0, [3.5, 4.5]))  # a row replaced
    check(lambda v: v.append([9.0, 8.0]))  # a row added
    check(lambda v: v[1].__setitem__(0, float("nan")))  # NaN: == fails, converted again
    check(lambda v: v[1].__setitem__(0, 2.0))
    with pytest.raises(ValueError):  # ragged now: the general path's error
        y[3].append(1.0)
        convert_to_tensor(y, dtype=dtypes.float32)
    y[3].pop()
    check(lambda v: v[0].__setitem__(0, np.array(6.0)))  # an array element: its value counts

    # the shared array is read-only; numpy() gives a writable copy, as TF's numpy() does
    t = convert_to_tensor(y, dtype=dtypes.float32)
    out = t.numpy()
    out[0, 0] = -1.0
    assert convert_to_tensor(y, dtype=dtypes.float32)._v[0, 0] == 6.0

    # zeros are never remembered: -0.0 == 0.0 would pass the check with the old sign
    z = [[1.0, 0.0], [2.0, 3.0]]
    convert_to_tensor(z, dtype=dtypes.float32)
    z[0][1] = -0.0
    assert np.signbit(convert_to_tensor(z, dtype=dtypes.float32)._v[0, 1])
    # ints and bools are never remembered either (== cannot tell 1 from 1.0 from True)
    n = [[1, 2.5], [3, 4.5]]
    convert_to_tensor(n, dtype=dtypes.float32)
    assert id(n) not in tensor._ROWS_MEMO


def test_list_operand_in_a_tape_loop_matches_fresh_lists():
    """`y_ - y` with the same list each step gives what a fresh copy of the list gives."""
    import nanotf as tf

    y_ = [[0.1 * i + 0.05] for i in range(1, 9)]
    x = tf.constant([[float(i), 1.0] for i in range(8)])
    w1 = tf.Variable([[0.3], [-0.2]])
    w2 = tf.Variable([[0.3], [-0.2]])
    for step in range(6):
        if step == 3:
            y_[2][0] = 5.0  # the loop's list changes between steps: both see it
        for w, target in ((w1, y_), (w2, [r[:] for r in y_])):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(target - tf.matmul(x, w)))
            w.assign_sub(0.01 * tape.gradient(loss, w))
        assert np.array_equal(w1.numpy(), w2.numpy())
