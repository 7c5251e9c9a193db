"""What the products logic needs from storage; :mod:`sample_api.products.repository` has it."""

from typing import Protocol

from sample_api.products.models import Product


class ProductRepository(Protocol):
    def add(self, product: Product) -> None:
        """Store a new product; :class:`~sample_api.products.errors.ProductIdTaken` if its id
        is held."""
        ...
