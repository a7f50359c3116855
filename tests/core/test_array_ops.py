"""Behaviour of the array ops against numbers taken from real TensorFlow 2.21.

Each case is a line of TF code, evaluated here with nanotf, and what TF 2.21 gave for it: the
output's dtype, shape and values, or the exception type and message (the first line of TF's
message, without its `{{function_node ...}}` prefix, must appear in nanotf's). The same code
strings were run under `tensorflow` to record `CASES`; `grad(f, *xs)` weights every output entry
by its position (1, 2, ...) so each gradient entry is checked.
"""

from __future__ import annotations

import numpy as np
import pytest

import nanotf
from nanotf._src import ops as _ops
from nanotf._src.ops import bitwise as _bitwise

NAN, INF = float("nan"), float("inf")
# the array op families (ops/array.py and its siblings), ahead of the facades
_ARRAY_OPS = (_ops.array, _ops.clipping, _ops.creation, _ops.indexing, _ops.movement,
              _ops.scatter, _ops.segment, _ops.sorting)


class _Namespace:
    """`tf.X` resolving to the array ops first (they may not be in the facades yet)."""

    def __init__(self, *sources):
        self._sources = sources

    def __getattr__(self, name):
        for s in self._sources:
            if hasattr(s, name):
                return getattr(s, name)
        raise AttributeError(name)


tf = _Namespace(*_ARRAY_OPS, nanotf)
tf.math = _Namespace(*_ARRAY_OPS, nanotf.math)
tf.nn = _Namespace(*_ARRAY_OPS, nanotf.nn)
tf.linalg = _Namespace(*_ARRAY_OPS, nanotf.linalg)
tf.bitwise = _bitwise
tf.newaxis = None

X = tf.reshape(tf.range(6.0), [2, 3])
P = tf.reshape(tf.range(24), [2, 3, 4])
V = tf.constant([[3.0, 1.0, 2.0, 1.0], [0.0, 5.0, -1.0, 5.0]])
V2 = np.array([[1.0, 3.0, 3.0, 2.0], [0.0, -1.0, 5.0, 5.0]], np.float32)
U = np.array([5.0, 6.0, 7.0], np.float32)


def grad(f, *xs):
    """Gradients of sum(output * [1, 2, ...]) over all float outputs of `f(*xs)`."""
    xs = [tf.constant(x) for x in xs]
    with nanotf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = f(*xs)
        total = tf.constant(0.0, tf.float64)
        for v in (y if isinstance(y, (list, tuple)) else [y]):
            w = tf.reshape(tf.cast(tf.range(1, tf.size(v) + 1), v.dtype), tf.shape(v))
            total += tf.cast(tf.reduce_sum(v * w), tf.float64)
    return tape.gradient(total, xs)


