"""`tf.keras.metrics` (also `tf.metrics`): metric objects and metric functions."""

from nanotf._src.keras.confusion_metrics import AUC as AUC
from nanotf._src.keras.confusion_metrics import Precision as Precision
from nanotf._src.keras.confusion_metrics import Recall as Recall
from nanotf._src.keras.metrics import KLD as KLD
from nanotf._src.keras.metrics import MAE as MAE
from nanotf._src.keras.metrics import MAPE as MAPE
from nanotf._src.keras.metrics import MSE as MSE
from nanotf._src.keras.metrics import MSLE as MSLE
from nanotf._src.keras.metrics import Accuracy as Accuracy
from nanotf._src.keras.metrics import BinaryAccuracy as BinaryAccuracy
from nanotf._src.keras.metrics import BinaryCrossentropy as BinaryCrossentropy
from nanotf._src.keras.metrics import CategoricalAccuracy as CategoricalAccuracy
from nanotf._src.keras.metrics import CategoricalCrossentropy as CategoricalCrossentropy
from nanotf._src.keras.metrics import CategoricalHinge as CategoricalHinge
from nanotf._src.keras.metrics import CosineSimilarity as CosineSimilarity
from nanotf._src.keras.metrics import Hinge as Hinge
from nanotf._src.keras.metrics import KLDivergence as KLDivergence
from nanotf._src.keras.metrics import LogCoshError as LogCoshError
from nanotf._src.keras.metrics import Mean as Mean
from nanotf._src.keras.metrics import MeanAbsoluteError as MeanAbsoluteError
from nanotf._src.keras.metrics import MeanAbsolutePercentageError as MeanAbsolutePercentageError
from nanotf._src.keras.metrics import MeanMetricWrapper as MeanMetricWrapper
from nanotf._src.keras.metrics import MeanSquaredError as MeanSquaredError
from nanotf._src.keras.metrics import MeanSquaredLogarithmicError as MeanSquaredLogarithmicError
from nanotf._src.keras.metrics import Metric as Metric
from nanotf._src.keras.metrics import Poisson as Poisson
from nanotf._src.keras.metrics import RootMeanSquaredError as RootMeanSquaredError
from nanotf._src.keras.metrics import SparseCategoricalAccuracy as SparseCategoricalAccuracy
from nanotf._src.keras.metrics import SparseCategoricalCrossentropy as SparseCategoricalCrossentropy
from nanotf._src.keras.metrics import SparseTopKCategoricalAccuracy as SparseTopKCategoricalAccuracy
from nanotf._src.keras.metrics import SquaredHinge as SquaredHinge
from nanotf._src.keras.metrics import Sum as Sum
from nanotf._src.keras.metrics import TopKCategoricalAccuracy as TopKCategoricalAccuracy
from nanotf._src.keras.metrics import accuracy as accuracy
from nanotf._src.keras.metrics import binary_accuracy as binary_accuracy
from nanotf._src.keras.metrics import binary_crossentropy as binary_crossentropy
from nanotf._src.keras.metrics import categorical_accuracy as categorical_accuracy
from nanotf._src.keras.metrics import categorical_crossentropy as categorical_crossentropy
from nanotf._src.keras.metrics import categorical_hinge as categorical_hinge
from nanotf._src.keras.metrics import deserialize as deserialize
from nanotf._src.keras.metrics import get as get
from nanotf._src.keras.metrics import hinge as hinge
from nanotf._src.keras.metrics import kl_divergence as kl_divergence
from nanotf._src.keras.metrics import kld as kld
from nanotf._src.keras.metrics import kullback_leibler_divergence as kullback_leibler_divergence
from nanotf._src.keras.metrics import log_cosh as log_cosh
from nanotf._src.keras.metrics import logcosh as logcosh
from nanotf._src.keras.metrics import mae as mae
from nanotf._src.keras.metrics import mape as mape
from nanotf._src.keras.metrics import mean_absolute_error as mean_absolute_error
from nanotf._src.keras.metrics import (
    mean_absolute_percentage_error as mean_absolute_percentage_error,
)
from nanotf._src.keras.metrics import mean_squared_error as mean_squared_error
from nanotf._src.keras.metrics import (
    mean_squared_logarithmic_error as mean_squared_logarithmic_error,
)
from nanotf._src.keras.metrics import mse as mse
from nanotf._src.keras.metrics import msle as msle
from nanotf._src.keras.metrics import poisson as poisson
from nanotf._src.keras.metrics import serialize as serialize
from nanotf._src.keras.metrics import sparse_categorical_accuracy as sparse_categorical_accuracy
from nanotf._src.keras.metrics import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from nanotf._src.keras.metrics import (
    sparse_top_k_categorical_accuracy as sparse_top_k_categorical_accuracy,
)
from nanotf._src.keras.metrics import squared_hinge as squared_hinge
from nanotf._src.keras.metrics import top_k_categorical_accuracy as top_k_categorical_accuracy
