"""Stand-ins for systems outside this repository, for local runs and tests only (never deployed)."""
