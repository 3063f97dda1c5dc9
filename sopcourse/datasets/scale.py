"""Tallridge at company scale: the catalogue multiplied ``scale`` times.

:func:`scale_catalogue` turns the tables of a variant into those of a company with
``scale`` variants of every SKU (``RD-200`` and ``RD-200-002`` .. ``RD-200-010`` at
``scale=10``). A variant is a copy of its SKU's master data (product, item, bill of
materials, routing), so every BOM parent and component, every routing's work centre and
every item referred to exists; the SKU's demand-side numbers (sales, orders, forecast
snapshots, sales plan, pipeline, launches) and its finished-goods stock and receipts are
split among its variants by weights drawn per SKU (a receipt whose share rounds to 0 is
left out). Ordered units are split at random (multinomial) and every other count by
largest remainders, so the totals of every family, market and month stay those of the 1x
company (the plants, work centres,
components, targets and financials are unchanged and still fit). Stock of a SKU that is
also a component (``BAT-500``, ``WHL-700``) stays with the original: it feeds the bikes.

The random draws come from their own generator (``seed``, ``scale``), so ``scale=1``
leaves the tables untouched and a scale never changes the 1x numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .schema import align_vocabularies

__all__ = ["scale_catalogue", "variant_code", "MAX_SCALE"]

MAX_SCALE = 999  # three digits in a variant's code
_ALPHA = 2.0  # Dirichlet concentration of the variants' shares (some big, some small)


def variant_code(sku: str, j: int) -> str:
    """The code of the ``j``-th variant (1-based) of ``sku``; the first is ``sku`` itself.

    Examples
    --------
    >>> variant_code("RD-200", 1), variant_code("RD-200", 7)
    ('RD-200', 'RD-200-007')
    """
    return str(sku) if j == 1 else f"{sku}-{j:03d}"


def _apportion(n: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Split whole numbers ``n`` (rows) by weights ``w`` (rows x k, rows summing to 1) into
    whole numbers that add up to ``n`` (largest remainders; each part within its quota
    rounded up)."""
    n = np.asarray(n, dtype=np.int64)
    q = n[:, None] * w
    base = np.floor(q + 1e-9).astype(np.int64)
    short = n - base.sum(axis=1)
    order = np.argsort(-(q - base), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(w.shape[1])[None, :], axis=1)
    return base + (rank < short[:, None])


class _Split:
    """The variants of every SKU and their shares."""

    def __init__(self, skus, scale: int, rng: np.random.Generator):
        self.k = scale
        self.skus = list(skus)
        self.weights = {s: rng.dirichlet(np.full(scale, _ALPHA)) for s in self.skus}
        self.codes = {s: [variant_code(s, j) for j in range(1, scale + 1)] for s in self.skus}

    def rows(self, df: pd.DataFrame, col: str, counts=(), keep=None) -> pd.DataFrame:
        """Each row of a scaled SKU ``k`` times, one per variant (in a row), with the whole
        numbers of ``counts`` split among them; the other rows as they are (``keep``: the
        values of ``col`` that stay whole, not split)."""
        mine = df[col].astype(object).isin(set(self.skus) - set(keep or ()))
        mine = mine & df[col].notna()
        part = df[mine.to_numpy()]
        sku = part[col].astype(object).to_numpy()
        w = np.stack([self.weights[s] for s in sku]) if len(part) else np.zeros((0, self.k))
        out = part.loc[part.index.repeat(self.k)].copy()
        out[col] = np.array([self.codes[s] for s in sku], dtype=object).reshape(-1)
        for c in counts:
            out[c] = _apportion(part[c].to_numpy(), w).reshape(-1)
        out["_order"] = np.repeat(np.flatnonzero(mine.to_numpy()), self.k)
        rest = df[~mine.to_numpy()].assign(_order=np.flatnonzero(~mine.to_numpy()))
        both = pd.concat([out, rest]) if len(rest) else out
        both = both.sort_values("_order", kind="stable").drop(columns="_order")
        return both.reset_index(drop=True)

    def pick(self, sku: pd.Series, rng: np.random.Generator) -> np.ndarray:
        """One variant per row (an order line, an opportunity), drawn by the shares."""
        out = sku.astype(object).to_numpy().copy()
        u = rng.random(len(out))
        for i, s in enumerate(out):
            if s in self.weights:
                j = int(np.searchsorted(np.cumsum(self.weights[s]), u[i] * (1 - 1e-12)))
                out[i] = self.codes[s][j]
        return out


