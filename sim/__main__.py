"""``python -m sim`` is ``clock51-sim``."""

import sys

from sim.frontends.cli import main

sys.exit(main())
