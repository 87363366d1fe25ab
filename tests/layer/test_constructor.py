"""Contract 1.1: the constructor's arguments and its errors."""

import numpy as np
import pytest

from centerzero import CenterZero


@pytest.mark.parametrize(
    "size, expected",
    [(2, (2, 2)), (0, (0, 0)), ((3, 1), (3, 1)), ([0, 4], (0, 4)), (np.int64(5), (5, 5))],
)
def test_size_accepts_an_int_or_a_pair(size, expected):
    assert CenterZero(size=size).size == expected


@pytest.mark.parametrize("axes", [(-2, -1), (-3, -2), (0, 1), (1, -1), [2, 0], (-1, -2)])
def test_axes_accepts_a_pair_of_distinct_ints(axes):
    assert CenterZero(axes=axes).axes == tuple(axes)


def test_defaults_are_size_2_and_the_last_two_axes():
    layer = CenterZero()
    assert layer.size == (2, 2) and layer.axes == (-2, -1)


@pytest.mark.parametrize(
    "kwargs, names",
    [
        ({"size": True}, ["size", "True"]),
        ({"size": np.bool_(True)}, ["size", "True"]),
        ({"size": 2.0}, ["size", "2.0"]),
        ({"size": -1}, ["size", "-1"]),
        ({"size": (2, -3)}, ["size", "-3"]),
        ({"size": (2,)}, ["size", "(2,)"]),
        ({"size": (1, 2, 3)}, ["size", "(1, 2, 3)"]),
        ({"size": "2"}, ["size", "'2'"]),
        ({"size": None}, ["size", "None"]),
        ({"size": (2, 1.5)}, ["size", "1.5"]),
        ({"axes": (1, 1)}, ["axes", "(1, 1)"]),
        ({"axes": (-1,)}, ["axes", "(-1,)"]),
        ({"axes": (0, 1, 2)}, ["axes", "(0, 1, 2)"]),
        ({"axes": -1}, ["axes", "-1"]),
        ({"axes": (0.0, 1)}, ["axes", "0.0"]),
        ({"axes": (True, 0)}, ["axes", "True"]),
        ({"axes": None}, ["axes", "None"]),
    ],
    ids=lambda v: repr(v) if not isinstance(v, list) else "",
)
def test_bad_arguments_raise_value_error_naming_argument_and_value(kwargs, names):
    with pytest.raises(ValueError) as info:
        CenterZero(**kwargs)
    for name in names:
        assert name in str(info.value), str(info.value)


def test_standard_keras_keyword_arguments_pass_through():
    layer = CenterZero(name="cz", dtype="float64", trainable=False)
    assert layer.name == "cz"
    assert layer.trainable is False
    assert layer.dtype == "float64"
