"""Movement ops: concat, split, stack, unstack, reverse, roll, tile, pad, repeat.

Each gradient is the inverse movement (split for concat, a slice for pad, a sum for tile).
"""

from __future__ import annotations

from nanotf._src import errors
from nanotf._src.backend import np
from nanotf._src.dispatch import bind, primitive, same_dtype
from nanotf._src.ops import math as m
from nanotf._src.ops.array import (
    _attr_error,
    _fmt,
    _int_list,
    _int_scalar,
    expand_dims,
    identity,
    reshape,
    squeeze,
)
from nanotf._src.ops.indexing import _gather, _strided_slice
from nanotf._src.tensor import Tensor, convert_to_tensor, tensor_of

# =============================== concat / split / stack ===============================


@primitive("ConcatV2")
def _concat(xp, *xs, axis):
    return xp.concatenate(xs, axis=axis)


def _concat_vjp(g, out, *xs, axis):
    sizes = [x._v.shape[axis] for x in xs]
    return list(bind(_split, g, axis=axis, sizes=tuple(sizes)))


_concat.vjps = _concat_vjp  # one rule for all inputs (variadic)


def concat(values, axis, name="concat") -> Tensor:
    """Joins tensors along an existing dimension `axis`.

    Example:
      >>> tf.concat([tf.zeros([1, 2]), tf.ones([1, 2])], axis=0).shape
      TensorShape([2, 2])
    """
    xs = [convert_to_tensor(v) for v in values]
    if not xs:
        raise ValueError("List argument 'values' to 'ConcatV2' Op with length 0 shorter than "
                         "minimum length 1.")
    same_dtype("ConcatV2", *xs)
    nd = xs[0]._v.ndim
    a = int(axis)
    if not -nd <= a < max(nd, 1) or nd == 0:
        raise errors.invalid_argument(
            f"ConcatOp : Expected concatenating dimensions in the range [{-nd}, {nd}), but got "
            f"{a}", "ConcatV2")
    a %= nd
    for x in xs[1:]:
        s0, s1 = xs[0]._v.shape, x._v.shape
        if len(s0) != len(s1) or any(p != q for i, (p, q) in enumerate(zip(s0, s1)) if i != a):
            raise errors.invalid_argument(
                f"ConcatOp : Dimension mismatch in concatenation: shapes "
                f"{list(s0)} vs. {list(s1)} along axis {a}", "ConcatV2")
    if len(xs) == 1:
        return xs[0]
    return bind(_concat, *xs, axis=a)


@primitive("SplitV", nout=-1)
def _split(xp, x, axis, sizes):
    idx = np.cumsum(sizes)[:-1].tolist()
    return tuple(xp.split(x, idx, axis=axis))


_split.defvjp(lambda g, out, x, axis, sizes: _concat(*g, axis=axis))


