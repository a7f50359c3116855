"""`tf.random`: seeded sampling that reproduces TensorFlow's Philox streams (see `philox.py`).

Each sampling op is a stateful, non-differentiable primitive: traced functions replay it and
draw new numbers on every call, continuing the same kernel stream as TF does."""

from __future__ import annotations

from nanotf._src import dtypes, errors, philox
from nanotf._src.backend import asnumpy, np
from nanotf._src.dispatch import bind, primitive
from nanotf._src.ops.array import _ints
from nanotf._src.tensor import Tensor, convert_to_tensor, tensor_of


def set_seed(seed) -> None:
    """Sets the global random seed: later ops without their own seed become deterministic.

    Calling it again restarts every sequence, as in TF.

    Example:
      >>> tf.random.set_seed(1); a = tf.random.uniform([2])
      >>> tf.random.set_seed(1); b = tf.random.uniform([2])   # a == b
    """
    philox.set_seed(seed)


def _shape(shape) -> tuple:
    dims = tuple(_ints(shape)) if not isinstance(shape, tuple) else shape
    for d in dims:
        if d < 0:
            raise errors.invalid_argument(f"Shape dimensions must be >= 0, got {list(dims)}")
    return dims


def _float(dtype, op):
    dt = dtypes.as_dtype(dtype)
    if not dt.is_floating:
        raise ValueError(f"Invalid dtype {dt} for {op}: expected a floating point type.")
    return dt


def _scalar(v, dt):
    return asnumpy(convert_to_tensor(v, dtype=dt)._v)


@primitive("RandomStandardNormal", nondiff=True, stateful=True)
def _normal(xp, shape, dtype, seed, mean, stddev):
    s = philox.stream(("RandomStandardNormal", dtype.name), seed)
    return s.normal(shape, dtype, mean, stddev)


