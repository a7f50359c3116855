"""`tf.config`: devices and runtime switches.

nanotf runs on one CPU device (plus one GPU when CuPy is installed); the threading, placement and
optimizer options are kept and reported back, so scripts that set them keep working.
"""

from __future__ import annotations

import collections
import types

from nanotf._src import backend
from nanotf._src.function import functions_run_eagerly, run_functions_eagerly  # noqa: F401

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])
LogicalDeviceConfiguration = collections.namedtuple(
    "LogicalDeviceConfiguration", ["memory_limit", "experimental_priority",
                                   "experimental_device_ordinal"], defaults=(None, None, 0))
VirtualDeviceConfiguration = LogicalDeviceConfiguration
PhysicalDevice.__doc__ = "A physical device: `name` like '/physical_device:CPU:0', `device_type`."
LogicalDevice.__doc__ = "A logical device: `name` like '/device:CPU:0', `device_type`."


class _State:
    visible = None  # None: all devices
    soft_placement = True
    inter_op = 0
    intra_op = 0
    jit = False
    determinism = False
    tf32 = True
    synchronous = True
    device_policy = "silent"
    memory_growth: dict = {}
    logical: dict = {}
    options = {"disable_model_pruning": False, "disable_meta_optimizer": False}


_state = _State()


def list_physical_devices(device_type=None) -> list:
    """The physical devices of `device_type` ('CPU', 'GPU' or None for all).

    Example:
      >>> tf.config.list_physical_devices()
      [PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]
    """
    devs = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    if backend.cupy_available():
        devs.append(PhysicalDevice("/physical_device:GPU:0", "GPU"))
    return [d for d in devs if device_type is None or d.device_type == str(device_type).upper()]


def list_logical_devices(device_type=None) -> list:
    """The logical devices (one per visible physical device)."""
    return [LogicalDevice(d.name.replace("/physical_device:", "/device:"), d.device_type)
            for d in get_visible_devices(device_type)]


def get_visible_devices(device_type=None) -> list:
    """The physical devices the runtime may use."""
    devs = list_physical_devices(device_type)
    if _state.visible is None:
        return devs
    return [d for d in devs if d in _state.visible or d.device_type == "CPU"]


def set_visible_devices(devices, device_type=None) -> None:
    """Restricts the devices the runtime may use (the CPU always stays visible)."""
    if isinstance(devices, PhysicalDevice):
        devices = [devices]
    _state.visible = list(devices)


def get_soft_device_placement() -> bool:
    """Whether ops fall back to a supported device."""
    return _state.soft_placement


def set_soft_device_placement(enabled: bool) -> None:
    """Sets soft device placement (kept, no effect)."""
    _state.soft_placement = bool(enabled)


def get_logical_device_configuration(device):
    """The logical device configuration set for `device`, or None."""
    return _state.logical.get(device)


def set_logical_device_configuration(device, logical_devices) -> None:
    """Records a logical device configuration (nanotf does not split devices)."""
    _state.logical[device] = logical_devices


def _setter(attr, doc):
    def fn(value) -> None:
        setattr(_state, attr, value)

    fn.__doc__ = doc
    return fn


def _getter(attr, doc):
    def fn():
        return getattr(_state, attr)

    fn.__doc__ = doc
    return fn


threading = types.ModuleType("nanotf.config.threading", "`tf.config.threading`.")
threading.get_inter_op_parallelism_threads = _getter(
    "inter_op", "Threads between independent ops (0: chosen by the system).")
threading.set_inter_op_parallelism_threads = _setter(
    "inter_op", "Sets the inter-op thread count (kept; NumPy decides).")
threading.get_intra_op_parallelism_threads = _getter(
    "intra_op", "Threads inside one op (0: chosen by the system).")


def _set_intra_op(value) -> None:
    """Sets how many threads one op may use (0: one per core); large convolutions and pooling
    split their batch over them."""
    _state.intra_op = int(value)
    backend.set_intra_op_threads(int(value))


threading.set_intra_op_parallelism_threads = _set_intra_op

optimizer = types.ModuleType("nanotf.config.optimizer", "`tf.config.optimizer`.")
optimizer.get_jit = _getter("jit", "Whether XLA JIT compilation is requested.")
optimizer.set_jit = _setter("jit", "Requests XLA JIT compilation (kept; no effect).")
optimizer.get_experimental_options = lambda: dict(_state.options)
optimizer.get_experimental_options.__doc__ = "The graph optimizer options."
optimizer.set_experimental_options = lambda options: _state.options.update(options)
optimizer.set_experimental_options.__doc__ = "Updates the graph optimizer options (kept)."


def _memory_growth_get(device) -> bool:
    """Whether memory growth is enabled for `device`."""
    return _state.memory_growth.get(device, False)


def _memory_growth_set(device, enable: bool) -> None:
    """Enables memory growth for `device` (kept; NumPy allocates on demand)."""
    _state.memory_growth[device] = bool(enable)


experimental = types.ModuleType("nanotf.config.experimental", "`tf.config.experimental`.")
for _name, _fn in {
    "list_physical_devices": list_physical_devices,
    "list_logical_devices": list_logical_devices,
    "get_visible_devices": get_visible_devices,
    "set_visible_devices": set_visible_devices,
    "get_memory_growth": _memory_growth_get,
    "set_memory_growth": _memory_growth_set,
    "get_device_details": lambda device: {},
    "get_memory_info": lambda device: {"current": 0, "peak": 0},
    "get_memory_usage": lambda device: 0,
    "reset_memory_stats": lambda device: None,
    "enable_op_determinism": lambda: setattr(_state, "determinism", True),
    "enable_tensor_float_32_execution": _setter("tf32", "Allows TF32 matmuls (kept)."),
    "tensor_float_32_execution_enabled": _getter("tf32", "Whether TF32 is allowed."),
    "get_device_policy": _getter("device_policy", "The device placement policy."),
    "set_device_policy": _setter("device_policy", "Sets the device policy (kept)."),
    "get_synchronous_execution": _getter("synchronous", "Whether execution is synchronous."),
    "set_synchronous_execution": _setter("synchronous", "Sets synchronous execution (kept)."),
    "get_virtual_device_configuration": get_logical_device_configuration,
    "set_virtual_device_configuration": set_logical_device_configuration,
    "enable_mlir_bridge": lambda: None,
    "disable_mlir_bridge": lambda: None,
    "VirtualDeviceConfiguration": VirtualDeviceConfiguration,
}.items():
    setattr(experimental, _name, _fn)


def experimental_run_functions_eagerly(run_eagerly: bool) -> None:
    """Deprecated alias of `run_functions_eagerly`."""
    run_functions_eagerly(run_eagerly)


def experimental_functions_run_eagerly() -> bool:
    """Deprecated alias of `functions_run_eagerly`."""
    return functions_run_eagerly()

