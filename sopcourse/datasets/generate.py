"""Generate every Tallridge Cycles table from a seed.

The committed CSV files under ``datasets/`` are exactly what :func:`generate` returns for
the standard seed (0), written by :func:`write_tables`. Another seed gives a *variant*:
the same products, markets, plants, bill of materials, routings and calendar of
promotions and launches, with other numbers (demand levels, trends, noise, prices,
costs, lead times, forecast errors ...).

Patterns planted in the sales history (see ``datasets/README.md``): trend, spring
seasonality, price promotions with lift and a post-promotion dip, an S-shaped (Bass)
launch ramp of the e-bikes that cannibalises city bikes, end-of-life declines, and a
12-speed drivetrain shortage in 2024-05..2024-08 during which shipments fall short of
orders.

The pieces: :mod:`~sopcourse.datasets.catalogue` (the structure every variant shares),
:mod:`~sopcourse.datasets.draws` (the seed's random draws and the demand model), then the
table builders :mod:`~sopcourse.datasets.master_tables`,
:mod:`~sopcourse.datasets.demand_tables`, :mod:`~sopcourse.datasets.supply_tables` and
:mod:`~sopcourse.datasets.finance_tables`. They share one random generator, so
:func:`generate` calls them in a fixed order: changing the order (or adding a draw) changes
the numbers of every table built after it, and the committed CSV files no longer match.
"""

from __future__ import annotations

import pandas as pd

from .._checks import check_whole_number
from .demand_tables import (
    npi_table,
    orders_table,
    pipeline_table,
    promotions_table,
    sales_plan_table,
    sales_table,
    snapshots_table,
    targets_table,
)
from .draws import Draws
from .finance_tables import finance_tables
from .master_tables import master_tables
from .scale import MAX_SCALE, scale_catalogue
from .schema import SCHEMA, align_vocabularies, coerce_table
from .supply_tables import supply_tables

__all__ = ["generate", "STANDARD_SEED", "SEED_HINT"]

STANDARD_SEED = 0
SEED_HINT = "0 is the standard data; 1, 2, ... are variants."
SCALE_HINT = "1 is Tallridge as it is; 10 gives 10 variants of every SKU."


def generate(seed: int = STANDARD_SEED, scale: int = 1) -> dict[str, pd.DataFrame]:
    """Build every table of the company from a seed.

    Parameters
    ----------
    seed : int
        0 is the standard data (the committed CSV files); any other integer is a variant
        with the same structure and other numbers.
    scale : int
        Variants of every SKU (1: Tallridge as it is; 10, 100: the company at scale, see
        :func:`sopcourse.datasets.scale.scale_catalogue`): each with its own product,
        item, BOM and routing rows, the SKU's demand and stock split among them, so the
        family totals, plants and components are those of ``scale=1``.

    Returns
    -------
    dict of str to DataFrame
        One typed DataFrame per table of :data:`sopcourse.datasets.schema.SCHEMA`, in
        schema order (months as ``Period[M]``, dates as ``datetime64``, categories as
        ``category``).

    Examples
    --------
    >>> tables = generate(0)
    >>> sorted(tables)[:3]
    ['bom', 'budget', 'customers']
    >>> bool((tables["sales"]["shipped_units"] <= tables["sales"]["ordered_units"]).all())
    True
    """
    seed = check_whole_number(seed, "seed", low=0, hint=SEED_HINT)
    scale = check_whole_number(scale, "scale", low=1, hint=SCALE_HINT)
    if scale > MAX_SCALE:
        raise ValueError(f"scale must be at most {MAX_SCALE}; got {scale}. {SCALE_HINT}")
    g = Draws(seed)
    g.demand()
    g.draw_sales()
    raw = {}
    raw.update(master_tables(g))
    raw["sales"] = sales_table(g)
    raw["promotions"] = promotions_table(g)
    raw["orders"] = orders_table(g)
    raw["forecast_snapshots"] = snapshots_table(g)
    raw["pipeline"] = pipeline_table(g, raw["customers"])
    raw["npi"] = npi_table(g)
    raw["sales_plan"] = sales_plan_table(g)
    raw["targets"] = targets_table(g, raw["products"])
    raw.update(supply_tables(g, raw["products"], raw["items"]))
    raw.update(
        finance_tables(
            g, raw["sales"], raw["products"], raw["sales_plan"], raw["inventory"], raw["items"]
        )
    )
    tables = align_vocabularies({name: coerce_table(name, raw[name]) for name in SCHEMA})
    return scale_catalogue(tables, scale, seed)