def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Samples from a normal distribution (TF's values for a given seed).

    Example:
      >>> tf.random.normal([2, 1], stddev=0.01, seed=1).shape
      TensorShape([2, 1])
    """
    dt = _float(dtype, "normal")
    return bind(_normal, shape=_shape(shape), dtype=dt._np, seed=philox.get_seed(seed),
                mean=_scalar(mean, dt), stddev=_scalar(stddev, dt))


@primitive("TruncatedNormal", nondiff=True, stateful=True)
def _truncated(xp, shape, dtype, seed, mean, stddev):
    s = philox.stream(("TruncatedNormal", dtype.name), seed)
    return s.truncated_normal(shape, dtype, mean, stddev)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None,
                     name=None) -> Tensor:
    """Samples from a normal distribution, redrawing values more than 2 stddevs from the mean.

    Example: `tf.random.truncated_normal([4, 3], stddev=0.1, seed=1)`.
    """
    dt = _float(dtype, "truncated_normal")
    return bind(_truncated, shape=_shape(shape), dtype=dt._np, seed=philox.get_seed(seed),
                mean=_scalar(mean, dt), stddev=_scalar(stddev, dt))


@primitive("RandomUniform", nondiff=True, stateful=True)
def _uniform(xp, shape, dtype, seed, minval, maxval):
    s = philox.stream(("RandomUniform", dtype.name), seed)
    return s.uniform(shape, dtype, minval, maxval)


@primitive("RandomUniformInt", nondiff=True, stateful=True)
def _uniform_int(xp, shape, dtype, seed, minval, maxval):
    s = philox.stream(("RandomUniformInt", dtype.name), seed)
    return s.uniform_int(shape, minval, maxval, dtype)


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Samples uniformly from `[minval, maxval)` (maxval defaults to 1 for floats).

    Integer dtypes need an explicit `maxval`.

    Example: `tf.random.uniform([3], minval=0, maxval=10, dtype=tf.int32, seed=2)`.
    """
    dt = dtypes.as_dtype(dtype)
    shape = _shape(shape)
    pair = philox.get_seed(seed)
    if dt.is_integer:
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype {dt!r}")
        lo, hi = int(_scalar(minval, dt)), int(_scalar(maxval, dt))
        if lo >= hi:
            raise errors.invalid_argument(f"Need minval < maxval: {lo} >= {hi}",
                                          "RandomUniformInt")
        return bind(_uniform_int, shape=shape, dtype=dt._np, seed=pair, minval=lo, maxval=hi)
    dt = _float(dt, "uniform")
    return bind(_uniform, shape=shape, dtype=dt._np, seed=pair, minval=_scalar(minval, dt),
                maxval=_scalar(1 if maxval is None else maxval, dt))


@primitive("RandomShuffle", nondiff=True, stateful=True)
def _shuffle(xp, value, seed):
    s = philox.stream(("RandomShuffle", value.dtype.name), seed)
    if value.ndim == 0:
        return value
    return value[s.permutation(value.shape[0])]


def shuffle(value, seed=None, name=None) -> Tensor:
    """Randomly shuffles a tensor along its first dimension.

    Example: `tf.random.shuffle(tf.range(5), seed=3)`.
    """
    return bind(_shuffle, convert_to_tensor(value), seed=philox.get_seed(seed))


@primitive("Multinomial", nondiff=True, stateful=True)
def _categorical(xp, logits, num_samples, dtype, seed):
    s = philox.stream(("Multinomial", logits.dtype.name, dtype.name), seed)
    return s.categorical(logits, num_samples, dtype)


def categorical(logits, num_samples, dtype=None, seed=None, name=None) -> Tensor:
    """Draws class indices from the categorical distributions given by `logits` [batch, classes].

    Example: `tf.random.categorical(tf.math.log([[0.5, 0.5]]), 5)`.
    """
    lg = convert_to_tensor(logits)
    if lg._v.ndim != 2:
        raise errors.invalid_argument(f"logits should be a matrix, got shape {lg.shape}",
                                      "Multinomial")
    dt = dtypes.as_dtype(dtype or dtypes.int64)
    return bind(_categorical, lg, num_samples=int(num_samples), dtype=dt._np,
                seed=philox.get_seed(seed))


def _stateless(sampler, shape, seed, dt, *args):
    key, counter = philox.stateless_key_counter(asnumpy(convert_to_tensor(seed)._v))
    return tensor_of(sampler(key, counter, _shape(shape), dt._np, *args))


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                     alg="auto_select") -> Tensor:
    """Normal samples determined entirely by `seed` (a pair of ints).

    Example: `tf.random.stateless_normal([3], seed=[1, 2])`.
    """
    dt = _float(dtype, "stateless_normal")
    return _stateless(philox.normal, shape, seed, dt, _scalar(mean, dt), _scalar(stddev, dt))


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None,
                      alg="auto_select") -> Tensor:
    """Uniform samples determined entirely by `seed` (a pair of ints).

    Example: `tf.random.stateless_uniform([3], seed=[1, 2])`.
    """
    dt = dtypes.as_dtype(dtype)
    if dt.is_integer:
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype {dt!r}")
        key, counter = philox.stateless_key_counter(asnumpy(convert_to_tensor(seed)._v))
        return tensor_of(philox.uniform_int(key, counter, _shape(shape), int(minval),
                                            int(maxval), dt._np))
    return _stateless(philox.uniform, shape, seed, dt, _scalar(minval, dt),
                      _scalar(1 if maxval is None else maxval, dt))


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32,
                               name=None, alg="auto_select") -> Tensor:
    """Truncated normal samples determined entirely by `seed`.

    Example: `tf.random.stateless_truncated_normal([3], seed=[1, 2])`.
    """
    dt = _float(dtype, "stateless_truncated_normal")
    return _stateless(philox.truncated_normal, shape, seed, dt, _scalar(mean, dt),
                      _scalar(stddev, dt))


def gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Gamma samples (NumPy's sampler seeded from TF's seed pair; not TF's exact values)."""
    rng = _np_rng(seed)
    a = asnumpy(convert_to_tensor(alpha, dtype=dtype)._v)
    b = 1.0 if beta is None else asnumpy(convert_to_tensor(beta, dtype=dtype)._v)
    shp = _shape(shape) + np.shape(a)
    return tensor_of((rng.gamma(a, 1.0, size=shp) / b).astype(dtypes.as_dtype(dtype)._np))


def poisson(shape, lam, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Poisson samples (NumPy's sampler seeded from TF's seed pair; not TF's exact values)."""
    rng = _np_rng(seed)
    lam_ = asnumpy(convert_to_tensor(lam)._v)
    shp = _shape(shape) + np.shape(lam_)
    return tensor_of(rng.poisson(lam_, size=shp).astype(dtypes.as_dtype(dtype)._np))


def _np_rng(seed):
    pair = philox.get_seed(seed)
    return np.random.default_rng(None if pair is None else list(pair))


class Generator:
    """A stateful random generator with its own Philox state (`tf.random.Generator`).

    Example:
      >>> g = tf.random.Generator.from_seed(1)
      >>> g.normal([2])   # the same values TF's generator gives
    """

    def __init__(self, copy_from=None, state=None, alg=None):
        from nanotf._src.variables import Variable

        if copy_from is not None:
            state = copy_from.state.numpy()
        if state is None:
            raise ValueError("Generator needs `copy_from` or `state`.")
        if alg not in (None, "philox", 1, "auto_select", 3):
            raise ValueError(f"nanotf implements only the Philox algorithm, not {alg!r}")
        arr = np.asarray(asnumpy(convert_to_tensor(state)._v), np.int64).reshape(-1)
        if arr.shape != (3,):
            raise ValueError(f"Philox generator state must have shape [3], got {arr.shape}")
        self._state = Variable(arr, trainable=False, dtype=dtypes.int64)

    @classmethod
    def from_seed(cls, seed, alg=None) -> Generator:
        """A generator whose state is derived from `seed` as TF derives it."""
        return cls(state=philox.generator_state_from_seed(seed), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> Generator:
        """A generator seeded from the operating system."""
        import os

        return cls.from_seed(int.from_bytes(os.urandom(16), "little"), alg)

    @classmethod
    def from_state(cls, state, alg) -> Generator:
        """A generator with the given int64 state `[counter_lo, counter_hi, key]`."""
        return cls(state=state, alg=alg)

    @property
    def state(self):
        """The int64 state variable."""
        return self._state

    @property
    def algorithm(self) -> int:
        """The algorithm enum (1 = Philox)."""
        return 1

    def reset_from_seed(self, seed) -> None:
        """Resets the state as `from_seed(seed)` would set it."""
        self._state.assign(philox.generator_state_from_seed(seed))

    def _take(self, shape):
        shape = _shape(shape)
        n = 1
        for d in shape:
            n *= d
        key, counter, new = philox.generator_read_and_skip(self._state.numpy(), max(n, 1))
        self._state.assign(new)
        return key, counter, shape

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None) -> Tensor:
        """Normal samples from this generator."""
        dt = _float(dtype, "normal")
        key, counter, shape = self._take(shape)
        return tensor_of(philox.normal(key, counter, shape, dt._np, _scalar(mean, dt),
                                       _scalar(stddev, dt)))

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32,
                         name=None) -> Tensor:
        """Truncated normal samples from this generator."""
        dt = _float(dtype, "truncated_normal")
        key, counter, shape = self._take(shape)
        return tensor_of(philox.truncated_normal(key, counter, shape, dt._np, _scalar(mean, dt),
                                                 _scalar(stddev, dt)))

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None) -> Tensor:
        """Uniform samples in `[minval, maxval)` from this generator."""
        dt = dtypes.as_dtype(dtype)
        key, counter, shape = self._take(shape)
        if dt.is_integer:
            if maxval is None:
                raise ValueError(f"Must specify maxval for integer dtype {dt!r}")
            return tensor_of(philox.uniform_int(key, counter, shape, int(minval), int(maxval),
                                                dt._np))
        dt = _float(dt, "uniform")
        return tensor_of(philox.uniform(key, counter, shape, dt._np, _scalar(minval, dt),
                                        _scalar(1 if maxval is None else maxval, dt)))

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None) -> Tensor:
        """Integers over the dtype's full range."""
        dt = dtypes.as_dtype(dtype)
        key, counter, shape = self._take(shape)
        return tensor_of(philox.uniform_full_int(key, counter, shape, dt._np))

    def make_seeds(self, count=1) -> Tensor:
        """`count` seed pairs for stateless ops, shape [2, count]."""
        keys = self.uniform_full_int([count], dtypes.int64).numpy()
        return tensor_of(np.stack([keys, np.zeros_like(keys)]))

    def split(self, count=1) -> list:
        """`count` new independent generators."""
        keys = self.uniform_full_int([count], dtypes.int64).numpy()
        return [Generator(state=np.array([0, 0, k], np.int64)) for k in keys.tolist()]


_global_generator = None


def get_global_generator() -> Generator:
    """The process-wide generator (created from the OS on first use)."""
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator: Generator) -> None:
    """Replaces the process-wide generator."""
    global _global_generator
    _global_generator = generator
