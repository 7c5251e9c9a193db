"""The product catalog: reads are served by API Gateway straight from DynamoDB (see the VTL in
api/openapi.yaml); this package holds the write side, used by ``POST /v1/products``: models,
errors, logic, the storage it needs (ports) and DynamoDB's (repository, the AWS adapter)."""

DOMAIN = "products"  # its owner, for `make rename KEEP=` (README, "Make it yours")
