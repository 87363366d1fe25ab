"""centerzero: a Keras layer that zeroes the central window of each 2-D map, bit-exactly."""

from centerzero.center_zero import CenterZero
from centerzero.ops import SUPPORTED_DTYPES, center_zero, window

__all__ = ["CenterZero", "center_zero", "window", "SUPPORTED_DTYPES"]
__version__ = "0.1.0"
