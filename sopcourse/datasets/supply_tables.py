"""The supply-side tables of the planning month: inventory, scheduled receipts, planning
costs (the parameters of the aggregate plan and the inventory models) and lanes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import BIKES, FAMILY_PLANTS, HOURS, OVERHEAD_RATE, PLAN_T, PLANTS, month_periods
from .draws import Draws
from .master_tables import bom_rows
from .schema import SCHEMA

__all__ = ["supply_tables"]


def _plant_share(fam: str, plant: str) -> float:
    plants = FAMILY_PLANTS.get(fam, ["P1"])
    if plant not in plants:
        return 0.0
    return 1.0 if len(plants) == 1 else (0.6 if plant == "P1" else 0.4)


def _explode(volume: dict[str, float]) -> dict[str, float]:
    """Gross requirement of every item for end-item volumes (multi-level)."""
    bom = bom_rows()
    need = dict(volume)
    frontier = dict(volume)
    while frontier:
        nxt = {}
        for parent, qty in frontier.items():
            for p, c, q in bom:
                if p == parent:
                    nxt[c] = nxt.get(c, 0.0) + qty * q
        for c, q in nxt.items():
            need[c] = need.get(c, 0.0) + q
        frontier = nxt
    return need


def supply_tables(g: Draws, products: pd.DataFrame, items: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Inventory, scheduled receipts, planning costs and lanes at the planning month (in
    this order: they draw from the seed's generator in turn)."""
    inventory, receipts = _inventory_and_receipts(g, items)
    lanes = _lanes(g.rng)
    planning_costs = _planning_costs(g, products)
    return {
        "inventory": inventory,
        "scheduled_receipts": receipts,
        "planning_costs": planning_costs,
        "lanes": lanes[SCHEMA["lanes"].column_names],
    }


