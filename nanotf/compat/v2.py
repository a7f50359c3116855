"""`tf.compat.v2`: the TF 2 API, i.e. `nanotf` itself (every name resolves to nanotf's)."""

from nanotf._src.compat_lazy import v2_getattr as __getattr__  # noqa: F401
