"""`tf.config`: devices, threading and runtime switches."""

from nanotf._src.config import LogicalDevice as LogicalDevice
from nanotf._src.config import LogicalDeviceConfiguration as LogicalDeviceConfiguration
from nanotf._src.config import PhysicalDevice as PhysicalDevice
from nanotf._src.config import experimental as experimental
from nanotf._src.config import (
    experimental_functions_run_eagerly as experimental_functions_run_eagerly,
)
from nanotf._src.config import (
    experimental_run_functions_eagerly as experimental_run_functions_eagerly,
)
from nanotf._src.config import functions_run_eagerly as functions_run_eagerly
from nanotf._src.config import (
    get_logical_device_configuration as get_logical_device_configuration,
)
from nanotf._src.config import get_soft_device_placement as get_soft_device_placement
from nanotf._src.config import get_visible_devices as get_visible_devices
from nanotf._src.config import list_logical_devices as list_logical_devices
from nanotf._src.config import list_physical_devices as list_physical_devices
from nanotf._src.config import optimizer as optimizer
from nanotf._src.config import run_functions_eagerly as run_functions_eagerly
from nanotf._src.config import (
    set_logical_device_configuration as set_logical_device_configuration,
)
from nanotf._src.config import set_soft_device_placement as set_soft_device_placement
from nanotf._src.config import set_visible_devices as set_visible_devices
from nanotf._src.config import threading as threading
