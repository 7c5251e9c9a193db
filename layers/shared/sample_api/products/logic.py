"""Adding a product to the catalog."""

import uuid

from sample_api.products.models import NewProduct, Product
from sample_api.products.ports import ProductRepository


def create_product(new: NewProduct, repository: ProductRepository) -> Product:
    """Give the product an id and store it."""
    product = Product(id=str(uuid.uuid4()), **new.model_dump())
    repository.add(product)
    return product
