"""The master tables: products, regions, customers, plants, work centres, routings, bill
of materials and items (with their standard costs rolled up from the components)."""

from __future__ import annotations

import pandas as pd

from .catalogue import (
    BIKES,
    CARBON_WHEELS,
    COMPONENTS,
    CUSTOMER_NAMES,
    CUSTOMERS_PER_REGION,
    FAMILY_PLANTS,
    HOURS,
    N_HIST,
    OFFSET,
    OVERHEAD_RATE,
    PLANTS,
    REGION_CODES,
    REGIONS,
    SPARES,
    SUBASSEMBLIES,
    WORK_CENTRES,
    customer_code,
    month_periods,
)
from .draws import Draws
from .schema import SCHEMA

__all__ = ["bom_rows", "master_tables"]


def _frame(table: str, data: dict) -> pd.DataFrame:
    return pd.DataFrame(data, columns=SCHEMA[table].column_names)


def bom_rows():
    rows = []
    for b in BIKES:
        sku, fam, frame, wheel, drive = b[0], b[2], b[5], b[6], b[7]
        price = b[3]
        kit = "KIT-FIN-B" if price < 1000 else ("KIT-FIN-S" if price < 2500 else "KIT-FIN-P")
        if sku in CARBON_WHEELS:
            wheel = "WHL-CB"
        rows += [(sku, frame, 1.0), (sku, wheel, 1.0), (sku, drive, 1.0), (sku, kit, 1.0)]
        if (fam == "mountain" and price >= 1200) or sku == "EB-500":
            rows.append((sku, "FRK-SUS", 1.0))
        if fam == "city":
            rows.append((sku, "KIT-CITY", 1.0))
        if fam == "ebike":
            rows += [(sku, "BAT-500", 1.0), (sku, "MOT-250", 1.0)]
    for item, _desc, comps in SUBASSEMBLIES:
        rows += [(item, c, float(q)) for c, q in comps]
    return rows


def _routing_rows():
    rows = []
    for b in BIKES:
        sku, fam, frame = b[0], b[2], b[5]
        for k, plant in enumerate(FAMILY_PLANTS[fam]):
            slower = 1.0 if k == 0 else 1.12
            for wc, h in HOURS[fam].items():
                if frame.startswith("FRM-RD-CB") and wc in ("welding", "painting"):
                    continue  # carbon frames arrive welded and painted
                if sku in CARBON_WHEELS and wc == "wheel_building":
                    continue  # carbon wheelsets are bought
                rows.append((sku, plant, wc, round(h * slower, 2), OFFSET[wc]))
    for k, plant in enumerate(["P1", "P2"]):
        rows.append(
            ("WHL-700", plant, "wheel_building", round(0.8 * (1.0 if k == 0 else 1.12), 2), 0)
        )
    return rows


def master_tables(g: Draws) -> dict[str, pd.DataFrame]:
    rng = g.rng
    regions = _frame(
        "regions",
        {
            "region": REGION_CODES,
            "name": [r[1] for r in REGIONS],
            "currency": ["EUR"] * 4,
            "payment_terms_days": [r[2] for r in REGIONS],
            "regional_discount": [r[3] for r in REGIONS],
        },
    )
    cust = []
    for r in REGION_CODES:
        for k, (channel, cls, _share) in enumerate(CUSTOMERS_PER_REGION):
            cust.append((customer_code(r, k), CUSTOMER_NAMES[r][k], r, channel, cls))
    customers = pd.DataFrame(cust, columns=SCHEMA["customers"].column_names)
    plants = pd.DataFrame(PLANTS, columns=SCHEMA["plants"].column_names)
    wc_rows = []
    for plant, wc, units, shifts, hps, cph in WORK_CENTRES:
        cph = round(cph * rng.uniform(0.97, 1.03), 2)
        wc_rows.append(
            (
                plant,
                wc,
                units,
                shifts,
                hps,
                20.0,
                round(rng.uniform(0.84, 0.92), 2),
                round(rng.uniform(0.90, 1.0), 2),
                cph,
                round(cph * 1.5, 2),
                float(units * 40),
            )
        )
    work_centres = pd.DataFrame(wc_rows, columns=SCHEMA["work_centres"].column_names)
    routings = pd.DataFrame(_routing_rows(), columns=SCHEMA["routings"].column_names)
    bom = pd.DataFrame(bom_rows(), columns=SCHEMA["bom"].column_names)
    # Item costs: bought components (seed varies them a little), then roll-ups.
    unit_cost = {c[0]: round(c[6] * g.cost_factor[k], 2) for k, c in enumerate(COMPONENTS)}
    for item, _desc, comps in SUBASSEMBLIES:
        unit_cost[item] = round(sum(unit_cost[c] * q for c, q in comps), 2)
    rate = work_centres.set_index(["plant", "work_centre"])["cost_per_hour"]
    prod_rows, item_rows = [], []
    list_price = g.list_price_cents() / 100
    for i, sku in enumerate(g.skus):
        fam = g.family[i]
        if i < g.n_bikes:
            b = BIKES[i]
            material = round(sum(unit_cost[c] * q for p, c, q in bom_rows() if p == sku), 2)
            main = FAMILY_PLANTS[fam][0]
            r = routings[(routings["sku"] == sku) & (routings["plant"] == main)]
            labour = round(
                float(
                    sum(
                        h * rate[(main, wc)]
                        for wc, h in zip(r["work_centre"], r["hours_per_unit"], strict=True)
                    )
                ),
                2,
            )
            kind, launch, eol = "bike", b[8], b[9]
        else:
            s = SPARES[i - g.n_bikes]
            kind, launch, eol = s[3], s[7], None
            material = unit_cost[sku]
            labour = round(0.8 * rate[("P1", "wheel_building")], 2) if sku == "WHL-700" else 0.0
        overhead = round(OVERHEAD_RATE * labour, 2)
        std = round(material + labour + overhead, 2)
        if launch > N_HIST - 1:
            status = "planned"
        elif eol is not None and eol < N_HIST:
            status = "discontinued"
        elif eol is not None:
            status = "end_of_life"
        elif launch >= N_HIST - 12 and i < g.n_bikes:
            status = "new"
        else:
            status = "active"
        name = BIKES[i][1] if i < g.n_bikes else SPARES[i - g.n_bikes][1]
        prod_rows.append(
            (
                sku,
                name,
                fam,
                kind,
                list_price[i],
                material,
                labour,
                overhead,
                std,
                status,
                month_periods(launch),
                month_periods(eol) if eol is not None else None,
            )
        )
        if i < g.n_bikes:
            item_rows.append((sku, name, "finished_good", "make", None, 1, 0.2, 10, std))
    products = pd.DataFrame(prod_rows, columns=SCHEMA["products"].column_names)
    for item, desc, _comps in SUBASSEMBLIES:
        item_rows.append((item, desc, "subassembly", "make", None, 1, 0.2, 50, unit_cost[item]))
    for item, desc, supplier, lt, lt_sd, moq, _cost in COMPONENTS:
        itype = "merchandise" if item.startswith("AC-") else "component"
        sd = round(lt_sd * rng.uniform(0.8, 1.25), 2)
        item_rows.append((item, desc, itype, "buy", supplier, lt, sd, moq, unit_cost[item]))
    items = pd.DataFrame(item_rows, columns=SCHEMA["items"].column_names)
    return {
        "products": products,
        "regions": regions,
        "customers": customers,
        "plants": plants,
        "work_centres": work_centres,
        "routings": routings,
        "bom": bom,
        "items": items,
    }
