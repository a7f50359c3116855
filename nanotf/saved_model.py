"""`tf.saved_model`."""

from nanotf._src.saved_model import LoadOptions as LoadOptions
from nanotf._src.saved_model import SaveOptions as SaveOptions
from nanotf._src.saved_model import contains_saved_model as contains_saved_model
from nanotf._src.saved_model import load as load
from nanotf._src.saved_model import save as save
