"""`InputSpec` and the input check that every built layer runs on each call.

The errors match Keras 2's text: `Input 0 of layer "dense" is incompatible with the layer: ...`.
"""

from __future__ import annotations

from nanotf._src import dtypes, nest
from nanotf._src.tensor_shape import TensorShape


class InputSpec:
    """What a layer accepts: dtype, shape, rank bounds and fixed axis sizes.

    Args:
      dtype: expected dtype name.
      shape: expected shape (None dims are free).
      ndim, max_ndim, min_ndim: expected rank, or its bounds.
      axes: `{axis: size}` that must hold.
      allow_last_axis_squeeze: accept a shape whose trailing 1 is missing or extra.
      name: input name (for dict inputs).

    Example:
      >>> tf.keras.layers.InputSpec(min_ndim=2, axes={-1: 4})
      InputSpec(min_ndim=2, axes={-1: 4})
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze: bool = False, name=None):
        self.dtype = dtypes.as_dtype(dtype).name if dtype is not None else None
        shape = TensorShape(shape) if shape is not None else None
        if shape is not None and shape.rank is not None:
            self.ndim = shape.rank
            self.shape = tuple(shape.as_list())
        else:
            self.ndim = ndim
            self.shape = None
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.name = name
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            axes = axes or {}
            self.axes = {int(k): v for k, v in axes.items()}
        except (ValueError, TypeError):
            raise TypeError(f"Argument `axes` must be a dict with integer keys. Received: "
                            f"axes={axes}") from None
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            max_dim = (self.ndim if self.ndim is not None else self.max_ndim) - 1
            if max(self.axes) > max_dim:
                raise ValueError(f"Axis {max(self.axes)} is greater than the maximum allowed "
                                 f"value: {max_dim}")

    def __repr__(self) -> str:
        spec = [("dtype=" + str(self.dtype)) if self.dtype else "",
                ("shape=" + str(self.shape)) if self.shape else "",
                ("ndim=" + str(self.ndim)) if self.ndim else "",
                ("max_ndim=" + str(self.max_ndim)) if self.max_ndim else "",
                ("min_ndim=" + str(self.min_ndim)) if self.min_ndim else "",
                ("axes=" + str(self.axes)) if self.axes else ""]
        return f"InputSpec({', '.join(x for x in spec if x)})"

    def get_config(self) -> dict:
        """The constructor arguments."""
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}

    @classmethod
    def from_config(cls, config: dict) -> InputSpec:
        """Rebuilds a spec from `get_config()` output."""
        return cls(**config)


def _shape_of(x) -> TensorShape:
    shape = getattr(x, "shape", None)
    return TensorShape(shape) if shape is not None else TensorShape(None)


def _text(shape: TensorShape) -> str:
    return str(tuple(shape.as_list())) if shape.rank is not None else "<unknown>"


def assert_input_compatibility(input_spec, inputs, layer_name: str) -> None:
    """Raises ValueError naming the layer when `inputs` do not satisfy `input_spec`."""
    if not input_spec:
        return
    specs = nest.flatten(input_spec)
    if isinstance(inputs, dict) and any(s.name for s in specs if s is not None):
        inputs = [inputs.get(s.name) for s in specs]
    flat = nest.flatten(inputs)
    if len(flat) != len(specs):
        raise ValueError(f'Layer "{layer_name}" expects {len(specs)} input(s), but it received '
                         f"{len(flat)} input tensors. Inputs received: {flat}")
    for i, (x, spec) in enumerate(zip(flat, specs)):
        if spec is not None:
            _check_one(i, x, spec, layer_name)


def _check_one(i: int, x, spec: InputSpec, layer_name: str) -> None:
    shape = _shape_of(x)
    head = f'Input {i} of layer "{layer_name}" is incompatible with the layer:'
    if shape.rank is None:
        return
    ndim = shape.rank
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
        raise ValueError(f"{head} expected ndim={spec.ndim}, found ndim={ndim}. Full shape "
                         f"received: {_text(shape)}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(f"{head} expected max_ndim={spec.max_ndim}, found ndim={ndim}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(f"{head} expected min_ndim={spec.min_ndim}, found ndim={ndim}. Full "
                         f"shape received: {_text(shape)}")
    if spec.dtype is not None:
        dt = getattr(x, "dtype", None)
        if dt is not None and dtypes.as_dtype(dt).name != spec.dtype:
            raise ValueError(f"{head} expected dtype={spec.dtype}, found "
                             f"dtype={dtypes.as_dtype(dt).name}")
    dims = shape.as_list()
    for axis, value in spec.axes.items():
        if value is not None and -ndim <= axis < ndim and dims[axis] not in (value, None):
            raise ValueError(f"{head} expected axis {axis} of input shape to have value "
                             f"{value}, but received input with shape {_text(shape)}")
    if spec.shape is not None:
        want = list(spec.shape)
        if spec.allow_last_axis_squeeze:
            if dims and dims[-1] == 1:
                dims = dims[:-1]
            if want and want[-1] == 1:
                want = want[:-1]
        bad = len(dims) != len(want) or any(
            w is not None and d is not None and w != d for w, d in zip(want, dims))
        if bad:
            raise ValueError(f"{head} expected shape={spec.shape}, found shape={_text(shape)}")
