"""Normalization layers: BatchNormalization (batch statistics in training, moving averages in
inference) and LayerNormalization."""

from __future__ import annotations

from nanotf._src import ops
from nanotf._src.keras import constraints, initializers, regularizers
from nanotf._src.keras.input_spec import InputSpec
from nanotf._src.keras.layer import Layer
from nanotf._src.tensor_shape import TensorShape


def _ser(obj, module):
    return None if obj is None else module.serialize(obj)


def _axes(axis, rank: int, name: str) -> list:
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError(f"Invalid axis. Expected 0 <= axis < inputs.rank (with inputs.rank="
                             f"{rank}). Received: {name}.axis={axis}")
        out.append(a % rank)
    if len(set(out)) != len(out):
        raise ValueError(f"Duplicate axis: {axis}")
    return sorted(out)


class _Norm(Layer):
    """Shared arguments of the normalization layers (axis, epsilon, gamma and beta)."""

    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                 **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.epsilon, self.center, self.scale = epsilon, center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def _build_params(self, input_shape, param_shape) -> None:
        self.gamma = self.add_weight("gamma", shape=param_shape,
                                     initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight("beta", shape=param_shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None

    def _broadcast(self, v, rank: int):
        """`v` (shape `(C,)` for one axis) reshaped to broadcast against the inputs."""
        if v is None or len(self.axis) > 1 or self.axis == [rank - 1]:
            return v
        shape = [1] * rank
        shape[self.axis[0]] = self._dims[self.axis[0]]
        return ops.reshape(v, shape)

    def _param_shape(self, dims) -> list:
        if len(self.axis) == 1:
            return [dims[self.axis[0]]]
        return [dims[i] if i in self.axis else 1 for i in range(len(dims))]

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": _ser(self.beta_initializer, initializers),
                "gamma_initializer": _ser(self.gamma_initializer, initializers),
                "beta_regularizer": _ser(self.beta_regularizer, regularizers),
                "gamma_regularizer": _ser(self.gamma_regularizer, regularizers),
                "beta_constraint": _ser(self.beta_constraint, constraints),
                "gamma_constraint": _ser(self.gamma_constraint, constraints)}


class BatchNormalization(_Norm):
    """Normalizes with batch statistics in training and moving averages in inference.

    Args:
      axis: the feature axis (default -1).
      momentum: the moving-average momentum (0.99).
      epsilon: added to the variance (1e-3).
      center, scale: learn `beta` / `gamma`.

    A frozen layer (`trainable = False`) always runs in inference mode, as in TF 2.

    Example:
      >>> bn = tf.keras.layers.BatchNormalization()
      >>> bn(tf.ones([4, 3]), training=True).shape
      TensorShape([4, 3])
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **kwargs):
        for k in ("renorm", "renorm_clipping", "renorm_momentum", "fused", "virtual_batch_size",
                  "adjustment", "trainable_moving_stats"):
            kwargs.pop(k, None)
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        self.momentum = momentum
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape) -> None:
        dims = TensorShape(input_shape).as_list()
        rank = len(dims)
        self.axis = _axes(self.axis, rank, "BatchNormalization")
        for a in self.axis:
            if dims[a] is None:
                raise ValueError(f"Axis {a} of input tensor should have a defined dimension but "
                                 f"the layer received an input with shape {tuple(dims)}.")
        self._dims = dims
        self.input_spec = InputSpec(ndim=rank, axes={a: dims[a] for a in self.axis})
        shape = self._param_shape(dims)
        self._build_params(input_shape, shape)
        self.moving_mean = self.add_weight("moving_mean", shape=shape,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape=shape,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        # TF's fused kernel (4-D/5-D, channel axis first or last) updates the moving variance
        # with the unbiased batch variance; the generic path uses the biased one.
        self._bessel = rank in (4, 5) and self.axis in ([1], [rank - 1])
        self.built = True

    def call(self, inputs, training=None):
        rank = inputs.shape.rank
        if inputs.dtype._np != self._compute_np:
            inputs = ops.cast(inputs, self._compute_np)
        gamma, beta = self._broadcast(self.gamma, rank), self._broadcast(self.beta, rank)
        if training and self.trainable:
            reduce = [i for i in range(rank) if i not in self.axis]
            mean, var = ops.moments(inputs, reduce, keepdims=True)
            out = ops.batch_normalization(inputs, mean, var, beta, gamma, self.epsilon)
            if not hasattr(inputs, "_keras_history"):  # not while inferring Keras shapes
                self._update(mean, var, inputs, reduce)
            return out
        mean = self._broadcast(self.moving_mean, rank)
        var = self._broadcast(self.moving_variance, rank)
        return ops.batch_normalization(inputs, mean, var, beta, gamma, self.epsilon)

    def _update(self, mean, var, inputs, reduce) -> None:
        var = ops.reshape(var, self.moving_variance.shape.as_list())
        mean = ops.reshape(mean, self.moving_mean.shape.as_list())
        if self._bessel:
            n = 1
            for i in reduce:
                n *= inputs.shape[i]
            if n > 1:
                var = var * (n / (n - 1.0))
        decay = 1.0 - self.momentum
        with _no_tape():
            self.moving_mean.assign_sub((self.moving_mean - mean) * decay)
            self.moving_variance.assign_sub((self.moving_variance - var) * decay)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"momentum": self.momentum,
                       "moving_mean_initializer": _ser(self.moving_mean_initializer,
                                                       initializers),
                       "moving_variance_initializer": _ser(self.moving_variance_initializer,
                                                           initializers)})
        keys = ["name", "trainable", "dtype", "axis", "momentum", "epsilon", "center", "scale",
                "beta_initializer", "gamma_initializer", "moving_mean_initializer",
                "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
                "beta_constraint", "gamma_constraint"]
        return {k: config[k] for k in keys if k in config} | {
            k: v for k, v in config.items() if k not in keys}


def _no_tape():
    from nanotf._src.tape import stop_recording

    return stop_recording()


class LayerNormalization(_Norm):
    """Normalizes each sample over `axis` (default the last), then scales and shifts.

    Example:
      >>> tf.keras.layers.LayerNormalization()(tf.constant([[1., 2., 3.]])).numpy().round(3)
      array([[-1.224,  0.   ,  1.224]], dtype=float32)
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)

    def build(self, input_shape) -> None:
        dims = TensorShape(input_shape).as_list()
        self.axis = _axes(self.axis, len(dims), "LayerNormalization")
        self._dims = dims
        self._build_params(input_shape, [dims[a] for a in self.axis])
        self.built = True

    def call(self, inputs):
        rank = inputs.shape.rank
        if inputs.dtype._np != self._compute_np:
            inputs = ops.cast(inputs, self._compute_np)
        mean, var = ops.moments(inputs, self.axis, keepdims=True)
        return ops.batch_normalization(inputs, mean, var, self._param(self.beta, rank),
                                       self._param(self.gamma, rank), self.epsilon)

    def _param(self, v, rank: int):
        if v is None or self.axis == list(range(rank - len(self.axis), rank)):
            return v
        shape = [1] * rank
        for a in self.axis:
            shape[a] = self._dims[a]
        return ops.reshape(v, shape)


__all__ = [
    "BatchNormalization", "LayerNormalization",
]
