"""Stand-ins for systems outside this repository, for local runs and tests only (never deployed)."""

DOMAIN = "orders"  # its owner, for `make rename KEEP=` (README, "Make it yours")
