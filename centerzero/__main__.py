"""``python -m centerzero``: the blog post's example, a 10x10 array of 6s with its centre zeroed."""

import numpy as np


def main():
    from centerzero import CenterZero

    x = np.full((10, 10), 6)
    print("CenterZero(size=2) on a 10x10 array of 6s:")
    print(np.asarray(CenterZero(size=2)(x)))


if __name__ == "__main__":
    main()
