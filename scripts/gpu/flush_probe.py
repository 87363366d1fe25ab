"""Which comparisons flush subnormals, by device and mode: keras.layers.Masking (mask_value 0.0)
on one step of subnormal features, and ``tf.not_equal(x, 0)`` on a subnormal, for every float
and complex dtype, eagerly, in ``tf.function`` and under XLA, on each device.  A GPU run of
keras-masking found a complex64 step of subnormals kept on the GPU, where the CPU masks it.

    python scripts/gpu/flush_probe.py
"""

import ml_dtypes
import numpy as np
import tensorflow as tf

from centerzero._keras import keras
from properties.core.dtypes import numpy_dtype

DTYPES = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128")


def subnormal_step(name):
    dtype = numpy_dtype(name)
    part = np.dtype(dtype.char.lower()) if dtype.kind == "c" else dtype  # complex64 -> float32
    tiny = -float(ml_dtypes.finfo(part).smallest_subnormal) * 3
    x = np.full((1, 2, 2), tiny, part)
    return (x + 1j * x).astype(dtype) if dtype.kind == "c" else x


def main():
    layer = keras.layers.Masking(mask_value=0.0)
    calls = {"eager": (layer, tf.math.not_equal),  # each mode's Masking and not_equal, made once
             "graph": (tf.function(layer), tf.function(tf.math.not_equal)),
             "xla": (tf.function(layer, jit_compile=True), tf.function(tf.math.not_equal, jit_compile=True))}
    devices = [d.name for d in tf.config.list_logical_devices() if d.device_type in ("CPU", "GPU")]
    print("step of subnormals, mask_value 0.0: M = masked (zeroed, the comparison flushed), K = kept;"
          " then not_equal(subnormal, 0): F = False (flushed), T = True")
    for device in devices:
        for name in DTYPES:
            x = subnormal_step(name)
            row = []
            for mode, (masking, not_equal) in calls.items():
                try:
                    with tf.device(device):
                        t = tf.constant(x)
                        out = np.asarray(masking(t))
                        ne = not_equal(t, tf.zeros([], t.dtype))
                    row.append(f"{mode} {'M' if not out.any() else 'K'}{'T' if bool(np.asarray(ne).all()) else 'F'}")
                except Exception as e:  # noqa: BLE001 - a probe reports every error
                    row.append(f"{mode} {type(e).__name__}")
            print(f"  {device.split('device:')[-1]:6} {name:10} " + "  ".join(row), flush=True)


if __name__ == "__main__":
    main()
