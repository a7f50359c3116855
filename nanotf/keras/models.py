"""`tf.keras.models`: model classes, saving and loading, cloning."""

from nanotf._src.keras.functional import Functional as Functional
from nanotf._src.keras.functional_config import clone_model as clone_model
from nanotf._src.keras.functional_config import model_from_config as model_from_config
from nanotf._src.keras.functional_config import model_from_json as model_from_json
from nanotf._src.keras.model import Model as Model
from nanotf._src.keras.saving import load_model as load_model
from nanotf._src.keras.saving import save_model as save_model
from nanotf._src.keras.sequential import Sequential as Sequential
