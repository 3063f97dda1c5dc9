"""The facts of Tallridge Cycles that every data variant shares.

Markets, products (bicycles, spare parts, accessories) and their launches, the calendar of
promotions, bought components and subassemblies, plants, work centres and hours per unit,
customers and sales stages: the structure of the company. The numbers a seed varies around
these are drawn in :mod:`sopcourse.datasets.draws`; the time axis is month indices
``t = 0 .. N_ALL - 1`` from :data:`T0` (2022-01), turned into months by
:func:`month_periods`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .schema import HISTORY_START

# --------------------------------------------------------------------------- calendar
T0 = pd.Period(HISTORY_START, "M")
N_HIST = 48  # 2022-01..2025-12
N_PLAN = 18  # 2026-01..2027-06
N_ALL = 72  # arrays run to 2027-12 so that the 2027 targets have a full year
PLAN_T = N_HIST  # index of the planning month 2026-01
SHORTAGE_T = np.arange(28, 32)  # 2024-05..2024-08
SHORTAGE_COMPONENT = "DRT-12"
YEARS = np.arange(2022, 2028)
PRICE_INDEX = {2022: 0.94, 2023: 0.96, 2024: 0.98, 2025: 1.00, 2026: 1.02, 2027: 1.04}

REGIONS = [
    # region, name, payment terms (days), usual discount, share of bicycle demand
    ("DACH", "Germany, Austria, Switzerland", 30, 0.08, 0.38),
    ("BENELUX", "Belgium, Netherlands, Luxembourg", 45, 0.10, 0.27),
    ("NORDICS", "Denmark, Norway, Sweden, Finland", 30, 0.06, 0.17),
    ("UK", "United Kingdom and Ireland", 60, 0.12, 0.18),
]
REGION_CODES = [r[0] for r in REGIONS]
# Relative strength of each family by market (multiplies the market share).
FAMILY_REGION_TILT = {
    "road": [1.0, 0.9, 1.1, 1.1],
    "mountain": [1.2, 0.5, 1.1, 1.3],
    "city": [0.9, 1.5, 0.9, 0.6],
    "ebike": [1.1, 1.4, 0.7, 0.6],
    "parts": [1.0, 1.0, 1.0, 1.0],
    "accessories": [1.0, 1.0, 1.0, 1.0],
}

# sku, name, family, list price (EUR, 2025), monthly units (all markets, 2025 level),
# frame, wheelset, drivetrain, launch month index, end-of-life month index (or None)
BIKES = [
    ("RD-200", "Ridge Road 200", "road", 1190, 260, "FRM-RD-AL", "WHL-700", "DRT-11", 0, None),
    ("RD-300", "Ridge Road 300", "road", 1490, 210, "FRM-RD-AL", "WHL-700", "DRT-11", 0, None),
    (
        "RD-500",
        "Ridge Road 500 Carbon",
        "road",
        2690,
        120,
        "FRM-RD-CB",
        "WHL-700",
        "DRT-12",
        0,
        None,
    ),
    (
        "RD-600",
        "Ridge Road 600 Aero",
        "road",
        3690,
        80,
        "FRM-RD-CBX",
        "WHL-700",
        "DRT-12",
        39,
        None,
    ),
    (
        "RD-700",
        "Ridge Road 700 Carbon",
        "road",
        3990,
        55,
        "FRM-RD-CBX",
        "WHL-700",
        "DRT-12",
        0,
        None,
    ),
    ("GR-400", "Ridge Gravel 400", "road", 1890, 150, "FRM-RD-AL", "WHL-700", "DRT-12", 0, None),
    (
        "MT-200",
        "Summit Hardtail 200",
        "mountain",
        1090,
        170,
        "FRM-MT-AL",
        "WHL-29",
        "DRT-11",
        0,
        None,
    ),
    ("MT-300", "Summit Trail 300", "mountain", 1590, 190, "FRM-MT-AL", "WHL-29", "DRT-11", 0, None),
    ("MT-500", "Summit Trail 500", "mountain", 1890, 150, "FRM-MT-AL", "WHL-29", "DRT-12", 0, None),
    ("MT-700", "Summit Enduro 700", "mountain", 2890, 80, "FRM-MT-AL", "WHL-29", "DRT-12", 0, None),
    ("MT-900", "Summit XC 900", "mountain", 3490, 40, "FRM-MT-AL", "WHL-29", "DRT-12", 0, None),
    ("CT-100", "Canal City 100", "city", 649, 230, "FRM-CT-ST", "WHL-700", "DRT-HUB", 0, 35),
    ("CT-200", "Canal City 200", "city", 749, 200, "FRM-CT-ST", "WHL-700", "DRT-HUB", 0, 50),
    ("CT-300", "Canal City 300", "city", 849, 240, "FRM-CT-ST", "WHL-700", "DRT-HUB", 0, None),
    (
        "CT-350",
        "Canal City 350 Step-through",
        "city",
        899,
        180,
        "FRM-CT-ST",
        "WHL-700",
        "DRT-HUB",
        0,
        None,
    ),
    ("CT-500", "Canal Commuter 500", "city", 1090, 120, "FRM-CT-ST", "WHL-700", "DRT-HUB", 0, None),
    ("EB-100", "Volt City", "ebike", 2490, 260, "FRM-EB-AL", "WHL-700", "DRT-EB", 14, None),
    ("EB-300", "Volt Trekking", "ebike", 2990, 160, "FRM-EB-AL", "WHL-700", "DRT-EB", 20, None),
    ("EB-500", "Volt Mountain", "ebike", 3790, 90, "FRM-EB-AL", "WHL-29", "DRT-EB", 27, None),
    ("EB-700", "Volt Cargo", "ebike", 3890, 70, "FRM-EB-AL", "WHL-700", "DRT-EB", 51, None),
]
CARBON_WHEELS = {"RD-600", "RD-700"}  # bought carbon wheelsets instead of WHL-700
# Bass ramp of each launch: (p, q); like item; cannibalised family and rate.
LAUNCHES = {
    "EB-100": (0.03, 0.35, None, "city", 0.35),
    "EB-300": (0.04, 0.40, "EB-100", "city", 0.15),
    "EB-500": (0.04, 0.40, "EB-100", "mountain", 0.10),
    "RD-600": (0.05, 0.45, "RD-500", "road", 0.20),
    "EB-700": (0.04, 0.40, "EB-300", None, 0.0),
}
# Spare parts and accessories: sku, name, family, kind, list price, mean units per
# ordering month, probability of an ordering month, launch month index.
SPARES = [
    ("BAT-500", "Replacement battery 500 Wh", "parts", "part", 640, 14, 0.45, 14),
    ("WHL-700", "Replacement wheelset 700c", "parts", "part", 260, 22, 0.40, 0),
    ("AC-LOCK", "Folding lock", "accessories", "accessory", 79, 40, 0.45, 0),
    ("AC-LIGHT", "Light set", "accessories", "accessory", 49, 55, 0.40, 0),
    ("AC-RACK", "Rear rack", "accessories", "accessory", 69, 30, 0.35, 0),
    ("AC-BAG", "Pannier bag", "accessories", "accessory", 89, 25, 0.35, 0),
]
SEASON = {  # relative monthly demand, January..December
    "road": [0.50, 0.65, 1.00, 1.35, 1.50, 1.40, 1.20, 1.05, 0.90, 0.70, 0.40, 0.35],
    "mountain": [0.45, 0.55, 0.90, 1.25, 1.50, 1.55, 1.35, 1.15, 0.95, 0.65, 0.35, 0.35],
    "city": [0.75, 0.80, 1.05, 1.20, 1.20, 1.15, 1.05, 1.05, 1.10, 0.95, 0.80, 0.90],
    "ebike": [0.60, 0.70, 1.05, 1.35, 1.40, 1.30, 1.15, 1.05, 1.00, 0.85, 0.65, 0.90],
    "parts": [1.0] * 12,
    "accessories": [0.8, 0.8, 1.1, 1.3, 1.3, 1.1, 1.0, 1.0, 0.9, 0.8, 0.8, 1.1],
}
GROWTH = {"road": 0.04, "mountain": 0.06, "city": -0.02, "ebike": 0.08}
# Past and planned promotions: id, kind, family, sku, regions, start, end (month indices),
# discount, description. Calendar fixed across seeds; discounts vary slightly.
_PROMOS = []
# The month of each recurring promotion moves from year to year, so that its lift can be
# told apart from the season.
_ROAD = [2, 4, 3, 5, 2, 4]
_MOUNTAIN = [4, 6, 3, 5, 4, 6]
_CITY = [8, 5, 9, 6, 8, 5]
_CLEAR = [9, 10, 8, 9, 10, 8]
for _y in range(6):
    _o = 12 * _y
    _PROMOS += [
        (
            f"PR{2022 + _y}-01",
            "promotion",
            "road",
            None,
            ["DACH"],
            _o + _ROAD[_y],
            _o + _ROAD[_y],
            0.10,
            "Spring road offer",
        ),
        (
            f"PR{2022 + _y}-02",
            "promotion",
            "mountain",
            None,
            ["UK"],
            _o + _MOUNTAIN[_y],
            _o + _MOUNTAIN[_y] + 1,
            0.12,
            "Trail season offer",
        ),
        (
            f"PR{2022 + _y}-03",
            "promotion",
            "city",
            None,
            ["BENELUX"],
            _o + _CITY[_y],
            _o + _CITY[_y],
            0.15,
            "Back to work offer",
        ),
        (
            f"PR{2022 + _y}-04",
            "promotion",
            ["road", "mountain", "city", "road", "mountain", "city"][_y],
            None,
            ["NORDICS"],
            _o + _CLEAR[_y],
            _o + _CLEAR[_y],
            0.18,
            "End of season clearance",
        ),
        (
            f"EV{2022 + _y}-01",
            "event",
            "road",
            None,
            ["DACH", "BENELUX"],
            _o + 6,
            _o + 6,
            0.0,
            "Summer trade fair",
        ),
    ]
for _sku, (_p, _q, _like, _cf, _cr) in LAUNCHES.items():
    _lt = next(b[8] for b in BIKES if b[0] == _sku)
    _fam = next(b[2] for b in BIKES if b[0] == _sku)
    _PROMOS.append(
        (
            f"LA-{_sku}",
            "launch",
            _fam,
            _sku,
            REGION_CODES,
            _lt,
            _lt + 1,
            0.0,
            f"Launch campaign {_sku}",
        )
    )
PROMOS = [p for p in _PROMOS if p[5] < N_HIST + N_PLAN]  # up to 2027-06

PROMO_ELASTICITY = 3.0  # lift = elasticity x discount
POST_PROMO_DIP = 0.35  # next month loses this share of the extra units
EVENT_LIFT = 0.08

# Bought components: item, description, supplier, lead time (months), lead time sd,
# MOQ, unit cost.
COMPONENTS = [
    ("TUB-AL", "Aluminium tubeset", "Alutec Tubes (CZ)", 1, 0.3, 200, 48.0),
    ("TUB-ST", "Steel tubeset", "Alutec Tubes (CZ)", 1, 0.3, 200, 31.0),
    ("PNT-L", "Powder coat paint (litre)", "Farbwerk Coatings (DE)", 1, 0.2, 100, 18.0),
    ("FRM-RD-CB", "Carbon road frame", "Formosa Carbon (TW)", 3, 0.8, 50, 410.0),
    ("FRM-RD-CBX", "Carbon road frame, premium", "Formosa Carbon (TW)", 3, 0.8, 50, 780.0),
    ("WHL-CB", "Carbon wheelset (bought)", "Formosa Carbon (TW)", 3, 0.8, 50, 520.0),
    ("FRK-SUS", "Suspension fork", "Alpenfeder Suspension (AT)", 2, 0.6, 100, 190.0),
    ("RIM-700", "Rim 700c", "Velomax Rims (PT)", 2, 0.5, 500, 22.0),
    ("RIM-29", "Rim 29 inch", "Velomax Rims (PT)", 2, 0.5, 500, 26.0),
    ("HUB-F", "Front hub", "Kaito Components (TW)", 3, 0.8, 500, 14.0),
    ("HUB-R", "Rear hub", "Kaito Components (TW)", 3, 0.8, 500, 27.0),
    ("SPK", "Spoke", "Velomax Rims (PT)", 2, 0.5, 20000, 0.35),
    ("TYR-700", "Tyre 700c", "Gummiwerk Tyres (DE)", 1, 0.3, 500, 11.0),
    ("TYR-29", "Tyre 29 inch", "Gummiwerk Tyres (DE)", 1, 0.3, 500, 15.0),
    ("DRT-11", "Drivetrain group 11-speed", "Kaito Components (TW)", 4, 1.0, 200, 145.0),
    ("DRT-12", "Drivetrain group 12-speed", "Kaito Components (TW)", 4, 1.2, 200, 260.0),
    ("DRT-HUB", "Hub gear drivetrain 7-speed", "Kaito Components (TW)", 3, 0.8, 200, 70.0),
    ("DRT-EB", "E-bike drivetrain", "Kaito Components (TW)", 4, 1.0, 200, 180.0),
    ("BAT-500", "Battery 500 Wh", "Nordvolt Cells (PL)", 3, 0.7, 100, 390.0),
    ("MOT-250", "Mid motor 250 W", "Nordvolt Cells (PL)", 3, 0.7, 100, 330.0),
    (
        "KIT-FIN-B",
        "Finishing kit, basic (saddle, bar, stem, brakes)",
        "Lenkwerk Parts (DE)",
        1,
        0.3,
        200,
        45.0,
    ),
    ("KIT-FIN-S", "Finishing kit, sport", "Lenkwerk Parts (DE)", 1, 0.3, 200, 110.0),
    ("KIT-FIN-P", "Finishing kit, premium", "Lenkwerk Parts (DE)", 1, 0.3, 100, 290.0),
    ("KIT-CITY", "City kit (fenders, rack, lights)", "Lenkwerk Parts (DE)", 1, 0.3, 200, 35.0),
    ("AC-LOCK", "Folding lock", "Lenkwerk Parts (DE)", 1, 0.3, 50, 31.0),
    ("AC-LIGHT", "Light set", "Lenkwerk Parts (DE)", 1, 0.3, 50, 17.0),
    ("AC-RACK", "Rear rack", "Lenkwerk Parts (DE)", 1, 0.3, 50, 24.0),
    ("AC-BAG", "Pannier bag", "Lenkwerk Parts (DE)", 1, 0.3, 50, 33.0),
]
SUBASSEMBLIES = [
    ("FRM-RD-AL", "Aluminium road frame, welded and painted", [("TUB-AL", 1), ("PNT-L", 0.4)]),
    ("FRM-MT-AL", "Aluminium mountain frame, welded and painted", [("TUB-AL", 1), ("PNT-L", 0.5)]),
    ("FRM-CT-ST", "Steel city frame, welded and painted", [("TUB-ST", 1), ("PNT-L", 0.5)]),
    ("FRM-EB-AL", "Aluminium e-bike frame, welded and painted", [("TUB-AL", 1), ("PNT-L", 0.5)]),
    (
        "WHL-700",
        "Wheelset 700c",
        [("RIM-700", 2), ("HUB-F", 1), ("HUB-R", 1), ("SPK", 64), ("TYR-700", 2)],
    ),
    (
        "WHL-29",
        "Wheelset 29 inch",
        [("RIM-29", 2), ("HUB-F", 1), ("HUB-R", 1), ("SPK", 64), ("TYR-29", 2)],
    ),
]
PLANTS = [("P1", "Tallridge Apeldoorn", "Netherlands"), ("P2", "Tallridge Wroclaw", "Poland")]
# Plants that make each family (first = main plant, whose labour cost is in the standard cost).
FAMILY_PLANTS = {"road": ["P1", "P2"], "mountain": ["P1", "P2"], "city": ["P2"], "ebike": ["P1"]}
# Hours per unit by family at the main plant: welding, painting, wheel building, assembly,
# battery fitting; and the offset (months before completion).
HOURS = {
    "road": {"welding": 1.1, "painting": 0.55, "wheel_building": 0.8, "assembly": 1.5},
    "mountain": {"welding": 1.3, "painting": 0.65, "wheel_building": 0.9, "assembly": 1.7},
    "city": {"welding": 0.9, "painting": 0.6, "wheel_building": 0.8, "assembly": 1.3},
    "ebike": {
        "welding": 1.3,
        "painting": 0.65,
        "wheel_building": 0.8,
        "assembly": 2.2,
        "battery_fitting": 0.6,
    },
}
OFFSET = {"welding": 1, "painting": 1, "wheel_building": 1, "assembly": 0, "battery_fitting": 0}
# plant, work centre, units, shifts, hours per shift, cost per hour
WORK_CENTRES = [
    ("P1", "welding", 13, 2, 7.5, 42.0),
    ("P1", "painting", 4, 2, 7.5, 40.0),
    ("P1", "wheel_building", 10, 2, 7.5, 36.0),
    ("P1", "assembly", 21, 2, 7.5, 38.0),
    ("P1", "battery_fitting", 3, 2, 7.5, 41.0),
    ("P2", "welding", 8, 2, 7.5, 24.0),
    ("P2", "painting", 4, 2, 7.5, 23.0),
    ("P2", "wheel_building", 7, 2, 7.5, 21.0),
    ("P2", "assembly", 12, 2, 7.5, 22.0),
]
OVERHEAD_RATE = 0.6
CUSTOMERS_PER_REGION = [  # channel, class, share of the market's orders
    ("key_account", "A", 0.34),
    ("online", "A", 0.20),
    ("dealer", "B", 0.16),
    ("dealer", "B", 0.12),
    ("dealer", "C", 0.10),
    ("online", "C", 0.08),
]
CUSTOMER_NAMES = {
    "DACH": [
        "Radhaus Gruppe",
        "Velonet",
        "Zweirad Huber",
        "Bike Kontor",
        "Radl Stadl",
        "Pedalo Shop",
    ],
    "BENELUX": [
        "Fietsplein",
        "Tweewieler.nl",
        "Velo Vanderbeek",
        "De Trapper",
        "Fietsen Jansen",
        "Rijwielweb",
    ],
    "NORDICS": [
        "Nordsykkel",
        "Cykelbolaget",
        "Polkupyora Oy",
        "Fjell Sykler",
        "Sykkelsmia",
        "Cykelnet",
    ],
    "UK": [
        "Britannia Cycles",
        "SpokeDirect",
        "Pedal & Co",
        "Hilltop Bikes",
        "Canal Cycles",
        "Chainline Online",
    ],
}
STAGE_PROB = {"prospect": 0.10, "qualify": 0.25, "propose": 0.50, "negotiate": 0.75, "commit": 0.90}
# True win rates: calibrated early, optimistic in late stages (planted).
STAGE_TRUE = {"prospect": 0.09, "qualify": 0.24, "propose": 0.35, "negotiate": 0.5, "commit": 0.72}

BUDGET_BIAS = {
    "road": 1.04,
    "mountain": 1.06,
    "city": 1.12,
    "ebike": 0.85,
    "parts": 1.0,
    "accessories": 1.0,
}


def customer_code(region: str, k: int) -> str:
    """The code of the ``k``-th customer (0-based) of a market, e.g. ``C-DA01``."""
    return f"C-{region[:2]}{k + 1:02d}"


def month_periods(t) -> pd.PeriodIndex:
    """The months of month indices ``t`` (0 = :data:`T0`, 2022-01)."""
    return pd.period_range(T0, periods=N_ALL, freq="M")[np.asarray(t)]


def bass_cdf(tau, p, q):
    """Bass cumulative adoption F(tau) (0 before launch)."""
    tau = np.asarray(tau, dtype=float)
    e = np.exp(-(p + q) * np.clip(tau, 0, None))
    out = (1 - e) / (1 + q / p * e)
    return np.where(tau > 0, out, 0.0)
