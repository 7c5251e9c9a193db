"""API Gateway REST APIs of a SAM template on one machine, without Docker (see README.md)."""

# Written only here: gateway/pyproject.toml reads it, CHANGELOG.md has a section for it, and its
# release is tagged gateway-v<version>.
__version__ = "0.1.0"
