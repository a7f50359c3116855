"""Installs Tensor's Python operators (`+`, `@`, `==`, ...) in terms of ops."""

from __future__ import annotations

from nanotf._src import errors
from nanotf._src.ops import linalg as la
from nanotf._src.ops import math as m
from nanotf._src.tensor import Tensor


def _binary(fn):
    def op(self, other):
        return fn(self, other)

    def rop(self, other):
        return fn(other, self)

    return op, rop


def _eq(self, other):
    """TF 2 equality: elementwise; False for None or shapes that do not broadcast."""
    if other is None:
        return False
    try:
        return m.equal(self, other)
    except errors.InvalidArgumentError:
        return _false()


def _ne(self, other):
    if other is None:
        return True
    try:
        return m.not_equal(self, other)
    except errors.InvalidArgumentError:
        return _true()


def _false():
    from nanotf._src.tensor import constant

    return constant(False)


def _true():
    from nanotf._src.tensor import constant

    return constant(True)


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
    T.__eq__ = _eq
    T.__ne__ = _ne
    T.__neg__ = lambda self: m.negative(self)
    T.__abs__ = lambda self: m.abs(self)
    T.__pos__ = lambda self: self


install()
