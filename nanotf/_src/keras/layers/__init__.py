"""All Keras layer classes (what `tf.keras.layers` re-exports), plus `serialize` / `deserialize`."""

from nanotf._src.keras.functional import Input, InputLayer, TFOpLambda  # noqa: F401
from nanotf._src.keras.functional_config import deserialize_layer as deserialize  # noqa: F401
from nanotf._src.keras.functional_config import serialize_layer as serialize  # noqa: F401
from nanotf._src.keras.input_spec import InputSpec  # noqa: F401
from nanotf._src.keras.layer import Layer  # noqa: F401
from nanotf._src.keras.layers.conv import *  # noqa: F401,F403
from nanotf._src.keras.layers.core import *  # noqa: F401,F403
from nanotf._src.keras.layers.merging import *  # noqa: F401,F403
from nanotf._src.keras.layers.normalization import *  # noqa: F401,F403
from nanotf._src.keras.layers.pooling import *  # noqa: F401,F403
from nanotf._src.keras.layers.recurrent import *  # noqa: F401,F403
from nanotf._src.keras.layers.regularization import *  # noqa: F401,F403
from nanotf._src.keras.layers.reshaping import *  # noqa: F401,F403
from nanotf._src.keras.layers.wrappers import *  # noqa: F401,F403