def split(value, num_or_size_splits, axis=0, num=None, name="split") -> list:
    """Splits `value` along `axis` into equal parts (an int) or parts of given sizes (a list).

    One size may be -1: it takes what the others leave.

    Example:
      >>> [t.shape[0] for t in tf.split(tf.range(6), [1, -1, 2])]
      [1, 3, 2]
    """
    x = convert_to_tensor(value)
    s = num_or_size_splits
    if isinstance(s, Tensor) and s._v.ndim == 0:
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument to "
                         f"split. Argument provided: {s!s}")
    nd = x._v.ndim
    a = _int_scalar(axis)
    if isinstance(s, (int, np.integer)):
        op = "Split"
    else:
        op = "SplitV"
        sizes = _int_list(s, op, "Tlen", "int8, int32, int64")
    if not -nd <= a < nd:
        raise errors.invalid_argument(
            f"-input rank(-{nd}) <= split_dim < input rank ({nd}), but got {a}", op)
    a %= nd
    n = x._v.shape[a]
    if op == "Split":
        k = int(s)
        if k < 1:
            raise errors.invalid_argument(f"Value for attr 'num_split' of {k} must be at least "
                                          "minimum 1", op)
        if n % k:
            raise errors.invalid_argument(
                "Number of ways to split should evenly divide the split dimension, but got "
                f"split_dim {a} (size = {n}) and num_split {k}", op)
        sizes = [n // k] * k
    else:
        sizes = _split_sizes(sizes, n)
    if len(sizes) == 1:
        return [identity(x)]
    return list(bind(_split, x, axis=a, sizes=tuple(sizes)))


def _split_sizes(sizes: list, n: int) -> list:
    free = -1
    for i, v in enumerate(sizes):
        if v == -1:
            if free >= 0:
                raise errors.invalid_argument("There can only be one -1 in the input.", "SplitV")
            free = i
        elif v < 0:
            raise errors.invalid_argument(f"Split size at index {i} must be >= 0. Got: {v}",
                                          "SplitV")
    known = sum(v for v in sizes if v != -1)
    if known != n and (free < 0 or known > n):
        raise errors.invalid_argument(
            "Determined shape must either match input shape along split_dim exactly if fully "
            "specified, or be less than the size of the input along split_dim if not fully "
            f"specified.  Got: {known}", "SplitV")
    if free >= 0:
        sizes = list(sizes)
        sizes[free] = n - known
    return sizes


def stack(values, axis=0, name="stack") -> Tensor:
    """Stacks tensors of equal shape along a new dimension `axis`.

    Example:
      >>> tf.stack([tf.constant([1, 2]), tf.constant([3, 4])]).shape
      TensorShape([2, 2])
    """
    xs = [convert_to_tensor(v) for v in values]
    if not xs:
        raise ValueError("values must not be empty")
    shape0 = xs[0]._v.shape
    for i, x in enumerate(xs[1:], 1):
        if x._v.shape != shape0:
            raise errors.invalid_argument(
                f"Shapes of all inputs must match: values[0].shape = {_fmt(shape0)} != "
                f"values[{i}].shape = {_fmt(x._v.shape)}", "Pack")
    nd = len(shape0) + 1
    a = int(axis)
    if not -nd <= a < nd:
        raise ValueError(f"Argument `axis` = {a} not in range [{-nd}, {nd})")
    a %= nd
    return concat([expand_dims(x, a) for x in xs], axis=a) if len(xs) > 1 \
        else expand_dims(xs[0], a)


@primitive("Unpack", nout=-1)
def _unpack(xp, x, axis):
    return tuple(xp.moveaxis(x, axis, 0).copy())  # copies: a Variable's array may change later


_unpack.defvjp(lambda g, out, x, axis: stack(list(g), axis=axis))


def unstack(value, num=None, axis=0, name="unstack") -> list:
    """Splits `value` along `axis` into a list of tensors of one less rank.

    Example:
      >>> [t.numpy().tolist() for t in tf.unstack(tf.constant([[1, 2], [3, 4]]), axis=1)]
      [[1, 3], [2, 4]]
    """
    x = convert_to_tensor(value)
    nd = x._v.ndim
    a = _int_scalar(axis)
    if not -nd <= a < nd:
        raise ValueError(f"Argument `axis` = {a} not in range [{-nd}, {nd})")
    a %= nd
    n = x._v.shape[a]
    if n is None:
        raise ValueError(f"Cannot infer argument `num` from shape {x.shape}")
    if num is not None and int(num) != n:
        raise errors.invalid_argument(
            f"Input shape axis {a} must equal {int(num)}, got shape {_fmt(x._v.shape)}", "Unpack")
    if n == 1:
        return [squeeze(x, a)]
    return list(bind(_unpack, x, axis=a)) if n else []


# =============================== reverse / roll ===============================


@primitive("ReverseV2")
def _reverse(xp, x, axis):
    return xp.flip(x, axis)


_reverse.defvjp(lambda g, out, x, axis: _reverse(g, axis=axis))


def reverse(tensor, axis, name=None) -> Tensor:
    """Reverses the dimensions listed in `axis` (a 1-D list).

    Example:
      >>> tf.reverse(tf.constant([[1, 2, 3]]), [1])
      <tf.Tensor: shape=(1, 3), dtype=int32, numpy=array([[3, 2, 1]], dtype=int32)>
    """
    x = convert_to_tensor(tensor)
    if isinstance(axis, (int, np.integer)) or (isinstance(axis, Tensor) and not axis._v.ndim):
        raise errors.invalid_argument("'dims' must be 1-dimension, not 0", "ReverseV2")
    nd = x._v.ndim
    axes = []
    for i, a in enumerate(_int_list(axis, "ReverseV2", "Tidx")):
        if not -nd <= a < nd:
            raise errors.invalid_argument(
                f"'axis'[{i}] = {a} is out of valid range [0, {nd - 1}", "ReverseV2")
        a %= nd
        if a in axes:
            raise errors.invalid_argument(f"axis {a} specified more than once.", "ReverseV2")
        axes.append(a)
    if not axes:
        return identity(x)
    return bind(_reverse, x, axis=tuple(axes))


@primitive("Roll")
def _roll(xp, x, shift, axis):
    return xp.roll(x, shift, axis)


_roll.defvjp(lambda g, out, x, shift, axis: _roll(g, shift=tuple(-s for s in shift), axis=axis))


def roll(input, shift, axis, name=None) -> Tensor:  # noqa: A002
    """Rolls elements along `axis` by `shift` (scalars or equal-length lists; shifts add up).

    Example:
      >>> tf.roll([0, 1, 2, 3, 4], shift=2, axis=0)
      <tf.Tensor: shape=(5,), dtype=int32, numpy=array([3, 4, 0, 1, 2], dtype=int32)>
    """
    x = convert_to_tensor(input)
    sh = _int_list(shift, "Roll", "Tshift")
    ax = _int_list(axis, "Roll", "Taxis")
    if len(sh) != len(ax):
        raise errors.invalid_argument("shift and axis must have the same size", "Roll")
    nd = x._v.ndim
    total: dict = {}
    for s, a in zip(sh, ax):
        if not -nd <= a < nd:
            raise errors.invalid_argument(f"axis {a} is out of range", "Roll")
        total[a % nd] = total.get(a % nd, 0) + s
    return bind(_roll, x, shift=tuple(total.values()), axis=tuple(total))


# =============================== tile / pad / repeat ===============================


@primitive("Tile")
def _tile(xp, x, multiples):
    return xp.tile(x, multiples)


def _tile_vjp(g, out, x, multiples):
    split_shape = []
    for k, d in zip(multiples, x._v.shape):
        split_shape += [k, d]
    return m.reduce_sum(reshape(g, split_shape), axis=tuple(range(0, len(split_shape), 2)))


_tile.defvjp(_tile_vjp)


def tile(input, multiples, name=None) -> Tensor:  # noqa: A002
    """Repeats `input` `multiples[i]` times along dimension i.

    Example:
      >>> tf.tile(tf.constant([[1, 2]]), [2, 2])
      <tf.Tensor: shape=(2, 4), dtype=int32, numpy=
      array([[1, 2, 1, 2],
             [1, 2, 1, 2]], dtype=int32)>
    """
    x = convert_to_tensor(input)
    mult = _int_list(multiples, "Tile", "Tmultiples")
    nd = x._v.ndim
    if len(mult) != nd:
        raise errors.invalid_argument(
            f"Expected multiples argument to be a vector of length {nd} but got length "
            f"{len(mult)}", "Tile")
    for i, k in enumerate(mult):
        if k < 0:
            raise errors.invalid_argument(f"Expected multiples[{i}] >= 0, but got {k}", "Tile")
    return bind(_tile, x, multiples=tuple(mult))


@primitive("PadV2")
def _pad(xp, x, c, paddings):
    shape = tuple(d + a + b for d, (a, b) in zip(x.shape, paddings))
    out = xp.full(shape, c, dtype=x.dtype)
    out[tuple(slice(a, a + d) for d, (a, _) in zip(x.shape, paddings))] = x
    return out


def _pad_vjp(g, out, x, c, paddings):
    key = tuple((a, a + d, None) for d, (a, _) in zip(x._v.shape, paddings))
    return _strided_slice(g, key=key)


_pad.defvjp(_pad_vjp, None)


@primitive("MirrorPad")
def _mirror_pad(xp, x, paddings, mode):
    return xp.pad(x, paddings, mode="reflect" if mode == "REFLECT" else "symmetric")


_mirror_pad.defvjp(lambda g, out, x, paddings, mode:
                   _mirror_pad_grad(g, paddings=paddings, mode=mode))


@primitive("MirrorPadGrad")
def _mirror_pad_grad(xp, g, paddings, mode):
    off = 1 if mode == "REFLECT" else 0  # REFLECT skips the edge element, SYMMETRIC repeats it
    for ax, (a, b) in enumerate(paddings):
        if not (a or b):
            continue
        gm = xp.moveaxis(g, ax, 0)
        n = gm.shape[0] - a - b
        c = gm[a:a + n].copy()
        if a:
            c[off:off + a] += gm[:a][::-1]
        if b:
            c[n - off - b:n - off] += gm[a + n:][::-1]
        g = xp.moveaxis(c, 0, ax)
    return g


_mirror_pad_grad.defvjp(lambda gg, out, g, paddings, mode:
                        _mirror_pad(gg, paddings=paddings, mode=mode))


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None) -> Tensor:
    """Pads `tensor`: `paddings[i] = [before, after]` for dimension i.

    `mode` is "CONSTANT" (with `constant_values`), "REFLECT" (mirror without the edge) or
    "SYMMETRIC" (mirror with the edge), case-insensitive.

    Example:
      >>> tf.pad(tf.constant([[1, 2]]), [[0, 0], [1, 1]])
      <tf.Tensor: shape=(1, 4), dtype=int32, numpy=array([[0, 1, 2, 0]], dtype=int32)>
    """
    x = convert_to_tensor(tensor)
    md = str(mode).upper()
    if md not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError('Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", '
                         f'or "SYMMETRIC". Received `mode` = {mode}')
    op = "Pad" if md == "CONSTANT" else "MirrorPad"
    p = paddings if isinstance(paddings, Tensor) else convert_to_tensor(paddings)
    if p._v.dtype.kind not in "iu":
        raise _attr_error("Tpaddings", p._v.dtype, "int32, int64", op)
    pv = np.asarray(p._v)
    nd = x._v.ndim
    if pv.shape != (nd, 2):
        raise errors.invalid_argument(
            f"The first dimension of paddings must be the rank of inputs{_fmt(pv.shape)} "
            f"{_fmt(x._v.shape)}", op)
    pads = tuple((int(a), int(b)) for a, b in pv.tolist())
    for (a, b), d in zip(pads, x._v.shape):
        if a < 0 or b < 0:
            raise errors.invalid_argument(f"Paddings must be non-negative: {a} {b}", op)
        if d is None:
            continue
        if md == "REFLECT" and (a >= d or b >= d):
            raise errors.invalid_argument(
                f"paddings must be less than the dimension size: {a}, {b} not less than {d}", op)
        if md == "SYMMETRIC" and (a > d or b > d):
            raise errors.invalid_argument(
                f"paddings must be no greater than the dimension size: {a}, {b} greater than {d}",
                op)
    if md != "CONSTANT":
        return bind(_mirror_pad, x, paddings=pads, mode=md)
    c = constant_values if isinstance(constant_values, Tensor) \
        else convert_to_tensor(constant_values, dtype=x.dtype)
    return bind(_pad, x, c, paddings=pads)


def repeat(input, repeats, axis=None, name=None) -> Tensor:  # noqa: A002
    """Repeats each element `repeats` times along `axis` (the flattened input when None).

    Example:
      >>> tf.repeat([1, 2, 3], 2)
      <tf.Tensor: shape=(6,), dtype=int32, numpy=array([1, 1, 2, 2, 3, 3], dtype=int32)>
    """
    x = convert_to_tensor(input)
    if axis is None:
        x = reshape(x, [-1])
        ax = 0
    else:
        ax = _int_scalar(axis) % max(x._v.ndim, 1)
    r = np.asarray(_int_list(repeats, "Tile", "Tmultiples"), dtype=np.int64)
    n = x._v.shape[ax]
    if r.size == 1:
        r = np.full(n, r[0])
    elif r.size != n:
        raise ValueError(f"Dimensions {n} and {r.size} are not compatible")
    if r.size and r.min() < 0:
        raise errors.invalid_argument(f"Expected multiples[1] >= 0, but got {int(r.min())}",
                                      "Tile")
    idx = tensor_of(np.repeat(np.arange(n, dtype=np.int64), r))
    return bind(_gather, x, idx, axis=ax, batch_dims=0)
