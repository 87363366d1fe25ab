"""Contract 1.2: where the window lies, on every axis convention."""

import numpy as np
import pytest
import tensorflow as tf

from centerzero import CenterZero, window
from tensorflow import keras  # the Keras tf.keras is: Keras 3, Keras 2.15 or tf_keras


def zeroed_positions(layer, shape):
    """Where the layer writes zeros into an input with no zeros of its own."""
    x = np.arange(1, np.prod(shape) + 1, dtype=np.float64).reshape(shape)
    return np.asarray(layer(x)) == 0


# (n, k) -> [start, stop), worked out by hand from start = (n - k) // 2.
@pytest.mark.parametrize(
    "n, k, expected",
    [(10, 2, (4, 6)), (5, 2, (1, 3)), (5, 3, (1, 4)), (4, 3, (0, 3)), (7, 7, (0, 7)), (1, 1, (0, 1)), (6, 0, (3, 3)),
     (3, 0, (1, 1))],
)
def test_window_rule(n, k, expected):
    assert window(n, k) == expected
    rows = zeroed_positions(CenterZero(size=(k, n)), (n, n)).any(axis=1)
    assert rows.nonzero()[0].tolist() == list(range(*expected))


@pytest.mark.parametrize("h, w, kh, kw", [(10, 10, 2, 2), (7, 9, 3, 4), (8, 5, 5, 2), (6, 6, 1, 5), (1, 64, 1, 63)])
def test_window_is_the_region_keras_center_crop_keeps(h, w, kh, kw):
    # A cross-check against a layer nobody here wrote: CenterCrop keeps exactly the window.
    x = np.arange(h * w, dtype=np.float32).reshape(1, h, w, 1) + 1
    kept = np.asarray(keras.layers.CenterCrop(kh, kw)(x)).ravel()
    zeroed = zeroed_positions(CenterZero(size=(kh, kw), axes=(-3, -2)), (1, h, w, 1))
    assert sorted(x[zeroed].tolist()) == sorted(kept.tolist())


def test_kh_applies_to_the_first_axis_and_kw_to_the_second():
    zeroed = zeroed_positions(CenterZero(size=(3, 1)), (5, 5))
    assert zeroed.sum(axis=0).max() == 3 and zeroed.sum(axis=1).max() == 1
    transposed = zeroed_positions(CenterZero(size=(3, 1), axes=(-1, -2)), (5, 5))
    assert (transposed == zeroed.T).all()


def test_size_zero_on_either_axis_is_the_identity():
    for size in [0, (0, 3), (3, 0)]:
        assert not zeroed_positions(CenterZero(size=size), (2, 5, 5)).any()


def test_a_window_equal_to_the_map_zeroes_everything():
    assert zeroed_positions(CenterZero(size=(4, 6)), (3, 4, 6)).all()


@pytest.mark.parametrize(
    "shape, axes, map_index",
    [
        ((4, 4), (-2, -1), (slice(None), slice(None))),
        ((2, 6, 6), (-2, -1), (0, slice(None), slice(None))),
        ((2, 3, 6, 6), (-2, -1), (1, 2, slice(None), slice(None))),  # channels first
        ((2, 6, 6, 3), (-3, -2), (1, slice(None), slice(None), 2)),  # channels last
        ((2, 6, 6, 3), (1, 2), (0, slice(None), slice(None), 1)),  # positive axes
        ((6, 2, 6), (0, 2), (slice(None), 1, slice(None))),  # axes not adjacent
        ((1, 2, 1, 2, 6, 6), (-2, -1), (0, 1, 0, 1, slice(None), slice(None))),  # rank 6
    ],
)
def test_every_map_of_every_layout_gets_the_same_window(shape, axes, map_index):
    zeroed = zeroed_positions(CenterZero(size=2, axes=axes), shape)
    one_map = zeroed[map_index]
    expected = np.zeros(one_map.shape, bool)
    expected[(one_map.shape[0] - 2) // 2 :][:2, (one_map.shape[1] - 2) // 2 :][:, :2] = True
    assert (one_map == expected).all()
    assert zeroed.sum() == 4 * np.prod(shape) // (shape[axes[0]] * shape[axes[1]])


def test_zero_length_batch_axis_works_and_keeps_its_shape():
    out = CenterZero()(tf.zeros((0, 5, 5)))
    assert out.shape == (0, 5, 5)
