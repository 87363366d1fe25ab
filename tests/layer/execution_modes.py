"""Ways to run a layer on one input (contract 1.6).

Each returns ``(seen, out)``: the input as the layer received it and the layer's output, as
NumPy arrays.  They differ only for ``model-predict``: Keras's ``predict`` loop itself quiets
float16 signalling NaNs (an identity model turns 0x7c01 into 0x7e01), so the layer is judged
against what the same pipeline delivers without it.
"""

import numpy as np
import tensorflow as tf

from tensorflow import keras  # the Keras tf.keras is: Keras 3, Keras 2.15 or tf_keras


def eager(layer, x):
    return np.asarray(x), np.asarray(layer(x))


def graph_static(layer, x):
    return np.asarray(x), np.asarray(tf.function(lambda t: layer(t))(x))


def graph_unknown_dims(layer, x):
    x = tf.convert_to_tensor(x)
    spec = tf.TensorSpec([None] * x.shape.rank, x.dtype)
    return np.asarray(x), np.asarray(tf.function(lambda t: layer(t), input_signature=[spec])(x))


def xla(layer, x):
    return np.asarray(x), np.asarray(tf.function(lambda t: layer(t), jit_compile=True)(x))


def model_predict(layer, x):
    x = np.asarray(x)
    inputs = keras.Input(shape=x.shape[1:], dtype=tf.as_dtype(x.dtype).name)
    model = keras.Model(inputs, [inputs, layer(inputs)])
    seen, out = model.predict(x, verbose=0)
    return np.asarray(seen), np.asarray(out)


GRAPH_MODES = {"graph": graph_static, "graph-unknown-dims": graph_unknown_dims}
ALL_MODES = {"eager": eager, **GRAPH_MODES, "xla": xla, "model-predict": model_predict}
