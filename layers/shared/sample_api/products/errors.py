"""What can go wrong adding a product, as the API answers it."""

from sample_api.errors import Conflict


class ProductIdTaken(Conflict):
    """A product with the new id exists (ids are random, so this is a bug, never overwritten)."""

    code = "PRODUCT_EXISTS"
