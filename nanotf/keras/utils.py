"""`tf.keras.utils`: `to_categorical`, `Progbar`, `get_file`, seeding and custom-object helpers."""

from nanotf._src.keras.backend import set_random_seed as set_random_seed
from nanotf._src.keras.data_utils import get_file as get_file
from nanotf._src.keras.functional_config import deserialize_layer as deserialize_keras_object  # noqa: F401
from nanotf._src.keras.functional_config import serialize_layer as serialize_keras_object  # noqa: F401
from nanotf._src.keras.np_utils import normalize as normalize
from nanotf._src.keras.np_utils import to_categorical as to_categorical
from nanotf._src.keras.progbar import Progbar as Progbar
from nanotf._src.keras.serialization import CustomObjectScope as CustomObjectScope
from nanotf._src.keras.serialization import custom_object_scope as custom_object_scope
from nanotf._src.keras.serialization import get_custom_objects as get_custom_objects
from nanotf._src.keras.serialization import get_registered_name as get_registered_name
from nanotf._src.keras.serialization import get_registered_object as get_registered_object
from nanotf._src.keras.serialization import (
    register_keras_serializable as register_keras_serializable,
)
