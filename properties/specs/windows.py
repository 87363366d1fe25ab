"""The NumPy reference of contract 1.2: which elements CenterZero must zero.

Written from the contract's words with slices, independently of ``centerzero``'s own mask
construction (which ANDs broadcast vectors), so the two can disagree when one is wrong.
"""

import numpy as np


def center_window_zeroed(shape, size=2, axes=(-2, -1)):
    """A boolean array of ``shape``, True exactly inside the central window of every map.

    >>> center_window_zeroed((4, 5), size=2).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 1, 1, 0, 0],
           [0, 1, 1, 0, 0],
           [0, 0, 0, 0, 0]])
    """
    sizes = (size, size) if isinstance(size, int) else tuple(size)
    zeroed = np.zeros(shape, bool)
    index = [slice(None)] * len(shape)
    for axis, k in zip(axes, sizes):
        start = (shape[axis] - k) // 2
        index[axis] = slice(start, start + k)
    zeroed[tuple(index)] = True
    return zeroed


def center_window_expected(x, size=2, axes=(-2, -1)):
    """``x`` with ``+0`` written inside the window; every other element is a copy of ``x``'s."""
    x = np.asarray(x)
    expected = x.copy()
    expected[center_window_zeroed(x.shape, size, axes)] = np.zeros((), x.dtype)
    return expected
