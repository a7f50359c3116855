"""`tf.keras.callbacks`: hooks into `fit`, `evaluate` and `predict`."""

from nanotf._src.keras.callbacks import Callback as Callback
from nanotf._src.keras.callbacks import CallbackList as CallbackList
from nanotf._src.keras.callbacks import History as History
from nanotf._src.keras.callbacks import LambdaCallback as LambdaCallback
from nanotf._src.keras.callbacks import ProgbarLogger as ProgbarLogger
from nanotf._src.keras.callbacks import TerminateOnNaN as TerminateOnNaN
from nanotf._src.keras.monitor_callbacks import CSVLogger as CSVLogger
from nanotf._src.keras.monitor_callbacks import EarlyStopping as EarlyStopping
from nanotf._src.keras.monitor_callbacks import LearningRateScheduler as LearningRateScheduler
from nanotf._src.keras.monitor_callbacks import ModelCheckpoint as ModelCheckpoint
from nanotf._src.keras.monitor_callbacks import ReduceLROnPlateau as ReduceLROnPlateau
from nanotf._src.keras.tensorboard import TensorBoard as TensorBoard
