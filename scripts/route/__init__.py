"""`make route`: scaffold one Lambda route (handler, domain package, event, tests, template
entries, contract) that passes the suite as generated, for its author to fill in."""
