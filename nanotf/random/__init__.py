"""`tf.random`."""

from nanotf._src.ops.random import Generator as Generator
from nanotf._src.ops.random import categorical as categorical
from nanotf._src.ops.random import gamma as gamma
from nanotf._src.ops.random import get_global_generator as get_global_generator
from nanotf._src.ops.random import normal as normal
from nanotf._src.ops.random import poisson as poisson
from nanotf._src.ops.random import set_global_generator as set_global_generator
from nanotf._src.ops.random import set_seed as set_seed
from nanotf._src.ops.random import shuffle as shuffle
from nanotf._src.ops.random import stateless_normal as stateless_normal
from nanotf._src.ops.random import stateless_truncated_normal as stateless_truncated_normal
from nanotf._src.ops.random import stateless_uniform as stateless_uniform
from nanotf._src.ops.random import truncated_normal as truncated_normal
from nanotf._src.ops.random import uniform as uniform