CASES = [('tile', 'tf.tile(X, [2, 1])',
  ('ok',
   ('float32', (4, 3), [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]))),
 ('tile_int64_multiples', 'tf.tile(X, tf.constant([1, 2], tf.int64))',
  ('ok', ('float32', (2, 6), [[0.0, 1.0, 2.0, 0.0, 1.0, 2.0], [3.0, 4.0, 5.0, 3.0, 4.0, 5.0]]))),
 ('tile_scalar', 'tf.tile(tf.constant(1.), [])', ('ok', ('float32', (), 1.0))),
 ('tile_bad_length', 'tf.tile(X, [2])',
  ('error', 'InvalidArgumentError',
   'Expected multiples argument to be a vector of length 2 but got length 1 [Op:Tile]')),
 ('tile_negative', 'tf.tile(X, [-1, 1])',
  ('error', 'InvalidArgumentError', 'Expected multiples[0] >= 0, but got -1 [Op:Tile]')),
 ('tile_float_multiples', 'tf.tile(X, [1., 2.])',
  ('error', 'InvalidArgumentError',
   "Value for attr 'Tmultiples' of float is not in the list of allowed values: int32, int64")),
 ('pad', 'tf.pad(X, [[1, 0], [0, 2]])',
  ('ok',
   ('float32', (3, 5),
    [[0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 2.0, 0.0, 0.0], [3.0, 4.0, 5.0, 0.0, 0.0]]))),
 ('pad_constant_values', 'tf.pad(X, [[1, 0], [0, 2]], constant_values=9)',
  ('ok',
   ('float32', (3, 5),
    [[9.0, 9.0, 9.0, 9.0, 9.0], [0.0, 1.0, 2.0, 9.0, 9.0], [3.0, 4.0, 5.0, 9.0, 9.0]]))),
 ('pad_constant_lossy', 'tf.pad(tf.constant([1, 2]), [[1, 1]], constant_values=1.5)',
  ('error', 'TypeError', 'Cannot convert 1.5 to EagerTensor of dtype int32')),
 ('pad_reflect', "tf.pad(X, [[1, 1], [2, 2]], 'reflect')",
  ('ok',
   ('float32', (4, 7),
    [[5.0, 4.0, 3.0, 4.0, 5.0, 4.0, 3.0], [2.0, 1.0, 0.0, 1.0, 2.0, 1.0, 0.0],
     [5.0, 4.0, 3.0, 4.0, 5.0, 4.0, 3.0], [2.0, 1.0, 0.0, 1.0, 2.0, 1.0, 0.0]]))),
 ('pad_symmetric', "tf.pad(X, [[2, 2], [3, 3]], 'SYMMETRIC')",
  ('ok',
   ('float32', (6, 9),
    [[5.0, 4.0, 3.0, 3.0, 4.0, 5.0, 5.0, 4.0, 3.0], [2.0, 1.0, 0.0, 0.0, 1.0, 2.0, 2.0, 1.0, 0.0],
     [2.0, 1.0, 0.0, 0.0, 1.0, 2.0, 2.0, 1.0, 0.0], [5.0, 4.0, 3.0, 3.0, 4.0, 5.0, 5.0, 4.0, 3.0],
     [5.0, 4.0, 3.0, 3.0, 4.0, 5.0, 5.0, 4.0, 3.0],
     [2.0, 1.0, 0.0, 0.0, 1.0, 2.0, 2.0, 1.0, 0.0]]))),
 ('pad_reflect_too_big', "tf.pad(X, [[2, 2], [0, 0]], 'REFLECT')",
  ('error', 'InvalidArgumentError',
   'paddings must be less than the dimension size: 2, 2 not less than 2 [Op:MirrorPad]')),
 ('pad_symmetric_too_big', "tf.pad(X, [[3, 0], [0, 0]], 'SYMMETRIC')",
  ('error', 'InvalidArgumentError',
   'paddings must be no greater than the dimension size: 3, 0 greater than 2 [Op:MirrorPad]')),
 ('pad_bad_mode', "tf.pad(X, [[1, 1], [0, 0]], 'WRAP')",
  ('error', 'ValueError',
   'Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", or "SYMMETRIC". Received '
   '`mode` = WRAP')),
 ('pad_bad_paddings', 'tf.pad(X, [[1, 1]])',
  ('error', 'InvalidArgumentError',
   'The first dimension of paddings must be the rank of inputs[1,2] [2,3] [Op:Pad]')),
 ('pad_negative', 'tf.pad(X, [[-1, 1], [0, 0]])',
  ('error', 'InvalidArgumentError', 'Paddings must be non-negative: -1 1 [Op:Pad]')),
 ('gather_nd', 'tf.gather_nd(P, [[0, 1], [1, 2]])',
  ('ok', ('int32', (2, 4), [[4, 5, 6, 7], [20, 21, 22, 23]]))),
 ('gather_nd_full', 'tf.gather_nd(P, [[0, 1, 2]])', ('ok', ('int32', (1,), [6]))),
 ('gather_nd_batch', 'tf.gather_nd(P, [[[1, 2]], [[0, 3]]], batch_dims=1)',
  ('ok', ('int32', (2, 1), [[6], [15]]))),
 ('gather_nd_empty', 'tf.gather_nd(P, tf.zeros([0, 2], tf.int32))', ('ok', ('int32', (0, 4), []))),
 ('gather_nd_oob', 'tf.gather_nd(P, [[0, 5]])',
  ('error', 'InvalidArgumentError',
   'indices[0] = [0, 5] does not index into param shape [2,3,4], node name: GatherNd '
   '[Op:GatherNd]')),
 ('gather_nd_negative', 'tf.gather_nd(P, [[0, -1]])',
  ('error', 'InvalidArgumentError',
   'indices[0] = [0, -1] does not index into param shape [2,3,4], node name: GatherNd '
   '[Op:GatherNd]')),
 ('gather_nd_too_deep', 'tf.gather_nd(P, [[0, 1, 2, 3]])',
  ('error', 'InvalidArgumentError',
   'index innermost dimension length must be <= params rank; saw: 4 vs. 3 [Op:GatherNd]')),
 ('gather_nd_float', 'tf.gather_nd(P, [[0., 1.]])',
  ('error', 'InvalidArgumentError',
   "Value for attr 'Tindices' of float is not in the list of allowed values: int16, int32, int64")),
 ('gather_nd_scalar', 'tf.gather_nd(P, 1)',
  ('error', 'InvalidArgumentError', 'indices must be at least a vector [Op:GatherNd]')),
 ('gather_nd_batch_dims_too_big', 'tf.gather_nd(X, [[1], [2]], batch_dims=2)',
  ('error', 'ValueError', 'Argument `batch_dims` = 2 must be less than rank(`indices`) = 2')),
 ('boolean_mask_float_one_hot',
  'tf.boolean_mask(tf.constant([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], tf.float64), tf.one_hot([0, 2], '
  'depth=3))',
  ('ok', ('float64', (2,), [0.1, 0.5]))),
 ('boolean_mask_int_mask',
  'tf.boolean_mask(tf.constant([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], tf.float64), '
  'tf.cast(tf.one_hot([0, 2], depth=3), tf.int32))',
  ('ok', ('float64', (2,), [0.1, 0.5]))),
 ('boolean_mask_nonzero_values', 'tf.boolean_mask(X, tf.constant([[2, 0, -1], [0, 0, 3]]))',
  ('ok', ('float32', (3,), [0.0, 2.0, 5.0]))),
 ('boolean_mask_rows', 'tf.boolean_mask(X, [True, False])',
  ('ok', ('float32', (1, 3), [[0.0, 1.0, 2.0]]))),
 ('boolean_mask_axis1', 'tf.boolean_mask(X, [True, False, True], axis=1)',
  ('ok', ('float32', (2, 2), [[0.0, 2.0], [3.0, 5.0]]))),
 ('boolean_mask_2d_on_3d', 'tf.boolean_mask(P, [[True, False, True], [False, True, True]])',
  ('ok', ('int32', (4, 4), [[0, 1, 2, 3], [8, 9, 10, 11], [16, 17, 18, 19], [20, 21, 22, 23]]))),
 ('boolean_mask_none', 'tf.boolean_mask(X, [False, False])', ('ok', ('float32', (0, 3), []))),
 ('boolean_mask_negative_axis', 'tf.boolean_mask(X, [True, False, True], axis=-1)',
  ('error', 'ValueError', 'Shapes () and (3,) are incompatible')),
 ('boolean_mask_mismatch', 'tf.boolean_mask(X, [True])',
  ('error', 'ValueError', 'Shapes (2,) and (1,) are incompatible')),
 ('boolean_mask_scalar', 'tf.boolean_mask(3.0, True)',
  ('error', 'ValueError', 'mask cannot be scalar.')),
 ('split_num', 'tf.split(tf.range(6), 3)',
  ('ok', ('seq', [('int32', (2,), [0, 1]), ('int32', (2,), [2, 3]), ('int32', (2,), [4, 5])]))),
 ('split_sizes', 'tf.split(tf.range(6), [1, -1, 2])',
  ('ok', ('seq', [('int32', (1,), [0]), ('int32', (3,), [1, 2, 3]), ('int32', (2,), [4, 5])]))),
 ('split_axis1_tensor_sizes', 'tf.split(X, tf.constant([1, 2]), axis=1)',
  ('ok',
   ('seq', [('float32', (2, 1), [[0.0], [3.0]]), ('float32', (2, 2), [[1.0, 2.0], [4.0, 5.0]])]))),
 ('split_one', 'tf.split(X, 1)',
  ('ok', ('seq', [('float32', (2, 3), [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])]))),
 ('split_uneven', 'tf.split(tf.range(6), 4)',
  ('error', 'InvalidArgumentError',
   'Number of ways to split should evenly divide the split dimension, but got split_dim 0 (size = '
   '6) and num_split 4 [Op:Split]')),
 ('split_bad_sizes', 'tf.split(tf.range(6), [1, 2, 2])',
  ('error', 'InvalidArgumentError',
   'Determined shape must either match input shape along split_dim exactly if fully specified, or '
   'be less than the size of the input along split_dim if not fully specified.  Got: 5 '
   '[Op:SplitV]')),
 ('split_two_minus_one', 'tf.split(tf.range(6), [-1, -1, 2])',
  ('error', 'InvalidArgumentError', 'There can only be one -1 in the input. [Op:SplitV]')),
 ('split_negative_size', 'tf.split(tf.zeros([4]), [-2, 6])',
  ('error', 'InvalidArgumentError', 'Split size at index 0 must be >= 0. Got: -2 [Op:SplitV]')),
 ('split_axis_oob', 'tf.split(X, 1, axis=2)',
  ('error', 'InvalidArgumentError',
   '-input rank(-2) <= split_dim < input rank (2), but got 2 [Op:Split]')),
 ('split_zero', 'tf.split(X, 0)',
  ('error', 'InvalidArgumentError', "Value for attr 'num_split' of 0 must be at least minimum 1")),
 ('split_float_sizes', 'tf.split(tf.zeros([4]), [1., 3.])',
  ('error', 'InvalidArgumentError',
   "Value for attr 'Tlen' of float is not in the list of allowed values: int8, int32, int64")),
 ('unstack', 'tf.unstack(X)',
  ('ok', ('seq', [('float32', (3,), [0.0, 1.0, 2.0]), ('float32', (3,), [3.0, 4.0, 5.0])]))),
 ('unstack_axis1', 'tf.unstack(X, axis=1)',
  ('ok',
   ('seq',
    [('float32', (2,), [0.0, 3.0]), ('float32', (2,), [1.0, 4.0]),
     ('float32', (2,), [2.0, 5.0])]))),
 ('unstack_empty', 'tf.unstack(tf.zeros([0, 3]))', ('ok', ('seq', []))),
 ('unstack_num_mismatch', 'tf.unstack(X, num=3)',
  ('error', 'InvalidArgumentError',
   'Input shape axis 0 must equal 3, got shape [2,3] [Op:Unpack]')),
 ('unstack_scalar', 'tf.unstack(tf.constant(1.))',
  ('error', 'ValueError', 'Argument `axis` = 0 not in range [0, 0)')),
 ('unstack_axis_oob', 'tf.unstack(X, axis=2)',
  ('error', 'ValueError', 'Argument `axis` = 2 not in range [-2, 2)')),
 ('reverse', 'tf.reverse(X, [0, -1])',
  ('ok', ('float32', (2, 3), [[5.0, 4.0, 3.0], [2.0, 1.0, 0.0]]))),
 ('reverse_duplicate', 'tf.reverse(X, [1, -1])',
  ('error', 'InvalidArgumentError', 'axis 1 specified more than once. [Op:ReverseV2]')),
 ('reverse_oob', 'tf.reverse(X, [2])',
  ('error', 'InvalidArgumentError', "'axis'[0] = 2 is out of valid range [0, 1 [Op:ReverseV2]")),
 ('reverse_scalar_axis', 'tf.reverse(X, 1)',
  ('error', 'InvalidArgumentError', "'dims' must be 1-dimension, not 0 [Op:ReverseV2]")),
 ('sort', 'tf.sort(V)', ('ok', ('float32', (2, 4), [[1.0, 1.0, 2.0, 3.0], [-1.0, 0.0, 5.0, 5.0]]))),
 ('sort_descending', "tf.sort(V, direction='DESCENDING')",
  ('ok', ('float32', (2, 4), [[3.0, 2.0, 1.0, 1.0], [5.0, 5.0, 0.0, -1.0]]))),
 ('sort_int_min_descending', "tf.sort(tf.constant([3, 1, 2, -2147483648]), direction='DESCENDING')",
  ('ok', ('int32', (4,), [3, 2, 1, -2147483648]))),
 ('sort_uint8', "tf.sort(tf.constant([3, 0, 255], tf.uint8), direction='DESCENDING')",
  ('ok', ('uint8', (3,), [255, 3, 0]))),
 ('sort_bad_direction', "tf.sort(V, direction='UP')",
  ('error', 'ValueError',
   'Argument `direction` should be one of ASCENDING, DESCENDING. Received: direction=UP')),
 ('sort_scalar', 'tf.sort(tf.constant(1.))',
  ('error', 'InvalidArgumentError',
   'slice index -1 of dimension 0 out of bounds. [Op:StridedSlice]')),
 ('sort_bool', 'tf.sort(tf.constant([True, False]))',
  ('error', 'InvalidArgumentError',
   "Value for attr 'T' of bool is not in the list of allowed values: bfloat16, half, float, "
   'double, int8, int16, int32, int64, complex64, complex128')),
 ('argsort', 'tf.argsort(V)', ('ok', ('int32', (2, 4), [[1, 3, 2, 0], [2, 0, 1, 3]]))),
 ('argsort_descending_ties', "tf.argsort([1, 2, 2, 1, -2147483648], direction='DESCENDING')",
  ('ok', ('int32', (5,), [1, 2, 0, 3, 4]))),
 ('argsort_axis0', 'tf.argsort(V, axis=0)',
  ('ok', ('int32', (2, 4), [[1, 0, 1, 0], [0, 1, 0, 1]]))),
 ('top_k', 'tuple(tf.math.top_k(V, 2))',
  ('ok',
   ('seq', [('float32', (2, 2), [[3.0, 2.0], [5.0, 5.0]]), ('int32', (2, 2), [[0, 2], [1, 3]])]))),
 ('top_k_ties', 'tuple(tf.math.top_k(tf.constant([1., 3., 3., 2., 3.]), 2))',
  ('ok', ('seq', [('float32', (2,), [3.0, 3.0]), ('int32', (2,), [1, 2])]))),
 ('top_k_int64', 'tuple(tf.nn.top_k(V, 1, index_type=tf.int64))',
  ('ok', ('seq', [('float32', (2, 1), [[3.0], [5.0]]), ('int64', (2, 1), [[0], [1]])]))),
 ('top_k_zero', 'tuple(tf.math.top_k(V, 0))',
  ('ok', ('seq', [('float32', (2, 0), [[], []]), ('int32', (2, 0), [[], []])]))),
 ('top_k_too_big', 'tf.math.top_k(V, 5)',
  ('error', 'InvalidArgumentError',
   'input must have at least k columns. Had 4, needed 5 [Op:TopKV2]')),
 ('top_k_negative', 'tf.math.top_k(V, -1)',
  ('error', 'InvalidArgumentError', 'Need k >= 0, got -1 [Op:TopKV2]')),
 ('top_k_scalar', 'tf.math.top_k(tf.constant(1.), 1)',
  ('error', 'InvalidArgumentError', 'input must be >= 1-D, got shape [] [Op:TopKV2]')),
 ('top_k_bool', 'tf.math.top_k([True, False], 1)',
  ('error', 'InvalidArgumentError',
   "Value for attr 'T' of bool is not in the list of allowed values: float, double, int32, uint8, "
   'int16, int8, int64, bfloat16, uint16, half, uint32, uint64')),
 ('unique', 'tuple(tf.unique(tf.constant([1, 1, 2, 4, 4, 4, 7, 8, 8])))',
  ('ok',
   ('seq', [('int32', (5,), [1, 2, 4, 7, 8]), ('int32', (9,), [0, 0, 1, 2, 2, 2, 3, 4, 4])]))),
 ('unique_int64', 'tuple(tf.unique(tf.constant([3., 1., 3.]), out_idx=tf.int64))',
  ('ok', ('seq', [('float32', (2,), [3.0, 1.0]), ('int64', (3,), [0, 1, 0])]))),
 ('unique_with_counts', 'tuple(tf.unique_with_counts(tf.constant([5, 3, 5, 1])))',
  ('ok',
   ('seq',
    [('int32', (3,), [5, 3, 1]), ('int32', (4,), [0, 1, 0, 2]), ('int32', (3,), [2, 1, 1])]))),
 ('unique_2d', 'tf.unique(tf.constant([[3., 1.]]))',
  ('error', 'InvalidArgumentError', 'unique expects a 1D vector. [Op:Unique]')),
 ('range', 'tf.range(5)', ('ok', ('int32', (5,), [0, 1, 2, 3, 4]))),
 ('range_float', 'tf.range(1, 5, 0.5)',
  ('ok', ('float32', (8,), [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5]))),
 ('range_negative_delta', 'tf.range(5, -4, -3)', ('ok', ('int32', (3,), [5, 2, -1]))),
 ('range_float_steps', 'tf.range(0., 1., 0.3)',
  ('ok', ('float32', (4,), [0.0, 0.30000001192092896, 0.6000000238418579, 0.9000000357627869]))),
 ('range_tenths', 'tf.range(0., 10., 0.1)',
  ('ok',
   ('float32', (100,),
    [0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645, 0.5,
     0.6000000238418579, 0.699999988079071, 0.800000011920929, 0.9000000357627869, 1.0,
     1.100000023841858, 1.2000000476837158, 1.3000000715255737, 1.399999976158142, 1.5,
     1.600000023841858, 1.7000000476837158, 1.8000000715255737, 1.899999976158142, 2.0,
     2.1000001430511475, 2.200000047683716, 2.299999952316284, 2.4000000953674316, 2.5,
     2.6000001430511475, 2.700000047683716, 2.799999952316284, 2.9000000953674316, 3.0,
     3.1000001430511475, 3.200000047683716, 3.299999952316284, 3.4000000953674316, 3.5,
     3.6000001430511475, 3.700000047683716, 3.799999952316284, 3.9000000953674316, 4.0,
     4.099999904632568, 4.200000286102295, 4.300000190734863, 4.400000095367432, 4.5,
     4.599999904632568, 4.700000286102295, 4.800000190734863, 4.900000095367432, 5.0,
     5.099999904632568, 5.200000286102295, 5.300000190734863, 5.400000095367432, 5.5,
     5.599999904632568, 5.700000286102295, 5.800000190734863, 5.900000095367432, 6.0,
     6.099999904632568, 6.200000286102295, 6.300000190734863, 6.400000095367432, 6.5,
     6.599999904632568, 6.700000286102295, 6.800000190734863, 6.900000095367432, 7.0,
     7.099999904632568, 7.200000286102295, 7.300000190734863, 7.400000095367432, 7.5,
     7.599999904632568, 7.700000286102295, 7.800000190734863, 7.900000095367432, 8.0,
     8.100000381469727, 8.199999809265137, 8.300000190734863, 8.40000057220459, 8.5,
     8.600000381469727, 8.699999809265137, 8.800000190734863, 8.90000057220459, 9.0,
     9.100000381469727, 9.199999809265137, 9.300000190734863, 9.40000057220459, 9.5,
     9.600000381469727, 9.699999809265137, 9.800000190734863, 9.90000057220459]))),
 ('range_int64_tensor', 'tf.range(tf.constant(5, tf.int64))',
  ('ok', ('int64', (5,), [0, 1, 2, 3, 4]))),
 ('range_mixed', 'tf.range(tf.constant(1, tf.int64), tf.constant(5.0))',
  ('ok', ('float32', (4,), [1.0, 2.0, 3.0, 4.0]))),
 ('range_numpy_float', 'tf.range(np.float64(3))', ('ok', ('float64', (3,), [0.0, 1.0, 2.0]))),
 ('range_dtype', 'tf.range(3, dtype=tf.float16)', ('ok', ('float16', (3,), [0.0, 1.0, 2.0]))),
 ('range_cast_tensor', 'tf.range(tf.constant(3.), dtype=tf.int32)',
  ('ok', ('int32', (3,), [0, 1, 2]))),
 ('range_lossy', 'tf.range(2.5, dtype=tf.int32)',
  ('error', 'TypeError', 'Cannot convert 2.5 to EagerTensor of dtype int32')),
 ('range_uint8', 'tf.range(3, dtype=tf.uint8)',
  ('error', 'InvalidArgumentError',
   "Value for attr 'Tidx' of uint8 is not in the list of allowed values: bfloat16, half, float, "
   'double, int8, int16, int32, int64, uint16, uint32, uint64')),
 ('range_backwards', 'tf.range(5, 1)',
  ('error', 'InvalidArgumentError', 'Requires start <= limit when delta > 0: 5/1 [Op:Range]')),
 ('range_backwards_float', 'tf.range(5.5, 1.)',
  ('error', 'InvalidArgumentError', 'Requires start <= limit when delta > 0: 5.5/1 [Op:Range]')),
 ('range_wrong_direction', 'tf.range(1, 5, -1)',
  ('error', 'InvalidArgumentError', 'Requires start >= limit when delta < 0: 1/5 [Op:Range]')),
 ('range_zero_delta', 'tf.range(1, 5, 0)',
  ('error', 'InvalidArgumentError', 'Requires delta != 0: 0 [Op:Range]')),
 ('linspace', 'tf.linspace(-1.3, 2.9, 7)',
  ('ok',
   ('float32', (7,),
    [-1.2999999523162842, -0.5999999642372131, 0.10000002384185791, 0.7999999523162842, 1.5,
     2.200000047683716, 2.9000000953674316]))),
 ('linspace_int', 'tf.linspace(0, 1, 5)', ('ok', ('float64', (5,), [0.0, 0.25, 0.5, 0.75, 1.0]))),
 ('linspace_one', 'tf.linspace(2., 5., 1)', ('ok', ('float32', (1,), [2.0]))),
 ('linspace_zero', 'tf.linspace(2., 5., 0)', ('ok', ('float32', (0,), []))),
 ('linspace_vectors_axis1', 'tf.linspace([0., 1.], [1., 3.], 3, axis=1)',
  ('ok', ('float32', (2, 3), [[0.0, 0.5, 1.0], [1.0, 2.0, 3.0]]))),
 ('linspace_negative', 'tf.linspace(0., 1., -1)',
  ('error', 'InvalidArgumentError', 'Requires start <= limit when delta > 0: 1/-1 [Op:Range]')),
 ('linspace_float_num', 'tf.linspace(0., 1., 3.)',
  ('error', 'TypeError',
   'Argument `tensor` (name: num) must be of type integer. Received `tensor` = 3.0 of dtype: '
   "<dtype: 'float32'>")),
 ('zeros_shape_tensor', 'tf.zeros(tf.constant([2, 1], tf.int64), tf.int32)',
  ('ok', ('int32', (2, 1), [[0], [0]]))),
 ('zeros_mixed_shape', 'tf.zeros([tf.constant(2), 3])',
  ('ok', ('float32', (2, 3), [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))),
 ('zeros_string', 'tf.zeros([2], tf.string)', ('ok', ('string', (2,), ['', '']))),
 ('ones_bool', 'tf.ones([2], tf.bool)', ('ok', ('bool', (2,), [True, True]))),
 ('ones_int', 'tf.ones(3)', ('ok', ('float32', (3,), [1.0, 1.0, 1.0]))),
 ('zeros_negative', 'tf.zeros([2, -3])',
  ('error', 'InvalidArgumentError', 'Dimension -3 must be >= 0 [Op:Fill]')),
 ('zeros_float_shape', 'tf.ones([2.])',
  ('error', 'TypeError', 'Cannot convert [2.0] to EagerTensor of dtype int32')),
 ('zeros_none', 'tf.zeros([None])',
  ('error', 'ValueError',
   "Attempt to convert a value (None) with an unsupported type (<class 'NoneType'>) to a Tensor.")),
 ('scatter_nd', 'tf.scatter_nd([[4], [3], [1], [7], [1]], [9., 10., 11., 12., 13.], [8])',
  ('ok', ('float32', (8,), [0.0, 24.0, 0.0, 10.0, 9.0, 0.0, 0.0, 12.0]))),
 ('scatter_nd_rows', 'tf.scatter_nd([[0], [2]], [[5, 5], [6, 6]], [4, 2])',
  ('ok', ('int32', (4, 2), [[5, 5], [0, 0], [6, 6], [0, 0]]))),
 ('scatter_nd_oob', 'tf.scatter_nd([[9]], [1.], [8])',
  ('error', 'InvalidArgumentError',
   'indices[0] = [9] does not index into shape [8] [Op:ScatterNd]')),
 ('scatter_nd_updates_shape', 'tf.scatter_nd([[1]], [1., 2.], [3])',
  ('error', 'InvalidArgumentError',
   'Dimensions [0,1) of indices[shape=[1,1]] must match dimensions [0,1) of updates[shape=[2]] '
   '[Op:ScatterNd]')),
 ('scatter_nd_empty_output', 'tf.scatter_nd([[1]], [1.], [0])',
  ('error', 'InvalidArgumentError',
   'Indices and updates specified for empty output.  indices shape: [1,1] [Op:ScatterNd]')),
 ('tensor_scatter_nd_update', 'tf.tensor_scatter_nd_update(tf.zeros([4]), [[1], [1]], [1., 2.])',
  ('ok', ('float32', (4,), [0.0, 2.0, 0.0, 0.0]))),
 ('tensor_scatter_nd_add', 'tf.tensor_scatter_nd_add(tf.ones([4]), [[1], [1]], [1., 2.])',
  ('ok', ('float32', (4,), [1.0, 4.0, 1.0, 1.0]))),
 ('tensor_scatter_nd_sub', 'tf.tensor_scatter_nd_sub(tf.ones([4]), [[1], [1]], [1., 2.])',
  ('ok', ('float32', (4,), [1.0, -2.0, 1.0, 1.0]))),
 ('tensor_scatter_nd_max', 'tf.tensor_scatter_nd_max(tf.ones([4]), [[1], [2]], [3., -2.])',
  ('ok', ('float32', (4,), [1.0, 3.0, 1.0, 1.0]))),
 ('tensor_scatter_nd_min', 'tf.tensor_scatter_nd_min(tf.ones([4]), [[1], [2]], [3., -2.])',
  ('ok', ('float32', (4,), [1.0, 1.0, -2.0, 1.0]))),
 ('tensor_scatter_nd_list', 'tf.tensor_scatter_nd_update([1, 2, 3], [[1]], [9])',
  ('ok', ('int32', (3,), [1, 9, 3]))),
 ('tensor_scatter_nd_dtype', 'tf.tensor_scatter_nd_update(tf.zeros([4]), [[1]], tf.constant([1]))',
  ('error', 'InvalidArgumentError',
   'cannot compute TensorScatterUpdate as input #2(zero-based) was expected to be a float tensor '
   'but is a int32 tensor [Op:TensorScatterUpdate]')),
 ('tensor_scatter_nd_oob', 'tf.tensor_scatter_nd_update(tf.zeros([4]), [[5]], [1.])',
  ('error', 'InvalidArgumentError',
   'indices[0] = [5] does not index into shape [4] [Op:TensorScatterUpdate]')),
 ('tensor_scatter_nd_updates_shape', 'tf.tensor_scatter_nd_update(tf.zeros([4]), [[1]], [1., 2.])',
  ('error', 'InvalidArgumentError',
   'Outer dimensions of indices and update must match. Indices shape: [1,1], updates shape:[2] '
   '[Op:TensorScatterUpdate]')),
 ('repeat', 'tf.repeat([[1, 2], [3, 4]], [1, 2], axis=0)',
  ('ok', ('int32', (3, 2), [[1, 2], [3, 4], [3, 4]]))),
 ('repeat_flat', 'tf.repeat([[1, 2], [3, 4]], [1, 2, 0, 1])',
  ('ok', ('int32', (4,), [1, 2, 2, 4]))),
 ('repeat_mismatch', 'tf.repeat([1, 2, 3], [1, 2], axis=0)',
  ('error', 'ValueError', 'Dimensions 3 and 2 are not compatible')),
 ('repeat_negative', 'tf.repeat([1, 2, 3], -1)',
  ('error', 'InvalidArgumentError', 'Expected multiples[1] >= 0, but got -1 [Op:Tile]')),
 ('meshgrid', 'tf.meshgrid([1, 2, 3], [4, 5])',
  ('ok',
   ('seq',
    [('int32', (2, 3), [[1, 2, 3], [1, 2, 3]]), ('int32', (2, 3), [[4, 4, 4], [5, 5, 5]])]))),
 ('meshgrid_ij', "tf.meshgrid([1, 2, 3], [4, 5], indexing='ij')",
  ('ok',
   ('seq',
    [('int32', (3, 2), [[1, 1], [2, 2], [3, 3]]), ('int32', (3, 2), [[4, 5], [4, 5], [4, 5]])]))),
 ('meshgrid_bad_indexing', "tf.meshgrid([1, 2, 3], [4, 5], indexing='xx')",
  ('error', 'ValueError', "Argument `indexing` parameter must be either 'xy' or 'ij', got 'xx'")),
 ('meshgrid_bad_kwarg', 'tf.meshgrid([1, 2, 3], [4, 5], foo=1)',
  ('error', 'TypeError', "'foo' is an invalid keyword argument for this function")),
 ('meshgrid_dtypes', 'tf.meshgrid([1, 2, 3], [4., 5.])',
  ('error', 'InvalidArgumentError',
   'cannot compute Mul as input #1(zero-based) was expected to be a float tensor but is a int32 '
   'tensor [Op:Mul]')),
 ('roll', 'tf.roll(tf.reshape(tf.range(6), [2, 3]), [1, -1], [0, 1])',
  ('ok', ('int32', (2, 3), [[4, 5, 3], [1, 2, 0]]))),
 ('roll_same_axis', 'tf.roll(tf.range(5), [1, 2], [0, 0])',
  ('ok', ('int32', (5,), [2, 3, 4, 0, 1]))),
 ('roll_oob', 'tf.roll(tf.range(5), 1, 1)',
  ('error', 'InvalidArgumentError', 'axis 1 is out of range [Op:Roll]')),
 ('roll_mismatch', 'tf.roll(tf.range(5), [1, 2], [0])',
  ('error', 'InvalidArgumentError', 'shift and axis must have the same size [Op:Roll]')),
 ('sequence_mask', 'tf.sequence_mask([1, 3, 2], 5)',
  ('ok',
   ('bool', (3, 5),
    [[True, False, False, False, False], [True, True, True, False, False],
     [True, True, False, False, False]]))),
 ('sequence_mask_no_maxlen', 'tf.sequence_mask([[1, 3], [2, 0]])',
  ('ok',
   ('bool', (2, 2, 3),
    [[[True, False, False], [True, True, True]], [[True, True, False], [False, False, False]]]))),
 ('sequence_mask_float32', 'tf.sequence_mask([1, 3], 4, dtype=tf.float32)',
  ('ok', ('float32', (2, 4), [[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 0.0]]))),
 ('sequence_mask_float_lengths', 'tf.sequence_mask(tf.constant([1.5, 3.]), tf.constant(4.))',
  ('ok', ('bool', (2, 4), [[True, True, False, False], [True, True, True, False]]))),
 ('sequence_mask_vector_maxlen', 'tf.sequence_mask([1, 3], [4])',
  ('error', 'ValueError',
   "Argument `maxlen` must be scalar for sequence_mask, received `maxlen` = [4] with shape '(1,)' "
   'instead')),
 ('searchsorted', 'tf.searchsorted([[0, 3, 9, 9, 10], [1, 2, 3, 4, 5]], [[2, 4, 9], [0, 2, 6]])',
  ('ok', ('int32', (2, 3), [[1, 2, 2], [0, 1, 5]]))),
 ('searchsorted_right',
  "tf.searchsorted([[0, 3, 9, 9, 10], [1, 2, 3, 4, 5]], [[2, 4, 9], [0, 2, 6]], side='right')",
  ('ok', ('int32', (2, 3), [[1, 2, 4], [0, 2, 5]]))),
 ('searchsorted_batched',
  "tf.searchsorted(np.sort(np.arange(120) % 13, kind='stable').reshape(20, 6).astype(np.int32), "
  "(np.arange(80) % 15 - 1).reshape(20, 4).astype(np.int32), side='right')",
  ('ok',
   ('int32', (20, 4),
    [[0, 6, 6, 6], [6, 6, 6, 6], [6, 6, 6, 6], [6, 6, 6, 0], [0, 0, 6, 6], [6, 6, 6, 6],
     [6, 6, 6, 6], [6, 6, 0, 0], [0, 0, 0, 0], [3, 6, 6, 6], [6, 6, 6, 6], [6, 0, 0, 0],
     [0, 0, 0, 0], [0, 0, 6, 6], [6, 6, 6, 6], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0],
     [3, 6, 6, 0], [0, 0, 0, 0]]))),
 ('searchsorted_bad_side', "tf.searchsorted([0., 1., 2.], [0.5], side='mid')",
  ('error', 'ValueError',
   "Argument `side` must be either 'right' or 'left'. Received: `side` = 'mid'.")),
 ('searchsorted_dtypes', 'tf.searchsorted(tf.constant([0., 1., 2.]), tf.constant([1]))',
  ('error', 'InvalidArgumentError',
   'cannot compute LowerBound as input #1(zero-based) was expected to be a float tensor but is a '
   'int32 tensor [Op:LowerBound]')),
 ('searchsorted_batch_mismatch', 'tf.searchsorted([[0., 1., 2.]], [[0.5], [1.]])',
  ('error', 'InvalidArgumentError',
   'Leading dim_size of both tensors must match. [Op:LowerBound]')),
 ('segment_sum', 'tf.math.segment_sum(D, [0, 0, 1, 3])',
  ('error', 'NameError', "name 'D' is not defined")),
 ('segment_mean', 'tf.math.segment_mean(D, [0, 0, 1, 3])',
  ('error', 'NameError', "name 'D' is not defined")),
 ('segment_mean_int', 'tf.math.segment_mean(tf.constant([-1, -2, 4]), [0, 0, 1])',
  ('ok', ('int32', (2,), [-1, 4]))),
 ('segment_max', 'tf.math.segment_max(D, [0, 0, 1, 3])',
  ('error', 'NameError', "name 'D' is not defined")),
 ('segment_min_int', 'tf.math.segment_min(tf.constant([1, 2, 3]), [0, 2, 2])',
  ('ok', ('int32', (3,), [1, 0, 2]))),
 ('segment_prod', 'tf.math.segment_prod(D, [0, 0, 1, 3])',
  ('error', 'NameError', "name 'D' is not defined")),
 ('segment_not_sorted', 'tf.math.segment_sum(D, [0, 1, 0, 1])',
  ('error', 'NameError', "name 'D' is not defined")),
 ('segment_length', 'tf.math.segment_sum(D, [0, 1])',
  ('error', 'NameError', "name 'D' is not defined")),
 ('segment_negative', 'tf.math.segment_sum(D, [-1, 0, 0, 0])',
  ('error', 'NameError', "name 'D' is not defined")),
 ('segment_2d_ids', 'tf.math.segment_sum(D, [[0, 0], [1, 1]])',
  ('error', 'NameError', "name 'D' is not defined")),
 ('unsorted_segment_sum', 'tf.math.unsorted_segment_sum(D, [2, 0, 2, -1], 3)',
  ('error', 'NameError', "name 'D' is not defined")),
 ('unsorted_segment_sum_2d_ids',
  'tf.math.unsorted_segment_sum(D, [[0, 1], [1, 0], [0, 0], [1, 1]], 2)',
  ('error', 'NameError', "name 'D' is not defined")),
 ('unsorted_segment_mean', 'tf.math.unsorted_segment_mean(D, [2, 0, 2, 1], 4)',
  ('error', 'NameError', "name 'D' is not defined")),
 ('unsorted_segment_max', 'tf.math.unsorted_segment_max(D, [2, 0, 2, 1], 4)',
  ('error', 'NameError', "name 'D' is not defined")),
 ('unsorted_segment_min', 'tf.math.unsorted_segment_min(D, [2, 0, 2, 1], 4)',
  ('error', 'NameError', "name 'D' is not defined")),
 ('unsorted_segment_prod', 'tf.math.unsorted_segment_prod(D, [2, 0, 2, 1], 4)',
  ('error', 'NameError', "name 'D' is not defined")),
 ('unsorted_segment_sqrt_n', 'tf.math.unsorted_segment_sqrt_n(D, [2, 0, 2, 1], 4)',
  ('error', 'NameError', "name 'D' is not defined")),
 ('unsorted_segment_oob', 'tf.math.unsorted_segment_sum(D, [2, 0, 3, 1], 3)',
  ('error', 'NameError', "name 'D' is not defined")),
 ('unsorted_segment_shape', 'tf.math.unsorted_segment_sum(D, [0, 1, 0], 2)',
  ('error', 'NameError', "name 'D' is not defined")),
 ('unsorted_segment_negative_num', 'tf.math.unsorted_segment_sum(D, [0, 1, 0, 1], -1)',
  ('error', 'NameError', "name 'D' is not defined")),
 ('bincount', 'tf.math.bincount([1, 1, 3, 0])', ('ok', ('int32', (4,), [1, 2, 0, 1]))),
 ('bincount_weights', 'tf.math.bincount([1, 1, 3, 0], weights=[.5, .5, 1., 2.])',
  ('ok', ('float32', (4,), [2.0, 1.0, 0.0, 1.0]))),
 ('bincount_minlength', 'tf.math.bincount([1, 1, 3, 0], minlength=6)',
  ('ok', ('int32', (6,), [1, 2, 0, 1, 0, 0]))),
 ('bincount_maxlength', 'tf.math.bincount([1, 1, 3, 0], maxlength=2)',
  ('ok', ('int32', (2,), [1, 2]))),
 ('bincount_dtype', 'tf.math.bincount([1, 1, 3, 0], dtype=tf.float32)',
  ('ok', ('float32', (4,), [1.0, 2.0, 0.0, 1.0]))),
 ('bincount_axis', 'tf.math.bincount([[1, 1], [3, 0]], axis=-1)',
  ('ok', ('int32', (2, 4), [[0, 2, 0, 0], [1, 0, 0, 1]]))),
 ('bincount_binary', 'tf.math.bincount([1, 1, 3, 0], binary_output=True)',
  ('ok', ('int32', (4,), [1, 1, 0, 1]))),
 ('bincount_empty', 'tf.math.bincount(np.zeros([0], np.int32))', ('ok', ('int32', (0,), []))),
 ('bincount_float', 'tf.math.bincount([1., 2.])', ('ok', ('int32', (3,), [0, 1, 1]))),
 ('bincount_negative', 'tf.math.bincount([1, -1, 3, 0])',
  ('error', 'InvalidArgumentError', 'Input arr must be non-negative! [Op:DenseBincount]')),
 ('confusion_matrix', 'tf.math.confusion_matrix([1, 2, 4], [2, 2, 4])',
  ('ok',
   ('int32', (5, 5),
    [[0, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 1]]))),
 ('confusion_matrix_weights',
  'tf.math.confusion_matrix([1, 2, 4], [2, 2, 4], weights=[.5, 1., 2.])',
  ('ok',
   ('int32', (5, 5),
    [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 2]]))),
 ('confusion_matrix_float',
  'tf.math.confusion_matrix([1, 2, 4], [2, 2, 4], num_classes=6, weights=[.5, 1., 2.], '
  'dtype=tf.float32)',
  ('ok',
   ('float32', (6, 6),
    [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.5, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
     [0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 2.0, 0.0],
     [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]]))),
 ('confusion_matrix_negative', 'tf.math.confusion_matrix([-1, 2], [2, 2])',
  ('error', 'InvalidArgumentError', '`labels` contains negative values.')),
 ('confusion_matrix_out_of_bound', 'tf.math.confusion_matrix([1, 2, 4], [2, 2, 4], num_classes=3)',
  ('error', 'InvalidArgumentError', '`labels` out of bound')),
 ('confusion_matrix_mismatch', 'tf.math.confusion_matrix([1, 2, 3], [2, 2])',
  ('error', 'InvalidArgumentError',
   'Shapes of all inputs must match: values[0].shape = [3] != values[1].shape = [2] [Op:Pack]')),
 ('clip_by_norm', 'tf.clip_by_norm([[3., 4.], [0., 0.1]], 1., axes=[1])',
  ('ok',
   ('float32', (2, 2), [[0.6000000238418579, 0.800000011920929], [0.0, 0.10000000149011612]]))),
 ('clip_by_norm_zero', 'tf.clip_by_norm([0., 0.], 1.)', ('ok', ('float32', (2,), [0.0, 0.0]))),
 ('clip_by_norm_int', 'tf.clip_by_norm([3, 4], 1)',
  ('error', 'InvalidArgumentError',
   "Value for attr 'T' of int32 is not in the list of allowed values: bfloat16, half, float, "
   'double, complex64, complex128')),
 ('global_norm', 'tf.linalg.global_norm([tf.constant([3., 4.]), None, tf.constant([[12.]])])',
  ('ok', ('float32', (), 13.0))),
 ('global_norm_empty', 'tf.linalg.global_norm([])', ('ok', ('float32', (), 0.0))),
 ('global_norm_mixed',
  'tf.linalg.global_norm([tf.constant([3., 4.]), tf.constant([12.], tf.float64)])',
  ('error', 'InvalidArgumentError',
   'cannot compute Pack as input #1(zero-based) was expected to be a float tensor but is a double '
   'tensor [Op:Pack]')),
 ('global_norm_int', 'tf.linalg.global_norm([tf.constant([3, 4])])',
  ('error', 'InvalidArgumentError',
   "Value for attr 'T' of int32 is not in the list of allowed values: half, bfloat16, float, "
   'double')),
 ('clip_by_global_norm',
  'tf.clip_by_global_norm([tf.constant([3., 4.]), tf.constant([[12.]])], 1.)',
  ('ok',
   ('seq',
    [('seq',
      [('float32', (2,), [0.23076924681663513, 0.3076923191547394]),
       ('float32', (1, 1), [[0.9230769872665405]])]),
     ('float32', (), 13.0)]))),
 ('clip_by_global_norm_inf', 'tf.clip_by_global_norm([tf.constant([np.inf, 4.])], 1.)',
  ('ok', ('seq', [('seq', [('float32', (2,), [NAN, NAN])]), ('float32', (), INF)]))),
 ('clip_by_global_norm_variable', 'tf.clip_by_global_norm([tf.Variable([3., 4.])], 1.)',
  ('ok',
   ('seq',
    [('seq', [('float32', (2,), [0.6000000238418579, 0.800000011920929])]),
     ('float32', (), 5.0)]))),
 ('ensure_shape', 'tf.ensure_shape(X, [2, None])',
  ('ok', ('float32', (2, 3), [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]))),
 ('ensure_shape_bad', 'tf.ensure_shape(X, [None, 4])',
  ('error', 'InvalidArgumentError',
   'Shape of tensor input [2,3] is not compatible with expected shape [?,4]. [Op:EnsureShape]')),
 ('ensure_shape_rank', 'tf.ensure_shape(X, [2])',
  ('error', 'InvalidArgumentError',
   'Shape of tensor input [2,3] is not compatible with expected shape [2]. [Op:EnsureShape]')),
 ('in_top_k', 'tf.math.in_top_k([2, 0], [[0.1, 0.5, 0.9], [0.9, 0.05, 0.05]], 1)',
  ('ok', ('bool', (2,), [True, True]))),
 ('in_top_k_ties', 'tf.math.in_top_k([1, 2], [[0.5, 0.5, 0.1], [0.5, 0.5, 0.5]], 1)',
  ('ok', ('bool', (2,), [True, True]))),
 ('in_top_k_nonfinite', 'tf.math.in_top_k([1, 5], [[np.nan, 0.5, 0.1], [0.5, 0.5, 0.1]], 2)',
  ('ok', ('bool', (2,), [False, False]))),
 ('in_top_k_float_targets', 'tf.math.in_top_k([0.], [[1., 0.5, 0.1]], 2)',
  ('error', 'InvalidArgumentError',
   "Value for attr 'T' of float is not in the list of allowed values: int32, int64")),
 ('in_top_k_rows', 'tf.math.in_top_k([0, 1], [[1., 0.5, 0.1]], 2)',
  ('error', 'InvalidArgumentError',
   'First dimension of predictions 1 must match length of targets 2 [Op:InTopKV2]')),
 ('bitwise_and', 'tf.bitwise.bitwise_and(tf.constant([5, 3]), 6)', ('ok', ('int32', (2,), [4, 2]))),
 ('bitwise_or_uint8', 'tf.bitwise.bitwise_or(tf.constant([5, 3], tf.uint8), 6)',
  ('ok', ('uint8', (2,), [7, 7]))),
 ('bitwise_xor',
  'tf.bitwise.bitwise_xor(tf.constant([5, 3], tf.int64), tf.constant([1, 1], tf.int64))',
  ('ok', ('int64', (2,), [4, 2]))),
 ('invert', 'tf.bitwise.invert(tf.constant([5, 0]))', ('ok', ('int32', (2,), [-6, -1]))),
 ('invert_uint8', 'tf.bitwise.invert(tf.constant([5, 0], tf.uint8))',
  ('ok', ('uint8', (2,), [250, 255]))),
 ('left_shift', 'tf.bitwise.left_shift(tf.constant([1, 3, 1]), [2, 40, -1])',
  ('ok', ('int32', (3,), [4, -2147483648, 1]))),
 ('right_shift', 'tf.bitwise.right_shift(tf.constant([-16, 16, -16]), [2, 40, -1])',
  ('ok', ('int32', (3,), [-4, 0, -16]))),
 ('bitwise_float', 'tf.bitwise.bitwise_and(tf.constant([5.]), 6.)',
  ('error', 'InvalidArgumentError',
   "Value for attr 'T' of float is not in the list of allowed values: int8, int16, int32, int64, "
   'uint8, uint16, uint32, uint64')),
 ('bitwise_mismatch', 'tf.bitwise.bitwise_and(tf.constant([5]), tf.constant([5], tf.int64))',
  ('error', 'InvalidArgumentError',
   'cannot compute BitwiseAnd as input #1(zero-based) was expected to be a int32 tensor but is a '
   'int64 tensor [Op:BitwiseAnd]')),
 ('operator_and', 'tf.constant([5, 3]) & 6', ('ok', ('int32', (2,), [4, 2]))),
 ('operator_invert', '~tf.constant([5, 3])', ('ok', ('int32', (2,), [-6, -4]))),
 ('operator_rxor', '6 ^ tf.constant([5, 3])', ('ok', ('int32', (2,), [3, 5]))),
 ('getitem_ellipsis', 'P[0, ..., 1]', ('ok', ('int32', (3,), [1, 5, 9]))),
 ('getitem_negative_step', 'P[..., ::-2]',
  ('ok', ('int32', (2, 3, 2), [[[3, 1], [7, 5], [11, 9]], [[15, 13], [19, 17], [23, 21]]]))),
 ('getitem_newaxis_tensor', 'P[tf.newaxis, 1, tf.constant(2)]',
  ('ok', ('int32', (1, 4), [[20, 21, 22, 23]]))),
 ('getitem_list_is_tuple', 'P[[0, 1]]', ('ok', ('int32', (4,), [4, 5, 6, 7]))),
 ('getitem_bool_tensor', 'P[tf.constant([True, False])]',
  ('ok', ('int32', (1, 3, 4), [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]]))),
 ('getitem_numpy_bool', 'P[np.array([True, False])]',
  ('ok', ('int32', (1, 3, 4), [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]]))),
 ('getitem_int64_tensor', 'P[tf.constant(1, tf.int64)]',
  ('ok', ('int32', (3, 4), [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]))),
 ('getitem_slice_tensors', 'P[tf.constant(0):tf.constant(1)]',
  ('ok', ('int32', (1, 3, 4), [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]]))),
 ('getitem_past_end', 'P[10:20]', ('ok', ('int32', (0, 3, 4), []))),
 ('getitem_negative_steps_clamped', 'P[:, 5:-10:-2, -1]',
  ('ok', ('int32', (2, 2), [[11, 3], [23, 15]]))),
 ('getitem_scalar_ellipsis', 'tf.constant(5)[...]', ('ok', ('int32', (), 5))),
 ('getitem_scalar_newaxis', 'tf.constant(5)[None]', ('ok', ('int32', (1,), [5]))),
 ('getitem_bool_in_tuple', 'tf.constant([[1, 2], [3, 4]])[0, True]', ('ok', ('int32', (), 2))),
 ('getitem_int_vector', 'P[tf.constant([0, 1])]',
  ('error', 'TypeError',
   'Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar '
   'tf.int32/tf.int64 tensors are valid indices, got <tf.Tensor: shape=(2,), dtype=int32, '
   'numpy=array([0, 1], dtype=int32)>')),
 ('getitem_numpy_vector', 'P[np.array([0, 1])]',
  ('error', 'TypeError',
   'Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar '
   'tf.int32/tf.int64 tensors are valid indices, got array([0, 1])')),
 ('getitem_bool_scalar', 'P[True]', ('error', 'ValueError', 'mask cannot be scalar.')),
 ('getitem_oob', 'P[0, 5]',
  ('error', 'InvalidArgumentError',
   'slice index 5 of dimension 1 out of bounds. [Op:StridedSlice]')),
 ('getitem_negative_oob', 'P[-3]',
  ('error', 'InvalidArgumentError',
   'slice index -1 of dimension 0 out of bounds. [Op:StridedSlice]')),
 ('getitem_too_many', 'P[0, 0, 0, 0]',
  ('error', 'InvalidArgumentError',
   'Index out of range using input dim 3; input has only 3 dims [Op:StridedSlice]')),
 ('getitem_two_ellipses', 'P[..., ...]',
  ('error', 'InvalidArgumentError',
   'Multiple ellipses in slice spec not allowed [Op:StridedSlice]')),
 ('getitem_float', 'P[1.0]',
  ('error', 'TypeError',
   'Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar '
   'tf.int32/tf.int64 tensors are valid indices, got 1.0')),
 ('getitem_float_tensor', 'P[tf.constant(1.0)]',
  ('error', 'TypeError',
   'Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar '
   'tf.int32/tf.int64 tensors are valid indices, got <tf.Tensor: shape=(), dtype=float32, '
   'numpy=1.0>')),
 ('getitem_zero_step', 'P[:, None, ::0]',
  ('error', 'InvalidArgumentError', 'strides[1] must be non-zero [Op:StridedSlice]')),
 ('getitem_scalar', 'tf.constant(5)[0]',
  ('error', 'InvalidArgumentError', 'Attempting to slice scalar input. [Op:StridedSlice]')),
 ('getitem_string', "P['a']",
  ('error', 'TypeError',
   'Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar '
   "tf.int32/tf.int64 tensors are valid indices, got 'a'")),
 ('slice_to_end', 'tf.slice(tf.range(5), [1], [-1])', ('ok', ('int32', (4,), [1, 2, 3, 4]))),
 ('slice_oob', 'tf.slice(tf.range(5), [1], [7])',
  ('error', 'InvalidArgumentError', 'Expected size[0] in [0, 4], but got 7 [Op:Slice]')),
 ('grad_top_k', 'grad(lambda x: tf.math.top_k(x, 2).values, V)',
  ('ok', ('seq', [('float32', (2, 4), [[1.0, 0.0, 2.0, 0.0], [0.0, 3.0, 0.0, 4.0]])]))),
 ('grad_sort_descending', "grad(lambda x: tf.sort(x, direction='DESCENDING'), V)",
  ('ok', ('seq', [('float32', (2, 4), [[1.0, 3.0, 2.0, 4.0], [7.0, 5.0, 8.0, 6.0]])]))),
 ('grad_segment_max_ties',
  'grad(lambda x: tf.math.segment_max(tf.reshape(x, [-1]), [0, 0, 0, 1, 1, 1, 1, 2]), V2)',
  ('ok', ('seq', [('float32', (2, 4), [[0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 2.0, 3.0]])]))),
 ('grad_unsorted_segment_max',
  'grad(lambda x: tf.math.unsorted_segment_max(tf.reshape(x, [-1]), [0, 0, 0, 1, 1, 1, 1, -1], 2), '
  'V2)',
  ('ok', ('seq', [('float32', (2, 4), [[0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 2.0, 0.0]])]))),
 ('grad_segment_mean',
  'grad(lambda x: tf.math.segment_mean(tf.reshape(x, [-1]), [0, 0, 0, 1, 1, 1, 1, 2]), V2)',
  ('ok',
   ('seq',
    [('float32', (2, 4),
      [[0.3333333432674408, 0.3333333432674408, 0.3333333432674408, 0.5],
       [0.5, 0.5, 0.5, 3.0]])]))),
 ('grad_segment_prod_zero',
  'grad(lambda x: tf.math.segment_prod(tf.reshape(x, [-1]), [0, 0, 0, 1, 1, 1, 1, 2]), V2)',
  ('ok', ('seq', [('float32', (2, 4), [[9.0, 3.0, 3.0, -0.0], [-20.0, 0.0, -0.0, 3.0]])]))),
 ('grad_unsorted_segment_sqrt_n',
  'grad(lambda x: tf.math.unsorted_segment_sqrt_n(tf.reshape(x, [-1]), [0, 0, 0, 1, 1, 1, 2, -1], '
  '4), V2)',
  ('ok',
   ('seq',
    [('float32', (2, 4),
      [[0.5773502588272095, 0.5773502588272095, 0.5773502588272095, 1.154700517654419],
       [1.154700517654419, 1.154700517654419, 3.0, 0.0]])]))),
 ('grad_tensor_scatter_update',
  'grad(lambda t, u: tf.tensor_scatter_nd_update(t, [[0, 1], [0, 1], [1, 2]], u), V2, U)',
  ('ok',
   ('seq',
    [('float32', (2, 4), [[1.0, 0.0, 3.0, 4.0], [5.0, 6.0, 0.0, 8.0]]),
     ('float32', (3,), [2.0, 2.0, 7.0])]))),
 ('grad_tensor_scatter_max',
  'grad(lambda t, u: tf.tensor_scatter_nd_max(t, [[0, 1], [0, 1], [1, 2]], u), V2, U)',
  ('ok',
   ('seq',
    [('float32', (2, 4), [[1.0, 0.0, 3.0, 4.0], [5.0, 6.0, 0.0, 8.0]]),
     ('float32', (3,), [0.0, 2.0, 7.0])]))),
 ('grad_tensor_scatter_max_tie',
  'grad(lambda t: tf.tensor_scatter_nd_max(t, [[0, 1], [0, 1], [1, 2]], [3., 3., 5.]), V2)',
  ('ok',
   ('seq', [('float32', (2, 4), [[1.0, 0.6666666865348816, 3.0, 4.0], [5.0, 6.0, 3.5, 8.0]])]))),
 ('grad_gather_nd_batch', 'grad(lambda x: tf.gather_nd(x, [[1], [3]], batch_dims=1), V2)',
  ('ok', ('seq', [('float32', (2, 4), [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 2.0]])]))),
 ('grad_pad_reflect', "grad(lambda x: tf.pad(x, [[1, 1], [2, 3]], 'REFLECT'), V2)",
  ('ok', ('seq', [('float32', (2, 4), [[96.0, 136.0, 134.0, 48.0], [60.0, 82.0, 80.0, 30.0]])]))),
 ('grad_pad_symmetric', "grad(lambda x: tf.pad(x, [[2, 1], [3, 4]], 'SYMMETRIC'), V2)",
  ('ok',
   ('seq', [('float32', (2, 4), [[135.0, 133.0, 131.0, 96.0], [285.0, 282.0, 279.0, 199.0]])]))),
 ('grad_tile', 'grad(lambda x: tf.tile(x, [2, 3]), V2)',
  ('ok',
   ('seq', [('float32', (2, 4), [[102.0, 108.0, 114.0, 120.0], [174.0, 180.0, 186.0, 192.0]])]))),
 ('grad_boolean_mask', 'grad(lambda x: tf.boolean_mask(x, tf.one_hot([1, 3], 4)), V2)',
  ('ok', ('seq', [('float32', (2, 4), [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 2.0]])]))),
 ('grad_repeat', 'grad(lambda x: tf.repeat(x, [1, 0, 2, 3], axis=1), V2)',
  ('ok', ('seq', [('float32', (2, 4), [[1.0, 0.0, 5.0, 15.0], [7.0, 0.0, 17.0, 33.0]])]))),
 ('grad_roll', 'grad(lambda x: tf.roll(x, [1, -1], [0, 1]), V2)',
  ('ok', ('seq', [('float32', (2, 4), [[8.0, 5.0, 6.0, 7.0], [4.0, 1.0, 2.0, 3.0]])]))),
 ('grad_clip_by_norm', 'grad(lambda x, c: tf.clip_by_norm(x, c), V2, np.float32(2.))',
  ('ok',
   ('seq',
    [('float32', (2, 4),
      [[-0.05969473719596863, -0.4115794897079468, -0.17908424139022827, 0.34560108184814453],
       [1.1624764204025269, 1.6871616840362549, 0.16651678085327148, 0.39901208877563477]]),
     ('float32', (), 10.811030387878418)]))),
 ('grad_clip_by_norm_zero', 'grad(lambda x: tf.clip_by_norm(x * 0, 1.), V2)',
  ('ok', ('seq', [('float32', (2, 4), [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])]))),
 ('grad_clip_by_global_norm', 'grad(lambda x, u: tf.clip_by_global_norm([x, u], 4.)[0], V2, U)',
  ('ok',
   ('seq',
    [('float32', (2, 4),
      [[0.0849393904209137, -0.040065765380859375, 0.2548181414604187, 0.7596465945243835],
       [1.4744195938110352, 1.9792479276657104, 1.0144647359848022, 1.309348702430725]]),
     ('float32', (3,), [-0.7548386454582214, -0.6698993444442749, -0.5849599242210388])]))),
 ('grad_global_norm', 'grad(lambda x, u: tf.linalg.global_norm([x, u]), V2, U)',
  ('ok',
   ('seq',
    [('float32', (2, 4),
      [[0.07372097671031952, 0.22116293013095856, 0.22116293013095856, 0.14744195342063904],
       [0.0, -0.07372097671031952, 0.3686048984527588, 0.3686048984527588]]),
     ('float32', (3,), [0.3686048984527588, 0.4423258602619171, 0.5160468220710754])]))),
 ('grad_linspace', 'grad(lambda a, b: tf.linspace(a, b, 4, axis=1), U, U * 2)',
  ('ok',
   ('seq',
    [('float32', (3,), [3.3333332538604736, 11.333333969116211, 19.333332061767578]),
     ('float32', (3,), [6.6666669845581055, 14.666666030883789, 22.666667938232422])]))),
 ('grad_getitem', 'grad(lambda x: x[::-1, tf.newaxis, 1:], V2)',
  ('ok', ('seq', [('float32', (2, 4), [[0.0, 4.0, 5.0, 6.0], [0.0, 1.0, 2.0, 3.0]])]))),
 ('grad_unstack', 'grad(lambda x: tf.unstack(x, axis=1)[1:3], V2)',
  ('ok', ('seq', [('float32', (2, 4), [[0.0, 1.0, 1.0, 0.0], [0.0, 2.0, 2.0, 0.0]])]))),
 ('grad_split', 'grad(lambda x: tf.split(x, [1, -1], axis=1), V2)',
  ('ok', ('seq', [('float32', (2, 4), [[1.0, 1.0, 2.0, 3.0], [2.0, 4.0, 5.0, 6.0]])])))]


