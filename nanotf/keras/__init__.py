"""`tf.keras`: Keras 2 (TF <= 2.10 behaviour) on nanotf.

Example:
  >>> model = tf.keras.Sequential([tf.keras.layers.Dense(10)])"""

from nanotf._src.keras.functional import Input as Input
from nanotf._src.keras.model import Model as Model
from nanotf._src.keras.saving import KERAS_VERSION as __version__  # noqa: F401
from nanotf._src.keras.sequential import Sequential as Sequential
from nanotf.keras import activations as activations
from nanotf.keras import backend as backend
from nanotf.keras import callbacks as callbacks
from nanotf.keras import constraints as constraints
from nanotf.keras import datasets as datasets
from nanotf.keras import initializers as initializers
from nanotf.keras import layers as layers
from nanotf.keras import losses as losses
from nanotf.keras import metrics as metrics
from nanotf.keras import models as models
from nanotf.keras import optimizers as optimizers
from nanotf.keras import regularizers as regularizers
from nanotf.keras import utils as utils
