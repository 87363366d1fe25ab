"""Repository-wide pytest set-up: quiet TensorFlow logging before anything imports it."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