def _sales(t: pd.DataFrame, split: _Split, rng: np.random.Generator) -> pd.DataFrame:
    """Ordered units split at random, shipped units within each variant's order."""
    out = split.rows(t, "sku")
    ordered = t["ordered_units"].to_numpy(dtype=np.int64)
    w = np.stack([split.weights[s] for s in t["sku"].astype(object)])
    parts = rng.multinomial(ordered, w)
    share = parts / np.where(ordered > 0, ordered, 1)[:, None]
    shipped = _apportion(t["shipped_units"].to_numpy(), np.where(ordered[:, None] > 0, share, w))
    out["ordered_units"] = parts.reshape(-1)
    out["shipped_units"] = np.minimum(shipped, parts).reshape(-1)
    out["revenue"] = (out["shipped_units"] * out["net_price"]).round(2)
    return out


def _npi(t: pd.DataFrame, split: _Split) -> pd.DataFrame:
    out = split.rows(t, "sku", counts=["expected_peak_units"])
    j = np.tile(np.arange(1, split.k + 1), len(t))
    like = out["like_item_sku"].astype(object)
    out["like_item_sku"] = [
        variant_code(s, i) if isinstance(s, str) else s for s, i in zip(like, j, strict=True)
    ]
    out["expected_peak_units"] = out["expected_peak_units"].clip(lower=1)
    return out


def _promotions(t: pd.DataFrame, split: _Split) -> pd.DataFrame:
    """A SKU's own promotions (launch campaigns) for each of its variants."""
    out = split.rows(t, "sku")
    first = out["sku"].astype(object).isin(set(split.skus)) | out["sku"].isna()
    code = out["sku"].astype(object).str.rsplit("-", n=1).str[-1]
    out.loc[~first, "promo_id"] = out.loc[~first, "promo_id"] + "-" + code[~first]
    return out


def scale_catalogue(tables: dict, scale: int, seed: int = 0) -> dict:
    """The tables of a company with ``scale`` variants of every SKU (see the module).

    Parameters
    ----------
    tables : dict of str to DataFrame
        Every table of a variant, typed (:func:`sopcourse.datasets.generate.generate`).
    scale : int
        Variants per SKU, 1 to :data:`MAX_SCALE` (1: ``tables`` returned unchanged).
    seed : int
        Seeds the variants' shares (with ``scale``).

    Examples
    --------
    >>> from sopcourse.datasets.generate import generate
    >>> big = scale_catalogue(generate(0), 3)
    >>> len(big["products"]), big["products"]["sku"].tolist()[:3]
    (78, ['RD-200', 'RD-200-002', 'RD-200-003'])
    """
    if scale == 1:
        return tables
    products = tables["products"]
    split = _Split(products["sku"].astype(object), scale, np.random.default_rng([seed, scale]))
    rng = np.random.default_rng([seed, scale, 1])
    out = dict(tables)
    out["products"] = split.rows(products, "sku")
    name = out["products"]["name"].astype(object)
    j = np.tile(np.arange(1, scale + 1), len(products))
    out["products"]["name"] = [n if i == 1 else f"{n} v{i}" for n, i in zip(name, j, strict=True)]
    out["items"] = split.rows(tables["items"], "item")
    out["bom"] = split.rows(tables["bom"], "parent")
    out["routings"] = split.rows(tables["routings"], "sku")
    shared = set(tables["bom"]["component"].astype(object))
    for name_, counts in [
        ("inventory", ["on_hand", "safety_stock"]),
        ("scheduled_receipts", ["quantity"]),
    ]:
        out[name_] = split.rows(tables[name_], "item", counts=counts, keep=shared)
    receipts = out["scheduled_receipts"]  # a variant's share of a receipt may round to 0
    out["scheduled_receipts"] = receipts[receipts["quantity"] > 0].reset_index(drop=True)
    out["sales"] = _sales(tables["sales"], split, rng)
    snaps = [
        "naive",
        "statistical",
        "sales_input",
        "marketing_input",
        "operations_input",
        "consensus",
    ]
    out["forecast_snapshots"] = split.rows(tables["forecast_snapshots"], "sku", counts=snaps)
    out["sales_plan"] = split.rows(tables["sales_plan"], "sku", counts=["plan_units"])
    for name_ in ["orders", "pipeline"]:
        t = tables[name_].copy()
        t["sku"] = split.pick(t["sku"], rng)
        out[name_] = t
    out["npi"] = _npi(tables["npi"], split)
    out["promotions"] = _promotions(tables["promotions"], split)
    for name_ in [
        "products",
        "items",
        "bom",
        "routings",
        "sales",
        "forecast_snapshots",
        "sales_plan",
        "orders",
        "pipeline",
        "npi",
        "promotions",
    ]:
        for col in ["sku", "item", "parent", "like_item_sku", "promo_id"]:
            if col in out[name_] and out[name_][col].dtype != tables[name_][col].dtype:
                out[name_][col] = out[name_][col].astype(tables[name_][col].dtype)
    return align_vocabularies(out)
