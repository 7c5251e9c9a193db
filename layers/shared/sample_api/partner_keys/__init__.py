"""Partners' API keys, held in Secrets Manager and rotated by its four-step rotation: a new key
in the partner's usage plan at once, the previous one disabled after a grace period: models,
errors, the rotation (logic), what it needs from AWS (ports) and AWS's side (storage)."""

DOMAIN = "products"  # its owner, for `make rename KEEP=` (README, "Make it yours")
