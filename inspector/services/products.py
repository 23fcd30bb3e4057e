"""Products (what is inspected), each with optional SKU, line and station."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from inspector.errors import NotFoundError, UserError
from inspector.services.dto import ProductInfo
from inspector.store import audit, roles
from inspector.store.models import Product


def _info(p: Product) -> ProductInfo:
    return ProductInfo(p.id, p.name, p.sku, p.line, p.station, p.created_at)


def find_product(session: Any, name: str) -> Product | None:
    """Exact name, else a unique case-insensitive match."""
    product = session.scalar(select(Product).where(Product.name == name))
    if product is None:
        product = session.scalar(select(Product).where(func.lower(Product.name) == name.lower()))
    return product


def product_id(session: Any, name: str | None) -> int | None:
    """The id for a product name (None stays None); unknown names are a clear error."""
    if name is None:
        return None
    product = find_product(session, name)
    if product is None:
        raise NotFoundError(f"no product named '{name}' (add it with 'inspector products add')")
    return product.id


def add_product(
    project: Any,
    actor: Any,
    name: str,
    sku: str | None = None,
    line: str | None = None,
    station: str | None = None,
) -> ProductInfo:
    project.require(actor, roles.MANAGE_PRODUCTS, entity="product", details={"name": name})
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise UserError("a product name must have 1 to 200 characters")
    with project.db.session() as session:
        if find_product(session, name) is not None:
            raise UserError(f"a product named '{name}' already exists")
        product = Product(name=name, sku=sku, line=line, station=station)
        session.add(product)
        session.flush()
        audit.record(session, actor, "product.add", "product", product.id,
                     {"name": name, "sku": sku, "line": line, "station": station})
        return _info(product)


def list_products(project: Any) -> list[ProductInfo]:
    with project.db.session() as session:
        rows = session.scalars(select(Product).order_by(func.lower(Product.name)))
        return [_info(p) for p in rows]


def get_product(project: Any, name: str) -> ProductInfo:
    with project.db.session() as session:
        product = find_product(session, name)
        if product is None:
            raise NotFoundError(f"no product named '{name}'")
        return _info(product)
