"""`tf.autograph`: nanotf runs Python control flow as-is (see `nanotf._src.autograph`)."""

from nanotf._src.autograph import do_not_convert as do_not_convert
from nanotf._src.autograph import experimental as experimental
from nanotf._src.autograph import set_verbosity as set_verbosity
from nanotf._src.autograph import to_graph as to_graph
