"""`tf.compat`: `v1` (TF1 graph mode), `v2` (an alias of `nanotf`) and text helpers."""

from nanotf._src.compat_lazy import as_bytes as as_bytes
from nanotf._src.compat_lazy import as_str as as_str
from nanotf._src.compat_lazy import as_text as as_text
from nanotf._src.compat_lazy import compat_getattr as __getattr__  # noqa: F401
from nanotf._src.compat_lazy import forward_compatible as forward_compatible
from nanotf._src.compat_lazy import path_to_str as path_to_str