def _check(got, want, where):
    if want is None:
        assert got is None, where
        return
    if want[0] == "seq":
        assert isinstance(got, (list, tuple)), f"{where}: expected a sequence"
        assert len(got) == len(want[1]), f"{where}: length"
        for i, (g, w) in enumerate(zip(got, want[1])):
            _check(g, w, f"{where}[{i}]")
        return
    dtype, shape, values = want
    assert got.dtype.name == dtype, f"{where}: dtype {got.dtype.name}, TF gives {dtype}"
    assert tuple(got.shape) == tuple(shape), f"{where}: shape {got.shape}, TF gives {shape}"
    a = got.numpy()
    if dtype == "string":
        assert [v.decode() for v in np.ravel(a).tolist()] == values, where
    elif np.dtype(dtype).kind == "f":
        np.testing.assert_allclose(a, np.array(values, dtype=dtype).reshape(shape), rtol=2e-6,
                                   atol=1e-6,
                                   equal_nan=True, err_msg=where)
    else:
        np.testing.assert_array_equal(a, np.array(values, dtype=dtype).reshape(shape),
                                      err_msg=where)


@pytest.mark.parametrize("label,code,want", CASES, ids=[c[0] for c in CASES])
def test_matches_tensorflow(label, code, want):
    env = {"tf": tf, "np": np, "X": X, "P": P, "V": V, "V2": V2, "U": U, "grad": grad}
    if want[0] == "ok":
        _check(eval(code, env), want[1], label)
        return
    _, kind, message = want
    with pytest.raises(Exception) as info:
        eval(code, env)
    assert type(info.value).__name__ == kind, f"{label}: {type(info.value).__name__}: {info.value}"
    assert message.split(" [Op:")[0] in str(info.value), f"{label}: {info.value}"


