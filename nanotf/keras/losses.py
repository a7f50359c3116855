"""`tf.keras.losses` (also `tf.losses`): loss functions and `Loss` classes."""

from nanotf._src.keras.losses import KLD as KLD
from nanotf._src.keras.losses import MAE as MAE
from nanotf._src.keras.losses import MAPE as MAPE
from nanotf._src.keras.losses import MSE as MSE
from nanotf._src.keras.losses import MSLE as MSLE
from nanotf._src.keras.losses import BinaryCrossentropy as BinaryCrossentropy
from nanotf._src.keras.losses import CategoricalCrossentropy as CategoricalCrossentropy
from nanotf._src.keras.losses import CategoricalHinge as CategoricalHinge
from nanotf._src.keras.losses import CosineSimilarity as CosineSimilarity
from nanotf._src.keras.losses import Hinge as Hinge
from nanotf._src.keras.losses import Huber as Huber
from nanotf._src.keras.losses import KLDivergence as KLDivergence
from nanotf._src.keras.losses import LogCosh as LogCosh
from nanotf._src.keras.losses import Loss as Loss
from nanotf._src.keras.losses import MeanAbsoluteError as MeanAbsoluteError
from nanotf._src.keras.losses import MeanAbsolutePercentageError as MeanAbsolutePercentageError
from nanotf._src.keras.losses import MeanSquaredError as MeanSquaredError
from nanotf._src.keras.losses import MeanSquaredLogarithmicError as MeanSquaredLogarithmicError
from nanotf._src.keras.losses import Poisson as Poisson
from nanotf._src.keras.losses import Reduction as Reduction
from nanotf._src.keras.losses import SparseCategoricalCrossentropy as SparseCategoricalCrossentropy
from nanotf._src.keras.losses import SquaredHinge as SquaredHinge
from nanotf._src.keras.losses import binary_crossentropy as binary_crossentropy
from nanotf._src.keras.losses import categorical_crossentropy as categorical_crossentropy
from nanotf._src.keras.losses import categorical_hinge as categorical_hinge
from nanotf._src.keras.losses import cosine_similarity as cosine_similarity
from nanotf._src.keras.losses import deserialize as deserialize
from nanotf._src.keras.losses import get as get
from nanotf._src.keras.losses import hinge as hinge
from nanotf._src.keras.losses import huber as huber
from nanotf._src.keras.losses import kl_divergence as kl_divergence
from nanotf._src.keras.losses import kld as kld
from nanotf._src.keras.losses import kullback_leibler_divergence as kullback_leibler_divergence
from nanotf._src.keras.losses import log_cosh as log_cosh
from nanotf._src.keras.losses import logcosh as logcosh
from nanotf._src.keras.losses import mae as mae
from nanotf._src.keras.losses import mape as mape
from nanotf._src.keras.losses import mean_absolute_error as mean_absolute_error
from nanotf._src.keras.losses import (
    mean_absolute_percentage_error as mean_absolute_percentage_error,
)
from nanotf._src.keras.losses import mean_squared_error as mean_squared_error
from nanotf._src.keras.losses import (
    mean_squared_logarithmic_error as mean_squared_logarithmic_error,
)
from nanotf._src.keras.losses import mse as mse
from nanotf._src.keras.losses import msle as msle
from nanotf._src.keras.losses import poisson as poisson
from nanotf._src.keras.losses import serialize as serialize
from nanotf._src.keras.losses import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from nanotf._src.keras.losses import squared_hinge as squared_hinge
