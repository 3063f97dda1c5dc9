"""The minimal start: a product list and a sales history are enough.

A planner's first export rarely has every column of the schema. With only

- ``products.csv``: ``sku, family, price, unit_cost`` and
- ``sales.csv``: ``month, sku, market, units`` (``revenue`` optional),

:func:`sopcourse.datasets.validate_data` and :func:`~sopcourse.datasets.load_company`
read the folder: the short names are the schema's columns under another name
(:data:`ALIASES`: ``price`` is ``list_price``, ``unit_cost`` is ``standard_cost``,
``market`` is ``region``, ``units`` is ``ordered_units``), and the columns a file
leaves out are derived by the rules of :data:`RULES` and reported in one warning per file,
so nothing is invented silently. ``regions.csv`` may be left out too: the markets are
then the ``region`` codes of the sales, with no currency (ISO 4217's ``XXX``), no
payment terms and no regional discount.

A column the schema needs and no rule can derive (the key, the family, a price) is still
a missing column, an error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .schema import REQUIRED_TABLES, SCHEMA

__all__: list[str] = []  # used by validate.read_folder; the rules are documented here

#: Other names of a column, as a planner's export has them (after lower-casing and
#: ``_`` for spaces: ``Unit Cost`` is ``unit_cost``).
ALIASES: dict[str, dict[str, str]] = {
    "products": {"price": "list_price", "unit_cost": "standard_cost"},
    "sales": {"market": "region", "units": "ordered_units"},
}

#: The columns a file may leave out, and how each is derived (said in the warning).
RULES: dict[str, dict[str, str]] = {
    "products": {
        "name": "the sku",
        "kind": "'product'",
        "labour_cost": "0 (the split of the cost is not known)",
        "overhead_cost": "0 (the split of the cost is not known)",
        "material_cost": "standard_cost - labour_cost - overhead_cost",
        "status": "'active'",
        "launch_month": "the SKU's first month in sales.csv",
        "end_of_life_month": "empty (none planned)",
    },
    "sales": {
        "shipped_units": "ordered_units (no shortage recorded)",
        "net_price": "revenue / shipped_units where revenue is given, else the list_price "
        "less the market's regional_discount",
        "revenue": "shipped_units x net_price",
        "promo": "0 (no promotion recorded)",
    },
}

#: What a left-out regions.csv is derived as.
NO_CURRENCY = "XXX"  # ISO 4217: "no currency"
REQUIRED = REQUIRED_TABLES


def derivable(table: str, header=()) -> tuple[str, ...]:
    """The columns of ``table`` that may be left out of a file with this ``header``
    (``shipped_units`` only when the file does not give both net_price and revenue: with
    both, the units shipped are what they were invoiced for, not the units ordered)."""
    cols = tuple(RULES.get(table, {}))
    if table == "sales" and {"net_price", "revenue"} <= set(header):
        cols = tuple(c for c in cols if c != "shipped_units")
    return cols


def needed(table: str, optional=()) -> str:
    """The columns a file of ``table`` must have, with their short names: ``sku, family,
    list_price (or price), ...``, and what the others are."""
    names = {col: a for a, col in ALIASES.get(table, {}).items()}
    cols = [c for c in SCHEMA[table].column_names if c not in optional]
    text = ", ".join(f"{c} (or {names[c]})" if c in names else c for c in cols)
    return text + ("; the others are derived when left out" if optional else "")


def alias(table: str, name: str) -> str:
    """The schema column that ``name`` (already lower case, ``_`` for spaces) stands for."""
    return ALIASES.get(table, {}).get(name, name)


def _money(values) -> np.ndarray:
    return np.array(["" if pd.isna(v) else f"{v:.2f}" for v in values], dtype=object)


def _typed(ck, table: str, col: str) -> np.ndarray | None:
    """The typed values of a column that parsed, as an array in row order, else None."""
    if table in ck.raw and ck.cols_ok(table, col):
        return np.asarray(ck.typed[table][col].to_numpy())
    return None


def _products(ck, left_out: list[str]) -> dict[str, np.ndarray | None]:
    frame = ck.raw["products"]
    n = len(frame)
    out: dict[str, np.ndarray | None] = {}
    zero = np.zeros(n)
    if "name" in left_out:
        out["name"] = frame["sku"].to_numpy(dtype=object)
    if "kind" in left_out:
        out["kind"] = np.full(n, "product", dtype=object)
    for c in ("labour_cost", "overhead_cost"):
        if c in left_out:
            out[c] = _money(zero)
    if "material_cost" in left_out:
        std = _typed(ck, "products", "standard_cost")
        parts = [
            _typed(ck, "products", c) if c not in left_out else zero
            for c in ("labour_cost", "overhead_cost")
        ]
        ok = std is not None and all(p is not None for p in parts)
        out["material_cost"] = _money(std - parts[0] - parts[1]) if ok else None
    if "status" in left_out:
        out["status"] = np.full(n, "active", dtype=object)
    if "launch_month" in left_out:
        months, skus = _typed(ck, "sales", "month"), _typed(ck, "sales", "sku")
        if months is None or skus is None:
            out["launch_month"] = None
        else:
            first = pd.Series(months).groupby(skus).min()
            start = min(months) if len(months) else None
            out["launch_month"] = np.array(
                [str(first.get(s, start)) for s in frame["sku"]], dtype=object
            )
    if "end_of_life_month" in left_out:
        out["end_of_life_month"] = np.full(n, "", dtype=object)
    return out


def _sales(ck, left_out: list[str]) -> dict[str, np.ndarray | None]:
    frame = ck.raw["sales"]
    n = len(frame)
    out: dict[str, np.ndarray | None] = {}
    ordered = _typed(ck, "sales", "ordered_units")
    if "shipped_units" in left_out:  # a copy of a column with a problem: reported once
        good = ordered is not None
        out["shipped_units"] = frame["ordered_units"].to_numpy(dtype=object) if good else None
        shipped = ordered
    else:
        shipped = _typed(ck, "sales", "shipped_units")
    if "promo" in left_out:
        out["promo"] = np.full(n, "0", dtype=object)
    net = None if "net_price" in left_out else _typed(ck, "sales", "net_price")
    if "net_price" in left_out:
        net = _net_price(ck, left_out, shipped)
        out["net_price"] = None if net is None else _money(net)
    if "revenue" in left_out:
        ok = net is not None and shipped is not None
        out["revenue"] = _money(np.round(shipped * net, 2)) if ok else None
    return out


def _net_price(ck, left_out, shipped) -> np.ndarray | None:
    """revenue / shipped_units where both are given and units were shipped, else the
    SKU's list price less the market's regional discount."""
    skus = _typed(ck, "sales", "sku")
    prices = _typed(ck, "products", "list_price")
    if skus is None or prices is None or shipped is None:
        return None
    price = pd.Series(prices, index=ck.raw["products"]["sku"].to_numpy())
    net = pd.Series(skus).map(price[~price.index.duplicated()]).to_numpy(dtype=float)
    regions, discounts = _typed(ck, "sales", "region"), _typed(ck, "regions", "regional_discount")
    if regions is not None and discounts is not None:
        d = pd.Series(discounts, index=ck.raw["regions"]["region"].to_numpy())
        d = d[~d.index.duplicated()]
        net = net * (1 - pd.Series(regions).map(d).fillna(0.0).to_numpy(dtype=float))
    if "revenue" not in left_out:
        revenue = _typed(ck, "sales", "revenue")
        if revenue is None:
            return None
        sold = shipped > 0
        net = np.where(sold, revenue / np.where(sold, shipped, 1), net)
    if np.isnan(net).any():
        return None  # a SKU not in products.csv: reported by the join check
    return np.round(np.maximum(net, 0.01), 2)


def _regions(ck) -> pd.DataFrame | None:
    """The markets of the sales, as the text of a regions table (None when the sales'
    region column has problems)."""
    if "sales" not in ck.raw or not ck.cols_ok("sales", "region"):
        return None
    codes = pd.unique(ck.raw["sales"]["region"].to_numpy(dtype=object))
    n = len(codes)
    text = {
        "region": codes,
        "name": codes,
        "currency": np.full(n, NO_CURRENCY, dtype=object),
        "payment_terms_days": np.full(n, "0", dtype=object),
        "regional_discount": np.full(n, "0", dtype=object),
    }
    return pd.DataFrame(text, index=pd.Index(range(2, n + 2), name="line"), dtype=object)


def complete(ck, left_out: dict[str, list[str]]) -> dict[str, list[str]]:
    """Fill in the columns each file left out (``left_out``: table -> columns) and a
    regions table when the folder has none; type them as a file's columns are typed and
    warn once per file. Returns what was derived: table -> columns (all columns for a
    derived table)."""
    derived: dict[str, list[str]] = {}
    if "regions" not in ck.given and "sales" in ck.raw:
        frame = _regions(ck)
        if frame is not None:
            table = SCHEMA["regions"]
            ck.raw["regions"], ck.good["regions"], ck.typed["regions"] = frame, {}, {}
            for col in table.columns:
                ck.check_column(table, frame, col)
            derived["regions"] = table.column_names
            ck.add(
                table.file,
                [],
                None,
                f"is not in the folder: the {len(frame)} market(s) are the region codes of "
                f"sales.csv ({', '.join(frame['region'][:6])}{' ...' if len(frame) > 6 else ''}), "
                f"with no currency ({NO_CURRENCY}), no payment terms and no regional discount; "
                "add regions.csv to give them.",
                "warning",
            )
    for name, build in (("products", _products), ("sales", _sales)):
        cols = [c for c in left_out.get(name, []) if name in ck.raw]
        if not cols:
            continue
        table, frame = SCHEMA[name], ck.raw[name]
        if any(c not in frame.columns for c in table.column_names if c not in cols):
            for col in cols:  # a column the rules need is missing, reported already
                ck.good[name][col], ck.typed[name][col] = False, None
            continue
        for col, values in build(ck, cols).items():
            if values is None:  # depends on a column with a problem, reported already
                ck.good[name][col], ck.typed[name][col] = False, None
                continue
            frame[col] = values
            ck.check_column(table, frame, table.column(col))
        derived[name] = cols
        rules = "; ".join(f"{c} = {RULES[name][c]}" for c in cols)
        ck.add(
            table.file,
            [],
            None,
            f"the column(s) {', '.join(cols)} are not in the file and are derived: {rules}. "
            "Add a column to give its values.",
            "warning",
        )
    return derived
