DOMAIN = "users"  # its owner, for `make rename KEEP=` (README, "Make it yours")
