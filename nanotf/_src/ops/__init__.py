"""The internal ops namespace: every op under its TF name (what keras and the facades import).

Importing it installs Tensor's Python operators, as TF's math_ops does.
"""

from __future__ import annotations

from nanotf._src.ops import operators as _operators  # noqa: F401  (installs the dunders)
from nanotf._src.ops.array import *  # noqa: F401,F403
from nanotf._src.ops.linalg import *  # noqa: F401,F403
from nanotf._src.ops.math import *  # noqa: F401,F403
from nanotf._src.ops.nn import *  # noqa: F401,F403
