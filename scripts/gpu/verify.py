"""``python -m properties verify`` under profile ``gpu``: ``quick`` without Hypothesis's shrink
phase.  On a lent GPU, with minutes of device time, a failure's first counterexample is enough;
shrinking one through XLA compilations on the GPU took the whole budget.

    python scripts/gpu/verify.py SPEC [verify's options but --profile]
"""

import sys

from hypothesis import Phase, settings

from properties.core import profiles
from properties.__main__ import main

profiles.PROFILES["gpu"] = dict(profiles.PROFILES["quick"], phases=(Phase.explicit, Phase.reuse, Phase.generate))
settings.register_profile(profiles.hypothesis_name("gpu"), **profiles.PROFILES["gpu"])

if __name__ == "__main__":
    sys.exit(main(["verify", *sys.argv[1:], "--profile", "gpu"]))
