"""Merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot."""

from __future__ import annotations

from nanotf._src import ops
from nanotf._src.keras.layer import Layer
from nanotf._src.tensor import Tensor


class _Merge(Layer):
    """Combines a list of tensors elementwise (shapes must broadcast)."""

    _min_inputs = 2

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check(self, inputs) -> list:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"A merge layer should be called on a list of inputs. Received: "
                             f"inputs={inputs} (not a list of tensors)")
        if len(inputs) < self._min_inputs:
            raise ValueError(f"A merge layer should be called on a list of at least "
                             f"{self._min_inputs} inputs. Got {len(inputs)} inputs. Full input_"
                             f"shape received: {[tuple(x.shape.as_list()) for x in inputs]}")
        return list(inputs)

    def build(self, input_shape) -> None:
        self._check(input_shape)
        shapes = [s.as_list() if hasattr(s, "as_list") else list(s) for s in input_shape]
        out = shapes[0][1:]
        for s in shapes[1:]:
            out = self._broadcast(out, s[1:], shapes)
        self.built = True

    def _broadcast(self, a, b, shapes):
        if len(a) < len(b):
            a, b = b, a
        b = [1] * (len(a) - len(b)) + list(b)
        res = []
        for x, y in zip(a, b):
            if x is None or y is None:
                res.append(None)
            elif x != y and 1 not in (x, y):
                raise ValueError(f"Inputs have incompatible shapes. Received shapes "
                                 f"{tuple(shapes[0])} and {tuple(shapes[1])}")
            else:
                res.append(max(x, y))
        return res

    def compute_mask(self, inputs, mask=None):
        if mask is None or not isinstance(mask, (list, tuple)):
            return None
        present = [m for m in mask if m is not None]
        if not present:
            return None
        out = present[0]
        for m in present[1:]:
            out = ops.logical_and(out, m)
        return out

    def call(self, inputs):
        inputs = self._check(inputs)
        out = inputs[0]
        for x in inputs[1:]:
            out = self._merge(out, x)
        return self._finish(out, len(inputs))

    def _finish(self, out, n: int):
        return out


class Add(_Merge):
    """Sums a list of tensors: `Add()([a, b])`."""

    def _merge(self, a, b):
        return a + b


class Subtract(_Merge):
    """`a - b` for exactly two inputs."""

    def _check(self, inputs) -> list:
        inputs = super()._check(inputs)
        if len(inputs) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={inputs}")
        return inputs

    def _merge(self, a, b):
        return a - b


class Multiply(_Merge):
    """Elementwise product of a list of tensors."""

    def _merge(self, a, b):
        return a * b


class Average(_Merge):
    """Elementwise mean of a list of tensors."""

    def _merge(self, a, b):
        return a + b

    def _finish(self, out, n: int):
        return out / n


class Maximum(_Merge):
    """Elementwise maximum of a list of tensors."""

    def _merge(self, a, b):
        return ops.maximum(a, b)


class Minimum(_Merge):
    """Elementwise minimum of a list of tensors."""

    def _merge(self, a, b):
        return ops.minimum(a, b)


class Concatenate(_Merge):
    """Concatenates a list of tensors along `axis` (default -1)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape) -> None:
        self._check(input_shape)
        shapes = [s.as_list() if hasattr(s, "as_list") else list(s) for s in input_shape]
        ranks = {len(s) for s in shapes}
        ok = len(ranks) == 1
        if ok:
            rank = ranks.pop()
            axis = self.axis % rank
            for i in range(rank):
                dims = {s[i] for s in shapes if s[i] is not None}
                if i != axis and len(dims) > 1:
                    ok = False
        if not ok:
            raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except "
                             f"for the concatenation axis. Received: input_shape="
                             f"{[tuple(s) for s in shapes]}")
        self.built = True

    def call(self, inputs):
        return ops.concat(self._check(inputs), axis=self.axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Dot product of two tensors along `axes` (optionally of L2-normalized inputs)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes = axes if isinstance(axes, int) else tuple(axes)
        self.normalize = normalize

    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs):
        a, b = self._check(inputs)
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else self.axes
        axes = [ax % x.shape.rank for ax, x in zip(axes, (a, b))]
        if self.normalize:
            a = ops.l2_normalize(a, axis=axes[0])
            b = ops.l2_normalize(b, axis=axes[1])
        if a.shape.rank == 2 and b.shape.rank == 2:
            return ops.reduce_sum(a * b if axes == [1, 1] else a * b, axis=1, keepdims=True)
        a = a if axes[0] == a.shape.rank - 1 else ops.matrix_transpose(a)
        b = b if axes[1] == b.shape.rank - 2 else ops.matrix_transpose(b)
        return ops.matmul(a, b)

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _apply(cls, inputs, **kwargs) -> Tensor:
    return cls(**kwargs)(inputs)


def add(inputs, **kwargs):
    """Functional form of `Add`."""
    return _apply(Add, inputs, **kwargs)


def subtract(inputs, **kwargs):
    """Functional form of `Subtract`."""
    return _apply(Subtract, inputs, **kwargs)


def multiply(inputs, **kwargs):
    """Functional form of `Multiply`."""
    return _apply(Multiply, inputs, **kwargs)


def average(inputs, **kwargs):
    """Functional form of `Average`."""
    return _apply(Average, inputs, **kwargs)


def maximum(inputs, **kwargs):
    """Functional form of `Maximum`."""
    return _apply(Maximum, inputs, **kwargs)


def minimum(inputs, **kwargs):
    """Functional form of `Minimum`."""
    return _apply(Minimum, inputs, **kwargs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`."""
    return _apply(Concatenate, inputs, axis=axis, **kwargs)


def dot(inputs, axes, normalize=False, **kwargs):
    """Functional form of `Dot`."""
    return _apply(Dot, inputs, axes=axes, normalize=normalize, **kwargs)


__all__ = [
    "Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply", "Subtract", "add",
    "average", "concatenate", "dot", "maximum", "minimum", "multiply", "subtract",
]
