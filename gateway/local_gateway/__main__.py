"""`python -m local_gateway`: see `local_gateway.cli`."""

import sys

from local_gateway.cli import main

sys.exit(main())
