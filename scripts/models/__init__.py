"""`make models`: the request models API Gateway checks bodies against, rendered from the
pydantic models the handlers validate with (one source; `make lint` checks the file is current)."""
