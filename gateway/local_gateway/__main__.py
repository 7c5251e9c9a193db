"""`python -m local_gateway`: see `local_gateway.cli`."""

from local_gateway.cli import run

run()