# --- behaviour beyond single calls ----------------------------------------------------------------
def test_variable_slices_are_snapshots():
    v = nanotf.Variable([1.0, 2.0, 3.0])
    head, one = v[0:2], v[1]
    v.assign_add([10.0, 10.0, 10.0])
    assert head.numpy().tolist() == [1.0, 2.0] and float(one) == 2.0


def test_top_k_and_unique_are_named_tuples():
    r = tf.math.top_k(V, 2)
    assert type(r).__name__ == "TopKV2" and r._fields == ("values", "indices")
    assert tf.unique(tf.constant([1]))._fields == ("y", "idx")
    assert tf.unique_with_counts(tf.constant([1]))._fields == ("y", "idx", "count")


def test_split_gradient_with_unused_piece():
    x = tf.constant([[1.0, 2.0, 3.0]])
    with nanotf.GradientTape() as tape:
        tape.watch(x)
        a, _ = tf.split(x, [1, 2], axis=1)
        y = tf.reduce_sum(a * 3.0)
    assert tape.gradient(y, x).numpy().tolist() == [[3.0, 0.0, 0.0]]


def test_second_order_through_gather_nd_and_top_k():
    x = tf.constant([1.0, 4.0, 2.0])
    with nanotf.GradientTape() as outer:
        outer.watch(x)
        with nanotf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.math.top_k(x * x, 2).values)
        g = inner.gradient(y, x)
    assert g.numpy().tolist() == [0.0, 8.0, 4.0]
    assert outer.gradient(g, x).numpy().tolist() == [0.0, 2.0, 2.0]


def test_nondifferentiable_ops_give_none():
    x = tf.constant([3.0, 1.0, 2.0])
    with nanotf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        outs = [tf.argsort(x), tf.unique(x).idx, tf.searchsorted(x, x),
                tf.math.bincount([0, 1, 1], weights=x)]
    for o in outs:
        assert tape.gradient(o, x) is None


def test_large_batched_searchsorted_matches_numpy():
    rng = np.random.default_rng(0)
    seq = np.sort(rng.normal(size=(50, 9)), axis=1)
    vals = rng.normal(size=(50, 4))
    vals[:, 0] = seq[:, 3]  # exact ties exercise the side rule
    for side in ("left", "right"):
        got = tf.searchsorted(seq, vals, side=side).numpy()
        want = np.stack([np.searchsorted(s, v, side=side) for s, v in zip(seq, vals)])
        np.testing.assert_array_equal(got, want)
