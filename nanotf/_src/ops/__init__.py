"""The internal ops namespace: every op under its TF name (what keras and the facades import).

Importing it installs Tensor's Python operators, as TF's math_ops does.
"""

from __future__ import annotations

from nanotf._src.ops import operators as _operators  # noqa: F401  (installs the dunders)

# isort: off
# Order matters where two families define a name: the later one wins (linalg's global_norm over
# clipping's, nn's in_top_k over sorting's). math re-exports arithmetic, elementary and reduction.
from nanotf._src.ops.array import *  # noqa: F401,F403
from nanotf._src.ops.clipping import *  # noqa: F401,F403
from nanotf._src.ops.creation import *  # noqa: F401,F403
from nanotf._src.ops.indexing import *  # noqa: F401,F403
from nanotf._src.ops.movement import *  # noqa: F401,F403
from nanotf._src.ops.scatter import *  # noqa: F401,F403
from nanotf._src.ops.segment import *  # noqa: F401,F403
from nanotf._src.ops.sorting import *  # noqa: F401,F403
from nanotf._src.ops.linalg import *  # noqa: F401,F403
from nanotf._src.ops.matrix import *  # noqa: F401,F403
from nanotf._src.ops.decompositions import *  # noqa: F401,F403
from nanotf._src.ops.arithmetic import *  # noqa: F401,F403
from nanotf._src.ops.elementary import *  # noqa: F401,F403
from nanotf._src.ops.reduction import *  # noqa: F401,F403
from nanotf._src.ops.math import *  # noqa: F401,F403
from nanotf._src.ops.nn import *  # noqa: F401,F403
# isort: on
