"""`tf.keras.optimizers` (also `tf.optimizers`): Keras 2 (OptimizerV2) optimizers."""

from nanotf._src.keras.optimizers import SGD as SGD
from nanotf._src.keras.optimizers import Adadelta as Adadelta
from nanotf._src.keras.optimizers import Adagrad as Adagrad
from nanotf._src.keras.optimizers import Adam as Adam
from nanotf._src.keras.optimizers import Adamax as Adamax
from nanotf._src.keras.optimizers import AdamW as AdamW
from nanotf._src.keras.optimizers import Ftrl as Ftrl
from nanotf._src.keras.optimizers import Nadam as Nadam
from nanotf._src.keras.optimizers import Optimizer as Optimizer
from nanotf._src.keras.optimizers import RMSprop as RMSprop
from nanotf._src.keras.optimizers import deserialize as deserialize
from nanotf._src.keras.optimizers import get as get
from nanotf._src.keras.optimizers import serialize as serialize
from nanotf.keras.optimizers import legacy as legacy
from nanotf.keras.optimizers import schedules as schedules