def _inventory_and_receipts(g: Draws, items: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """On hand and safety stock of every item at each plant that needs it (cover for the
    next months' requirements), and the receipts already scheduled."""
    rng = g.rng
    on = g.on_sale()
    nxt = g.mu[:, :, PLAN_T : PLAN_T + 3].sum(axis=1).mean(axis=1) * on[:, PLAN_T : PLAN_T + 3].any(
        axis=1
    )
    inv_rows, rec_rows = [], []
    lead = items.set_index("item")["lead_time"]
    moq = items.set_index("item")["min_order_qty"]
    for plant, *_ in PLANTS:
        volume = {}
        for i, sku in enumerate(g.skus):
            share = (
                _plant_share(g.family[i], plant)
                if i < g.n_bikes
                else (1.0 if plant == "P1" else 0.0)
            )
            if share > 0:
                volume[sku] = nxt[i] * share
        need = _explode(
            {k: v for k, v in volume.items() if k in set(g.skus[: g.n_bikes]) or k == "WHL-700"}
        )
        for k, v in volume.items():
            need.setdefault(k, v)
        for item in items["item"]:
            if item not in need:
                continue
            monthly = need[item]
            cover = rng.uniform(0.4, 0.9) if item in g.skus else rng.uniform(0.8, 1.6)
            ss = int(np.ceil(monthly * 0.5 * np.sqrt(max(lead[item], 1)) * rng.uniform(0.8, 1.2)))
            inv_rows.append((item, plant, int(np.round(monthly * cover)), ss))
            lt = int(lead[item])
            if item in set(g.skus[: g.n_bikes]) and monthly > 0:
                rec_rows.append(
                    (
                        item,
                        plant,
                        month_periods(PLAN_T),
                        int(max(10, np.round(monthly * 0.5 / 10) * 10)),
                    )
                )
            elif lt >= 2 and monthly > 0:
                for k in range(lt - 1):
                    q = int(np.ceil(monthly * rng.uniform(0.8, 1.1) / moq[item]) * moq[item])
                    rec_rows.append((item, plant, month_periods(PLAN_T + k), q))
    inventory = pd.DataFrame(inv_rows, columns=SCHEMA["inventory"].column_names)
    receipts = pd.DataFrame(rec_rows, columns=SCHEMA["scheduled_receipts"].column_names)
    return inventory, receipts


def _lanes(rng: np.random.Generator) -> pd.DataFrame:
    """Freight lanes from the plants to the markets: cost per unit and transit time."""
    lanes = pd.DataFrame(
        [
            ("P1", "DACH", 35.0, 3),
            ("P1", "BENELUX", 22.0, 1),
            ("P1", "NORDICS", 48.0, 4),
            ("P1", "UK", 55.0, 5),
            ("P2", "DACH", 30.0, 2),
            ("P2", "BENELUX", 42.0, 3),
            ("P2", "NORDICS", 45.0, 4),
            ("P2", "UK", 68.0, 7),
        ],
        columns=["plant", "region", "cost_per_unit", "transit_days"],
    )
    lanes["cost_per_unit"] = (lanes["cost_per_unit"] * rng.uniform(0.9, 1.1, len(lanes))).round(2)
    lanes["transit_months"] = np.ceil(lanes["transit_days"] / 30 - 0.2).astype(int)
    return lanes


def _planning_costs(g: Draws, products: pd.DataFrame) -> pd.DataFrame:
    """The cost parameters of aggregate planning and the inventory models (2025 bicycle mix)."""
    rng = g.rng
    bikes = products["kind"] == "bike"
    hist = g.mu[:, :, 36:48].sum(axis=(1, 2))[: g.n_bikes]
    hours = {b[0]: sum(HOURS[b[2]].values()) for b in BIKES}
    total_units = hist.sum()
    avg_hours = float(sum(hours[s] * h for s, h in zip(g.skus, hist, strict=False)) / total_units)
    avg_cost = float((products.loc[bikes, "material_cost"].to_numpy() * hist).sum() / total_units)
    avg_std = float((products.loc[bikes, "standard_cost"].to_numpy() * hist).sum() / total_units)
    workforce = round(total_units / 12 * avg_hours / 140)
    holding_rate = round(rng.uniform(0.2, 0.25), 3)
    params = [
        (
            "holding_rate",
            holding_rate,
            "1/year",
            "Inventory holding cost as a share of unit cost per year",
        ),
        (
            "holding_cost",
            round(avg_std * holding_rate / 12, 2),
            "EUR/unit/month",
            "Holding cost of an average bicycle",
        ),
        (
            "backorder_cost",
            round(rng.uniform(30, 45), 2),
            "EUR/unit/month",
            "Cost of a bicycle backordered for a month",
        ),
        (
            "order_cost",
            round(rng.uniform(150, 220), 2),
            "EUR/order",
            "Fixed cost of a purchase order",
        ),
        (
            "setup_cost",
            round(rng.uniform(400, 550), 2),
            "EUR/setup",
            "Fixed cost of a production batch (line changeover)",
        ),
        (
            "hiring_cost",
            round(rng.uniform(2200, 2800), 2),
            "EUR/worker",
            "Cost of hiring and training a worker",
        ),
        (
            "layoff_cost",
            round(rng.uniform(3500, 4500), 2),
            "EUR/worker",
            "Cost of laying off a worker",
        ),
        (
            "regular_cost_per_hour",
            38.0,
            "EUR/h",
            "Regular labour cost per hour (aggregate planning)",
        ),
        ("overtime_cost_per_hour", 57.0, "EUR/h", "Overtime labour cost per hour"),
        ("regular_hours_per_worker", 140.0, "h/month", "Regular hours per worker per month"),
        ("max_overtime_per_worker", 20.0, "h/month", "Overtime hours a worker may do per month"),
        (
            "initial_workforce",
            float(workforce),
            "workers",
            "Direct workers at the start of 2026-01",
        ),
        (
            "hours_per_unit",
            round(avg_hours, 3),
            "h/unit",
            "Average direct hours per bicycle (2025 mix)",
        ),
        (
            "material_cost",
            round(avg_cost, 2),
            "EUR/unit",
            "Average material cost per bicycle (2025 mix)",
        ),
        (
            "subcontract_cost",
            round(avg_std * rng.uniform(1.1, 1.2), 2),
            "EUR/unit",
            "Cost of a bicycle assembled by a subcontractor",
        ),
        ("max_subcontract", 400.0, "units/month", "Subcontractor capacity per month"),
        (
            "overhead_rate",
            OVERHEAD_RATE,
            "fraction of labour",
            "Overhead absorbed per EUR of direct labour",
        ),
        (
            "lost_sale_cost",
            round(rng.uniform(250, 350), 2),
            "EUR/unit",
            "Margin and goodwill lost per bicycle not delivered",
        ),
    ]
    return pd.DataFrame(params, columns=SCHEMA["planning_costs"].column_names)
