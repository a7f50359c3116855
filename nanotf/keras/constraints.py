"""`tf.keras.constraints`: weight constraints applied after optimizer updates."""

from nanotf._src.keras.constraints import Constraint as Constraint
from nanotf._src.keras.constraints import MaxNorm as MaxNorm
from nanotf._src.keras.constraints import MinMaxNorm as MinMaxNorm
from nanotf._src.keras.constraints import NonNeg as NonNeg
from nanotf._src.keras.constraints import RadialConstraint as RadialConstraint
from nanotf._src.keras.constraints import UnitNorm as UnitNorm
from nanotf._src.keras.constraints import deserialize as deserialize
from nanotf._src.keras.constraints import get as get
from nanotf._src.keras.constraints import max_norm as max_norm
from nanotf._src.keras.constraints import min_max_norm as min_max_norm
from nanotf._src.keras.constraints import non_neg as non_neg
from nanotf._src.keras.constraints import radial_constraint as radial_constraint
from nanotf._src.keras.constraints import serialize as serialize
from nanotf._src.keras.constraints import unit_norm as unit_norm
