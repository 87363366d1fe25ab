"""The blog post's own example: a 10x10 array of 6s with its central 2x2 block zeroed."""

import numpy as np

from centerzero import CenterZero


def test_blog_example_zeroes_the_central_2x2_block_of_a_10x10_array_of_sixes():
    out = np.asarray(CenterZero(size=2)(np.full((10, 10), 6)))

    # Written out from the blog's printed output, rows 4 and 5 with zeros at columns 4 and 5.
    expected = np.full((10, 10), 6)
    expected[4, 4] = expected[4, 5] = expected[5, 4] = expected[5, 5] = 0
    assert out.dtype == np.int64
    assert (out == expected).all(), out


def test_blog_example_in_float32_keeps_every_six_and_writes_positive_zeros():
    out = np.asarray(CenterZero()(np.full((1, 10, 10), 6.0, np.float32)))[0]

    assert np.count_nonzero(out == 6.0) == 96
    assert not np.signbit(out[4:6, 4:6]).any()
    assert (out[4:6, 4:6] == 0).all()
