"""Installs Tensor's Python operators (`+`, `@`, `==`, ...) in terms of ops."""

from __future__ import annotations

from nanotf._src import errors
from nanotf._src.backend import np
from nanotf._src.dispatch import Primitive, bind
from nanotf._src.ops import linalg as la
from nanotf._src.ops import math as m
from nanotf._src.tensor import Tensor, constant, convert_to_tensor

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)  # builtin dtypes: `is` compares them


def _binary(fn):
    """(op, rop) for an operator: `x op y` is `fn(x, y)`; in `y op x` the Python `y` must
    convert to the tensor's dtype (TypeError otherwise), as TF's r_binary_op_wrapper."""
    def op(self, other):
        return fn(self, other)

    if isinstance(fn, Primitive) and fn.kind == "binary":
        def rop(self, other):  # the converted operand has self's dtype: bind without re-checks
            if type(other) is float:  # `0.5 * x`: what convert_to_tensor gives, without its calls
                npd = self._v.dtype
                if npd is _F32 or npd is _F64:
                    c = Tensor.__new__(Tensor)
                    c._v = np.asarray(other, npd)
                    return bind(fn, c, self)
            return bind(fn, convert_to_tensor(other, dtype=self.dtype), self)
    else:
        def rop(self, other):
            return fn(convert_to_tensor(other, dtype=self.dtype), self)

    return op, rop


def _compare(fn, other_shape_result):
    def op(self, other):
        """TF 2 (in)equality: elementwise; a constant result when shapes do not broadcast."""
        if other is None:
            return other_shape_result
        if not isinstance(other, Tensor):
            other = convert_to_tensor(other, dtype=self.dtype)
        try:
            return fn(self, other)
        except errors.InvalidArgumentError:
            if self.dtype != other.dtype:  # no promotion: a dtype mix is an error, as in TF
                raise
            return constant(other_shape_result)

    return op


def _bitwise(logical, bitwise_name):
    def op(self, other):
        if self.dtype.is_bool:
            return logical(self, other)
        from nanotf._src.ops import bitwise

        return getattr(bitwise, bitwise_name)(self, other)

    def rop(self, other):
        if self.dtype.is_bool:
            return logical(other, self)
        from nanotf._src.ops import bitwise

        return getattr(bitwise, bitwise_name)(other, self)

    return op, rop


def _invert(self):
    if self.dtype.is_bool:
        return m.logical_not(self)
    from nanotf._src.ops import bitwise

    return bitwise.invert(self)


def install() -> None:
    T = Tensor
    T.__add__, T.__radd__ = _binary(m.add)
    T.__sub__, T.__rsub__ = _binary(m.subtract)
    T.__mul__, T.__rmul__ = _binary(m.multiply)
    T.__truediv__, T.__rtruediv__ = _binary(m.truediv)
    T.__floordiv__, T.__rfloordiv__ = _binary(m.floordiv)
    T.__mod__, T.__rmod__ = _binary(m.floormod)
    T.__pow__, T.__rpow__ = _binary(m.pow)
    T.__matmul__, T.__rmatmul__ = _binary(la.matmul)
    T.__lt__, _ = _binary(m.less)
    T.__le__, _ = _binary(m.less_equal)
    T.__gt__, _ = _binary(m.greater)
    T.__ge__, _ = _binary(m.greater_equal)
    T.__and__, T.__rand__ = _bitwise(m.logical_and, "bitwise_and")
    T.__or__, T.__ror__ = _bitwise(m.logical_or, "bitwise_or")
    T.__xor__, T.__rxor__ = _bitwise(m.logical_xor, "bitwise_xor")
    T.__invert__ = _invert
    T.__eq__ = _compare(m.equal, False)
    T.__ne__ = _compare(m.not_equal, True)
    T.__neg__ = lambda self: m.negative(self)
    T.__abs__ = lambda self: m.abs(self)
    T.__pos__ = lambda self: self


install()
