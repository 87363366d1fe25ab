"""Devices: the columns of ``devices-agree``, and the CPU split that gives a CPU-only machine two."""

import tensorflow as tf


def split_cpu_for_device_checks():
    """Make two logical CPUs out of one, so that ``devices-agree`` really compares devices on a
    CPU-only machine; True where the CPU is split.  Must run before TensorFlow initialises its
    devices; later it changes nothing (and says whether an earlier call split it)."""
    cpus = tf.config.list_physical_devices("CPU")
    try:
        if len(tf.config.get_logical_device_configuration(cpus[0]) or []) < 2:
            tf.config.set_logical_device_configuration(
                cpus[0], [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
            )
    except RuntimeError:
        pass  # devices already initialised: use whatever exists
    return len(tf.config.get_logical_device_configuration(cpus[0]) or []) >= 2


def devices():
    """Names of the logical CPU and GPU devices, the columns of ``devices-agree``."""
    return [d.name for d in tf.config.list_logical_devices() if d.device_type in ("CPU", "GPU")]
