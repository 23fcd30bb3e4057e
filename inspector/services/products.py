"""Products (what is inspected), each with optional SKU, line and station."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from inspector.engine.region import Region
from inspector.errors import NotFoundError, UserError
from inspector.services.dto import ProductInfo
from inspector.services.names import clean_name, column_width, short_text
from inspector.store import audit, roles
from inspector.store.db import serialise
from inspector.store.models import Product


def _info(p: Product) -> ProductInfo:
    region = None if not p.region else tuple(float(v) for v in p.region)
    return ProductInfo(p.id, p.name, p.sku, p.line, p.station, p.created_at, region)


def find_product(session: Any, name: str) -> Product | None:
    """Exact name, else a unique case-insensitive match. Folded in Python: SQL lower()
    folds only ASCII on SQLite (and as the locale says on PostgreSQL), so "ÄRMEL" found
    "Ärmel" on one database and not on the other."""
    product = session.scalar(select(Product).where(Product.name == name))
    if product is None:
        matches = [p for p in session.scalars(select(Product))
                   if p.name.casefold() == name.casefold()]
        product = matches[0] if len(matches) == 1 else None
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
    name = clean_name(name, "a product name", 200)
    sku = short_text(sku, "an SKU", column_width(project, 100))
    line = short_text(line, "a line name", column_width(project, 100))
    station = short_text(station, "a station name", column_width(project, 100))
    with project.db.session() as session:
        serialise(session, "products.names")  # two stations adding Cap and cap at once
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
        # Sorted in Python: ORDER BY on text follows the database's collation, which
        # differs between SQLite (code points) and a PostgreSQL server (its locale).
        rows = sorted(session.scalars(select(Product)), key=lambda p: (p.name.casefold(), p.name))
        return [_info(p) for p in rows]


def get_product(project: Any, name: str) -> ProductInfo:
    with project.db.session() as session:
        product = find_product(session, name)
        if product is None:
            raise NotFoundError(f"no product named '{name}'")
        return _info(product)


def set_region(
    project: Any, actor: Any, name: str, region: Sequence[float] | None
) -> ProductInfo:
    """Set (or clear with None / []) the product's inspection region; audited.

    It takes effect at the next training: every model keeps the region it was trained
    with, so the active model's verdicts do not change under it.
    """
    project.require(actor, roles.MANAGE_PRODUCTS, entity="product", details={"name": name})
    cleaned = Region.from_seq(region)
    with project.db.session() as session:
        product = find_product(session, name)
        if product is None:
            raise NotFoundError(f"no product named '{name}'")
        old = product.region
        product.region = None if cleaned is None else cleaned.as_list()
        audit.record(session, actor, "product.region", "product", product.id,
                     {"name": product.name, "old": old, "new": product.region})
        session.flush()
        return _info(product)


def region_of(project: Any, name: str | None) -> Region | None:
    """The inspection region of a product (None: no product, or the whole image)."""
    if name is None:
        return None
    with project.db.session() as session:
        product = find_product(session, name)
        if product is None:
            raise NotFoundError(f"no product named '{name}'")
        return Region.from_seq(product.region)
