"""`tf.keras.optimizers.schedules`: learning-rate schedules."""

from nanotf._src.keras.optimizer_schedules import CosineDecay as CosineDecay
from nanotf._src.keras.optimizer_schedules import CosineDecayRestarts as CosineDecayRestarts
from nanotf._src.keras.optimizer_schedules import ExponentialDecay as ExponentialDecay
from nanotf._src.keras.optimizer_schedules import InverseTimeDecay as InverseTimeDecay
from nanotf._src.keras.optimizer_schedules import LearningRateSchedule as LearningRateSchedule
from nanotf._src.keras.optimizer_schedules import PiecewiseConstantDecay as PiecewiseConstantDecay
from nanotf._src.keras.optimizer_schedules import PolynomialDecay as PolynomialDecay
from nanotf._src.keras.optimizer_schedules import deserialize as deserialize
from nanotf._src.keras.optimizer_schedules import serialize as serialize
