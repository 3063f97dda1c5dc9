"""The fixed data of the game's Tallridge world, read once from the company's tables.

Everything the engine needs that does not change while a game is played: the families
(the bicycle families with a routing), markets (the regions), plants and work centres,
hours per unit by plant and family (the SKUs' routings weighted by their 2025 demand),
costs and prices, opening stock and balances, the share of each customer class in a
market's orders, the order history by family and market, and the generator's expected
demand ``mu`` (:meth:`sopcourse.datasets.draws.Draws.demand`) summed to family x market.
The arrays are read-only numpy arrays; :func:`tallridge` builds them once per data
variant (the grader's assigned variant, or ``$SOPCOURSE_DATA_SEED``'s) in a process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..case import _work_centre_hours
from ..datasets import load as _load
from ..datasets import load_company
from ..datasets.catalogue import N_ALL, PRICE_INDEX, T0, YEARS

__all__ = ["WorldData", "tallridge", "month_index", "month_label"]

CLASSES = ("A", "B", "C")
#: Kit (component set) supply a family's suppliers always deliver: this share of the
#: family's average monthly demand; more when the consensus plan asked for it.
BASE_SUPPLY_SHARE = 1.25
#: Suppliers deliver up to this multiple of the consensus plan for the month.
PLAN_SUPPLY_FLEX = 1.2


@dataclass(frozen=True)
class WorldData:
    """The Tallridge facts the game reads (indices: f family, m market, p plant, c class,
    w work centre of a plant, t month index from 2022-01)."""

    families: tuple
    markets: tuple
    plants: tuple
    classes: tuple
    work_centres: dict  # plant -> tuple of work centres
    hours: dict  # plant -> array (W,) regular hours per month
    hours_per_wc_unit: dict  # plant -> array (W,) hours one more machine/station adds
    max_overtime: dict  # plant -> array (W,)
    overtime_cost: dict  # plant -> array (W,) EUR/h
    hours_per_unit: dict  # plant -> array (F, W); NaN where the plant cannot make it
    can_make: np.ndarray  # (P, F) bool
    mu: np.ndarray  # (F, M, T) expected demand, scheduled promotions included
    price: np.ndarray  # (F, M, T) net price (list x price index x market discount x promo)
    standard_cost: np.ndarray  # (F,)
    material_cost: np.ndarray  # (F,)
    conversion_cost: np.ndarray  # (F,) labour + overhead at standard
    holding_cost: np.ndarray  # (F,) EUR per unit per month
    backorder_cost: float
    lost_sale_cost: float
    lane_cost: np.ndarray  # (P, M)
    terms_months: np.ndarray  # (M,) payment terms in months (30 days = 1)
    opening_inventory: np.ndarray  # (P, F)
    opening_receivables: float
    opening_payables: float
    class_share: np.ndarray  # (M, C) share of a market's orders by customer class
    history: np.ndarray  # (F, M, N_HIST) ordered units of the sales history
    season: np.ndarray  # (F, 12) seasonal index of the history (mean 1)
    base_supply: np.ndarray  # (F,) kits the suppliers deliver in any month


def month_index(month: str) -> int:
    """Month index from 2022-01 (``t``) of a ``'YYYY-MM'`` month."""
    return int((pd.Period(month, "M") - T0).n)


def month_label(t: int) -> str:
    """``'YYYY-MM'`` of month index ``t``."""
    return str(T0 + int(t))


def _weights(mu_sku: np.ndarray, sku_family: np.ndarray, families) -> np.ndarray:
    """(S,) each SKU's share of its family's 2025 demand (all markets)."""
    units = mu_sku[:, :, 36:48].sum(axis=(1, 2))
    out = np.zeros(len(units))
    for f in families:
        rows = sku_family == f
        total = units[rows].sum()
        out[rows] = units[rows] / total if total > 0 else 1.0 / rows.sum()
    return out


def _plant_tables(company, families, skus, sku_family, weight):
    wch = _work_centre_hours(company)
    wc = company.work_centres.assign(plant=lambda d: d["plant"].astype(str))
    plants = tuple(str(p) for p in company.plants["plant"])
    routes = company.routings.assign(plant=lambda d: d["plant"].astype(str))
    out = {k: {} for k in ("wcs", "hours", "per_unit", "max_ot", "ot_cost", "hpu")}
    can = np.zeros((len(plants), len(families)), dtype=bool)
    for i, p in enumerate(plants):
        rows = wch[wch["plant"] == p]
        names = tuple(rows["work_centre"])
        out["wcs"][p] = names
        out["hours"][p] = rows["hours"].to_numpy(float)
        units = wc.set_index(["plant", "work_centre"]).loc[p].loc[list(names)]
        out["per_unit"][p] = out["hours"][p] / units["units"].to_numpy(float)
        out["max_ot"][p] = units["max_overtime_hours"].to_numpy(float)
        out["ot_cost"][p] = units["overtime_cost_per_hour"].to_numpy(float)
        hpu = np.full((len(families), len(names)), np.nan)
        r = routes[routes["plant"] == p]
        for j, f in enumerate(families):
            rows_f = [k for k, s in enumerate(skus) if sku_family[k] == f]
            made = [k for k in rows_f if skus[k] in set(r["sku"])]
            if not made:
                continue
            can[i, j] = True
            w = weight[made] / weight[made].sum()
            table = r.pivot_table(index="sku", columns="work_centre", values="hours_per_unit")
            table = table.reindex(index=[skus[k] for k in made], columns=list(names)).fillna(0)
            hpu[j] = w @ table.to_numpy(float)
        out["hpu"][p] = hpu
    return plants, out, can


def _prices(company, disc, skus, sku_family, mu_sku, families, markets):
    products = company.products.set_index("sku")
    listp = products.loc[skus, "list_price"].to_numpy(float)
    years = T0.year + np.arange(N_ALL) // 12
    pidx = np.array([PRICE_INDEX.get(int(y), PRICE_INDEX[int(YEARS[-1])]) for y in years])
    reg = company.regions.set_index("region").loc[list(markets), "regional_discount"]
    gross = (
        listp[:, None, None]
        * pidx[None, None, :]
        * (1 - reg.to_numpy(float))[None, :, None]
        * (1 - disc[: len(skus)])
    )
    F, M = len(families), len(markets)
    price = np.zeros((F, M, N_ALL))
    for j, f in enumerate(families):
        rows = sku_family == f
        w = mu_sku[rows] + 1e-9
        price[j] = (gross[rows] * w).sum(axis=0) / w.sum(axis=0)
    return price


def _history(company, skus, sku_family, families, markets):
    sales = company.sales.copy()
    sales["t"] = [month_index(str(m)) for m in sales["month"]]
    fam = dict(zip(skus, sku_family, strict=True))
    sales = sales[sales["sku"].isin(fam)]
    sales["family"] = sales["sku"].map(fam)
    n = int(sales["t"].max()) + 1
    hist = np.zeros((len(families), len(markets), n))
    table = sales.groupby(["family", "region", "t"])["ordered_units"].sum()
    for (f, m, t), v in table.items():
        if f in families and m in markets:
            hist[families.index(f), markets.index(m), int(t)] = v
    total = hist.sum(axis=1)  # (F, n)
    season = np.ones((len(families), 12))
    for j in range(len(families)):
        full = total[j, : n - n % 12].reshape(-1, 12)
        full = full[full.sum(axis=1) > 0]
        if len(full):
            idx = (full / full.mean(axis=1, keepdims=True)).mean(axis=0)
            season[j] = idx / idx.mean()
    return hist, season


def _costs(company, skus, sku_family, weight, families):
    products = company.products.set_index("sku").loc[skus]
    pc = company.planning_costs.set_index("parameter")["value"]

    def per_family(column):
        values = products[column].to_numpy(float)
        return np.array([(values * weight)[sku_family == f].sum() for f in families])

    standard = per_family("standard_cost")
    material = per_family("material_cost")
    return {
        "standard": standard,
        "material": material,
        "conversion": standard - material,
        "holding": float(pc["holding_rate"]) / 12 * standard,
        "backorder": float(pc["backorder_cost"]),
        "lost": float(pc["lost_sale_cost"]),
    }


def _opening(company, plants, skus, sku_family, families, markets):
    inv = company.inventory.assign(plant=lambda d: d["plant"].astype(str))
    fam = dict(zip(skus, sku_family, strict=True))
    opening = np.zeros((len(plants), len(families)))
    for _, row in inv[inv["item"].isin(fam)].iterrows():
        opening[plants.index(row["plant"]), families.index(fam[row["item"]])] += row["on_hand"]
    orders = company.orders.drop(columns=["region"]).merge(company.customers, on="customer")
    table = orders.groupby(["region", "customer_class"])["requested_units"].sum().unstack()
    table = table.reindex(index=list(markets), columns=list(CLASSES)).fillna(0.0)
    share = table.to_numpy(float) / table.to_numpy(float).sum(axis=1, keepdims=True)
    fin = company.financials.iloc[-1]
    return opening, share, float(fin["receivables"]), float(fin["payables"])


def tallridge(data_dir: str | None = None) -> WorldData:
    """The :class:`WorldData` of the company of ``data_dir`` (default: Tallridge).

    Without ``data_dir`` the world follows the data ``load_company()`` gives: the variant a
    grader assigned (:func:`sopcourse.datasets.load.assign_variant`; built once from the
    variant's tables and demand model, kept with them and dropped with them), else the
    variant of ``$SOPCOURSE_DATA_SEED`` (standard data when unset), cached per seed.
    """
    if data_dir is not None:
        return _world_of_folder(str(data_dir))
    held = _load._ASSIGNED
    if "company" in held:
        if "world" not in held:
            model = held.get("demand_model")
            if model is None:
                raise RuntimeError(
                    "the grader's data variant has no demand model: assign it with "
                    "sopcourse.datasets.load.assign_variant(seed)"
                )
            held["world"] = _build(load_company(), model)
        return held["world"]
    return _world_of_seed(_load._seed_from_env())


@functools.lru_cache(maxsize=4)
def _world_of_seed(seed: int) -> WorldData:
    return _build(load_company(seed=seed), _load._demand_model(seed))


@functools.lru_cache(maxsize=2)
def _world_of_folder(data_dir: str) -> WorldData:
    company = load_company(data_dir=data_dir)
    return _build(company, _load._demand_model(int(company.seed)))


def _build(company, model: dict) -> WorldData:
    """The world of ``company``'s tables and its generator's demand ``model``."""
    mu_all = model["mu"]
    bikes = set(company.products.loc[company.products["kind"] == "bike", "sku"])
    routed = set(company.routings["sku"])
    keep = [i for i, s in enumerate(model["skus"]) if s in bikes and s in routed]
    skus = [model["skus"][i] for i in keep]
    sku_family = np.asarray(model["family"])[keep]
    families = tuple(dict.fromkeys(sku_family.tolist()))
    markets = tuple(str(r) for r in company.regions["region"])
    mu_sku = mu_all[keep]
    weight = _weights(mu_sku, sku_family, families)
    plants, pt, can = _plant_tables(company, families, skus, sku_family, weight)
    mu = np.stack([mu_sku[sku_family == f].sum(axis=0) for f in families])
    price = _prices(company, model["disc"], skus, sku_family, mu_sku, families, markets)
    costs = _costs(company, skus, sku_family, weight, families)
    opening, share, rec, pay = _opening(company, plants, skus, sku_family, families, markets)
    history, season = _history(company, skus, sku_family, families, markets)
    lanes = company.lanes.assign(plant=lambda d: d["plant"].astype(str))
    lane = lanes.pivot_table(index="plant", columns="region", values="cost_per_unit")
    terms = company.regions.set_index("region").loc[list(markets), "payment_terms_days"]
    base_supply = BASE_SUPPLY_SHARE * history[:, :, -12:].sum(axis=1).mean(axis=1)
    data = WorldData(
        families=families,
        markets=markets,
        plants=plants,
        classes=CLASSES,
        work_centres=pt["wcs"],
        hours=pt["hours"],
        hours_per_wc_unit=pt["per_unit"],
        max_overtime=pt["max_ot"],
        overtime_cost=pt["ot_cost"],
        hours_per_unit=pt["hpu"],
        can_make=can,
        mu=mu,
        price=price,
        standard_cost=costs["standard"],
        material_cost=costs["material"],
        conversion_cost=costs["conversion"],
        holding_cost=costs["holding"],
        backorder_cost=costs["backorder"],
        lost_sale_cost=costs["lost"],
        lane_cost=lane.reindex(index=list(plants), columns=list(markets)).to_numpy(float),
        terms_months=terms.to_numpy(float) / 30.0,
        opening_inventory=opening,
        opening_receivables=rec,
        opening_payables=pay,
        class_share=share,
        history=history,
        season=season,
        base_supply=base_supply,
    )
    for value in vars(data).values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    return data
