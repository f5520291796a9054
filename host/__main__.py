"""``python -m host``: the clock51 command line."""

import sys

from host.cli import main

sys.exit(main())
