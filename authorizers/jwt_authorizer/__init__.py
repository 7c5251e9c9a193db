DOMAIN = "jwt-authorizer"  # its owner, for `make rename KEEP=` (README, "Make it yours")
