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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .schema import HISTORY_START, SCHEMA

__all__ = ["generate", "STANDARD_SEED"]

STANDARD_SEED = 0

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


def _customer_code(region: str, k: int) -> str:
    return f"C-{region[:2]}{k + 1:02d}"


def _months(t) -> pd.PeriodIndex:
    return pd.period_range(T0, periods=N_ALL, freq="M")[np.asarray(t)]


def _bass_cdf(tau, p, q):
    """Bass cumulative adoption F(tau) (0 before launch)."""
    tau = np.asarray(tau, dtype=float)
    e = np.exp(-(p + q) * np.clip(tau, 0, None))
    out = (1 - e) / (1 + q / p * e)
    return np.where(tau > 0, out, 0.0)


class _Gen:
    """Holds the random draws shared between tables of one seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self.rng = np.random.default_rng(self.seed)
        rng = self.rng
        self.skus = [b[0] for b in BIKES] + [s[0] for s in SPARES]
        self.n_bikes = len(BIKES)
        self.family = np.array([b[2] for b in BIKES] + [s[2] for s in SPARES])
        self.launch = np.array([b[8] for b in BIKES] + [s[7] for s in SPARES])
        self.eol = np.array(
            [b[9] if b[9] is not None else 10**6 for b in BIKES] + [10**6] * len(SPARES)
        )
        self.drivetrain = [b[7] for b in BIKES] + [None] * len(SPARES)
        # Seed-dependent numbers.
        self.price_factor = rng.uniform(0.97, 1.03, len(self.skus))
        self.level_factor = rng.uniform(0.85, 1.15, len(self.skus))
        self.growth = {f: g + rng.normal(0, 0.015) for f, g in GROWTH.items()}
        self.season_amp = rng.uniform(0.85, 1.15)
        self.lift_factor = rng.uniform(0.8, 1.2)
        self.shortage_fill = rng.uniform(0.45, 0.7, len(SHORTAGE_T))
        self.noise_shape = 60.0
        self.region_share = np.array([r[4] for r in REGIONS]) * rng.uniform(0.9, 1.1, 4)
        self.region_share /= self.region_share.sum()
        self.discounts = {
            p[0]: round(p[7] * rng.uniform(0.85, 1.15), 2) if p[7] else 0.0 for p in PROMOS
        }
        self.cost_factor = rng.uniform(0.95, 1.05, len(COMPONENTS))

    # ------------------------------------------------------------------ demand model
    def demand(self):
        S, R, T = len(self.skus), 4, N_ALL
        t = np.arange(T)
        moy = t % 12
        mu0 = np.zeros((S, R, T))
        for i, b in enumerate(BIKES):
            sku, fam = b[0], b[2]
            season = 1 + self.season_amp * (np.array(SEASON[fam]) / np.mean(SEASON[fam]) - 1)
            trend = (1 + self.growth[fam]) ** ((t - 41.5) / 12)
            level = b[4] * self.level_factor[i] * trend * season[moy]
            life = (t >= b[8]).astype(float)
            if sku in LAUNCHES:
                p, q = LAUNCHES[sku][:2]
                life = _bass_cdf(t - b[8] + 1, p, q)
                level = (
                    b[4]
                    * self.level_factor[i]
                    * season[moy]
                    * (1 + self.growth[fam]) ** (np.clip(t - b[8] - 24, 0, None) / 12)
                )
            if b[9] is not None:
                decline = np.clip((b[9] - t + 1) / 10, 0.2, 1.0)
                life = life * np.where(t <= b[9], decline, 0.0)
            tilt = np.array(FAMILY_REGION_TILT[fam]) * self.region_share
            tilt = tilt / tilt.sum()
            mu0[i] = tilt[:, None] * (level * life)[None, :]
        # Cannibalisation: launches take units from a family, spread over its SKUs.
        for sku, (_p, _q, _like, cfam, crate) in LAUNCHES.items():
            if not cfam:
                continue
            j = self.skus.index(sku)
            victims = [
                i for i in range(self.n_bikes) if self.family[i] == cfam and self.skus[i] != sku
            ]
            total = mu0[victims].sum(axis=0)
            taken = crate * mu0[j]
            factor = np.clip(
                1 - np.divide(taken, total, out=np.zeros_like(total), where=total > 0), 0.3, 1
            )
            mu0[victims] *= factor[None]
        # Promotions and events.
        mult = np.ones((S, R, T))
        disc = np.zeros((S, R, T))
        promo = np.zeros((S, R, T), dtype=bool)
        for p in PROMOS:
            pid, kind, fam, sku, regions, start, end = p[:7]
            rows = (
                [self.skus.index(sku)]
                if sku
                else [i for i in range(self.n_bikes) if self.family[i] == fam]
            )
            cols = [REGION_CODES.index(r) for r in regions]
            months = np.arange(start, end + 1)
            ix = np.ix_(rows, cols, months)
            if kind == "promotion":
                d = self.discounts[pid]
                lift = PROMO_ELASTICITY * d * self.lift_factor
                mult[ix] *= 1 + lift
                disc[ix] = d
                promo[ix] = True
                if end + 1 < T:
                    mult[np.ix_(rows, cols, [end + 1])] *= 1 - POST_PROMO_DIP * lift
            elif kind == "event":
                mult[ix] *= 1 + EVENT_LIFT
        self.mu0, self.mult, self.disc, self.promo = mu0, mult, disc, promo
        self.mu = mu0 * mult
        # Spare parts: intermittent. Mean per month = probability x size.
        for k, s in enumerate(SPARES):
            i = self.n_bikes + k
            prob = np.full(T, s[6])
            if s[0] == "BAT-500":  # grows with the e-bikes on the road
                prob = np.clip(s[6] * (t - s[7]) / 30, 0.12, s[6])
            prob = np.where(t >= s[7], prob, 0.0)
            season = np.array(SEASON[s[2]])[moy]
            self.mu[i] = (prob * s[5] * season)[None, :] / 4
            self.mu0[i] = self.mu[i]
        return self.mu

    def on_sale(self):
        """Boolean (S, T): the SKU is on sale in the month."""
        t = np.arange(N_ALL)
        return (t[None, :] >= self.launch[:, None]) & (t[None, :] <= self.eol[:, None])

    def draw_sales(self):
        rng = self.rng
        S, R, T = len(self.skus), 4, N_HIST
        mu = self.mu[:, :, :T]
        gamma = rng.gamma(self.noise_shape, 1 / self.noise_shape, size=mu.shape)
        ordered = rng.poisson(mu * gamma)
        for k, s in enumerate(SPARES):
            i = self.n_bikes + k
            t = np.arange(T)
            prob = np.full(T, s[6])
            if s[0] == "BAT-500":
                prob = np.clip(s[6] * (t - s[7]) / 30, 0.12, s[6])
            eligible = np.flatnonzero(t >= s[7])
            weight = prob[eligible]
            n_occ = int(np.clip(rng.binomial(len(eligible), weight.mean()), 8, len(eligible) // 2))
            months = np.sort(rng.choice(eligible, n_occ, replace=False, p=weight / weight.sum()))
            size = np.maximum(1, np.round(rng.gamma(2.0, s[5] / 2.0, n_occ)))
            # An ordering month goes to one or two markets; every market orders at least once.
            first = rng.integers(0, R, n_occ)
            first[rng.choice(n_occ, R, replace=False)] = rng.permutation(R)
            second = rng.integers(0, R, n_occ)
            two = (rng.random(n_occ) < 0.4) & (size >= 2)
            a = np.where(
                two, np.clip(np.round(size * rng.uniform(0.3, 0.7, n_occ)), 1, size - 1), size
            )
            units = np.zeros((R, T))
            units[first, months] += a
            units[second, months] += np.where(two, size - a, 0)
            ordered[i] = units.astype(int)
        on = self.on_sale()[:, :T]
        ordered = ordered * on[:, None, :]
        # Shipments: small misses as usual (more at the spring peak), big ones in the shortage.
        miss_p = np.where(np.isin(np.arange(T) % 12, [3, 4]), 0.03, 0.008)
        shipped = ordered - rng.binomial(ordered, np.broadcast_to(miss_p, ordered.shape))
        uses = np.array([d == SHORTAGE_COMPONENT for d in self.drivetrain])
        for k, tt in enumerate(SHORTAGE_T):
            frac = self.shortage_fill[k] * rng.uniform(0.9, 1.05, size=(uses.sum(), R))
            shipped[uses, :, tt] = np.minimum(
                shipped[uses, :, tt], np.floor(ordered[uses, :, tt] * frac)
            )
        self.ordered, self.shipped = ordered.astype(np.int64), shipped.astype(np.int64)
        # Net price in cents.
        years = T0.year + np.arange(N_ALL) // 12
        pidx = np.array([PRICE_INDEX[y] for y in years])
        list_price = self.list_price_cents()
        regdisc = np.array([r[3] for r in REGIONS])
        noise = rng.normal(0, 0.008, size=(S, R, N_ALL))
        price = (
            list_price[:, None, None]
            / 100
            * pidx[None, None, :]
            * (1 - regdisc[None, :, None])
            * (1 - self.disc)
            * (1 + noise)
        )
        self.price_cents = np.round(price * 100).astype(np.int64)
        plan_price = (
            list_price[:, None, None]
            / 100
            * pidx[None, None, :]
            * (1 - regdisc[None, :, None])
            * (1 - self.disc)
        )
        self.plan_price_cents = np.round(plan_price * 100).astype(np.int64)

    def list_price_cents(self):
        """List prices of the 2025 price list, whole euros, in cents."""
        base = np.array([b[3] for b in BIKES] + [s[4] for s in SPARES], dtype=float)
        return np.round(base * self.price_factor) * 100


def _frame(table: str, data: dict) -> pd.DataFrame:
    return pd.DataFrame(data, columns=SCHEMA[table].column_names)


def generate(seed: int = STANDARD_SEED) -> dict[str, pd.DataFrame]:
    """Build every table of the company from a seed.

    Parameters
    ----------
    seed : int
        0 is the standard data (the committed CSV files); any other integer is a variant
        with the same structure and other numbers.

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
    from .load import coerce_table

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, not {seed!r}.")
    if seed < 0:
        raise ValueError(f"seed must be 0 (the standard data) or a positive integer, not {seed}.")
    g = _Gen(int(seed))
    g.demand()
    g.draw_sales()
    raw = {}
    raw.update(_master_tables(g))
    raw["sales"] = _sales(g)
    raw["promotions"] = _promotions(g)
    raw["orders"] = _orders(g)
    raw["forecast_snapshots"] = _snapshots(g)
    raw["pipeline"] = _pipeline(g, raw["customers"])
    raw["npi"] = _npi(g)
    raw["sales_plan"] = _sales_plan(g)
    raw["targets"] = _targets(g, raw["products"])
    raw.update(_supply_tables(g, raw["products"], raw["items"]))
    raw.update(
        _finance(
            g, raw["sales"], raw["products"], raw["sales_plan"], raw["inventory"], raw["items"]
        )
    )
    return {name: coerce_table(name, raw[name]) for name in SCHEMA}


# ---------------------------------------------------------------------- master data
def _bom_rows():
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


def _master_tables(g: _Gen) -> dict[str, pd.DataFrame]:
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
            cust.append((_customer_code(r, k), CUSTOMER_NAMES[r][k], r, channel, cls))
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
    bom = pd.DataFrame(_bom_rows(), columns=SCHEMA["bom"].column_names)
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
            material = round(sum(unit_cost[c] * q for p, c, q in _bom_rows() if p == sku), 2)
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
                _months(launch),
                _months(eol) if eol is not None else None,
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


# ---------------------------------------------------------------------- demand tables
def _cells(mask):
    """Indices (s, r, t) of the True cells of a boolean (S, R, T) array, in s, t, r order."""
    s, t, r = np.nonzero(np.transpose(mask, (0, 2, 1)))
    return s, r, t


def _sales(g: _Gen) -> pd.DataFrame:
    on = g.on_sale()[:, :N_HIST]
    mask = np.broadcast_to(on[:, None, :], g.ordered.shape)
    s, r, t = _cells(mask)
    price = g.price_cents[:, :, :N_HIST][s, r, t]
    shipped = g.shipped[s, r, t]
    df = pd.DataFrame(
        {
            "month": _months(t),
            "sku": np.array(g.skus)[s],
            "region": np.array(REGION_CODES)[r],
            "ordered_units": g.ordered[s, r, t],
            "shipped_units": shipped,
            "net_price": price / 100,
            "revenue": shipped * price / 100,
            "promo": g.promo[s, r, t],
        }
    )
    order = np.lexsort((r, s, t))
    return df.iloc[order].reset_index(drop=True)


def _promotions(g: _Gen) -> pd.DataFrame:
    rows = []
    for p in PROMOS:
        pid, kind, fam, sku, regions, start, end, _d, desc = p
        for reg in regions:
            rows.append(
                (pid, kind, fam, sku, reg, _months(start), _months(end), g.discounts[pid], desc)
            )
    return pd.DataFrame(rows, columns=SCHEMA["promotions"].column_names)


def _orders(g: _Gen) -> pd.DataFrame:
    rng = g.rng
    starts = np.array(
        [p.start_time.to_datetime64() for p in pd.period_range(T0, periods=N_ALL + 1, freq="M")],
        dtype="datetime64[D]",
    )
    shares = np.array([c[2] for c in CUSTOMERS_PER_REGION])
    classes = np.array([c[1] for c in CUSTOMERS_PER_REGION])
    # History: the sales cells with orders; future: the open order book.
    s, r, t = _cells(g.ordered > 0)
    units = g.ordered[s, r, t]
    cell_shipped = g.shipped[s, r, t]
    on = g.on_sale()
    booked = np.zeros((len(g.skus), 4, N_ALL), dtype=np.int64)
    for k, frac in enumerate([0.6, 0.3, 0.1]):
        tt = PLAN_T + k
        booked[:, :, tt] = rng.poisson(g.mu[:, :, tt] * frac) * on[:, None, tt]
    fs, fr, ft = _cells(booked > 0)
    s = np.concatenate([s, fs])
    r = np.concatenate([r, fr])
    t = np.concatenate([t, ft])
    units = np.concatenate([units, booked[fs, fr, ft]])
    cell_shipped = np.concatenate([cell_shipped, np.zeros(len(fs), dtype=np.int64)])
    is_open = np.concatenate([np.zeros(len(units) - len(fs), bool), np.ones(len(fs), bool)])
    split = rng.multinomial(units, shares)  # (cells, 6 customers)
    cell, cust = np.nonzero(split)
    req = split[cell, cust]
    cls = classes[cust]
    # Allocate each cell's shipments over its lines: class A first during the shortage.
    shortage = np.isin(t[cell], SHORTAGE_T)
    prio = np.where(
        shortage,
        np.searchsorted(["A", "B", "C"], cls) + rng.random(len(cell)),
        rng.random(len(cell)) * 3,
    )
    order = np.lexsort((prio, cell))
    cell, cust, req, cls = cell[order], cust[order], req[order], cls[order]
    cum = pd.Series(req).groupby(cell).cumsum().to_numpy() - req
    shipped = np.clip(cell_shipped[cell] - cum, 0, req)
    tt = t[cell]
    dim = (starts[tt + 1] - starts[tt]).astype(int)
    req_date = starts[tt] + (rng.random(len(cell)) * dim).astype(int)
    lead = np.select(
        [cls == "A", cls == "B"],
        [rng.integers(20, 76, len(cell)), rng.integers(10, 46, len(cell))],
        rng.integers(2, 26, len(cell)),
    )
    order_date = req_date - lead
    open_ = is_open[cell]
    order_date = np.where(open_, np.minimum(order_date, np.datetime64("2025-12-31")), order_date)
    spring = np.isin(tt % 12, [3, 4])
    partial = shipped < req
    p_late = np.where(partial, 0.6, np.where(spring, 0.14, 0.05))
    late = rng.random(len(cell)) < p_late
    delay = np.where(late, rng.integers(1, 15, len(cell)), rng.integers(-4, 1, len(cell)))
    ship_date = req_date + delay
    ship_date = np.minimum(ship_date, starts[tt + 1] - 1)
    ship_date = np.maximum(ship_date, np.maximum(starts[tt], order_date + 1))
    has_ship = (shipped > 0) & ~open_
    status = np.select([open_, shipped == 0, shipped < req], ["open", "cut", "partial"], "shipped")
    region = np.array(REGION_CODES)[r[cell]]
    codes = np.array([[_customer_code(reg, k) for k in range(len(shares))] for reg in REGION_CODES])
    customer = codes[r[cell], cust]
    df = pd.DataFrame(
        {
            "order_id": "",
            "customer": customer,
            "sku": np.array(g.skus)[s[cell]],
            "region": region,
            "order_date": order_date,
            "requested_date": req_date,
            "requested_units": req,
            "shipped_date": np.where(has_ship, ship_date, np.datetime64("NaT")),
            "shipped_units": np.where(open_, 0, shipped),
            "status": status,
        }
    )
    df = df.sort_values(["requested_date", "customer", "sku"], kind="stable", ignore_index=True)
    df["order_id"] = [f"SO-{k:06d}" for k in range(1, len(df) + 1)]
    return df


def _snapshots(g: _Gen) -> pd.DataFrame:
    rng = g.rng
    on = g.on_sale()
    frames = []
    targets = np.arange(30, N_HIST)  # 2024-07..2025-12
    uses = np.array([d == SHORTAGE_COMPONENT for d in g.drivetrain])
    for lag in (1, 2, 3):
        mask = np.zeros(g.mu.shape, bool)
        mask[:, :, targets] = on[:, None, targets]
        s, r, t = _cells(mask)
        n = len(s)
        sd = 0.08 + 0.05 * lag
        base = g.mu0[s, r, t]
        stat = base * np.exp(rng.normal(0, sd, n) - sd**2 / 2)
        mult = g.mult[s, r, t]
        sales = stat * (1 + 0.5 * (mult - 1)) * 1.15 * np.exp(rng.normal(0, 0.12, n))
        marketing = stat * mult * 1.02 * np.exp(rng.normal(0, 0.05, n))
        ops = stat * 0.97 * np.exp(rng.normal(0, 0.03, n))
        short = uses[s] & np.isin(t, SHORTAGE_T)
        ops = np.where(short, ops * g.shortage_fill[np.clip(t - SHORTAGE_T[0], 0, 3)], ops)
        consensus = 0.3 * stat + 0.1 * sales + 0.5 * marketing + 0.1 * ops
        naive = g.ordered[s, r, t - lag - 1]
        frames.append(
            pd.DataFrame(
                {
                    "snapshot_month": _months(t - lag),
                    "target_month": _months(t),
                    "lag": lag,
                    "sku": np.array(g.skus)[s],
                    "region": np.array(REGION_CODES)[r],
                    "naive": naive,
                    "statistical": np.round(stat).astype(int),
                    "sales_input": np.round(sales).astype(int),
                    "marketing_input": np.round(marketing).astype(int),
                    "operations_input": np.round(ops).astype(int),
                    "consensus": np.round(consensus).astype(int),
                    "_t": t,
                    "_s": s,
                    "_r": r,
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    df = df.sort_values(["_t", "_s", "_r", "lag"], kind="stable", ignore_index=True)
    return df.drop(columns=["_t", "_s", "_r"])


def _pipeline(g: _Gen, customers: pd.DataFrame) -> pd.DataFrame:
    rng = g.rng
    n = 420
    big = customers[customers["customer_class"].isin(["A", "B"])]["customer"].to_numpy()
    on = g.on_sale()
    created = np.sort(rng.integers(6, N_HIST, n))
    expected = created + rng.integers(1, 9, n)
    stages = np.array(list(STAGE_PROB))
    stage = stages[rng.choice(5, n, p=[0.15, 0.2, 0.25, 0.25, 0.15])]
    close = np.maximum(expected + rng.integers(-1, 4, n), created + 1)
    closed = close <= N_HIST - 1
    expected = np.where(closed, expected, np.maximum(expected, N_HIST))  # open: not yet due
    won = rng.random(n) < np.array([STAGE_TRUE[x] for x in stage])
    rows = []
    lp = g.list_price_cents() / 100
    for k in range(n):
        cands = [i for i in range(g.n_bikes) if on[i, created[k]] and on[i, expected[k]]]
        weights = np.array([3.0 if g.family[i] == "ebike" else 1.0 for i in cands])
        i = cands[rng.choice(len(cands), p=weights / weights.sum())]
        units = int(np.clip(np.round(rng.lognormal(np.log(60), 0.7)), 10, 600))
        value = round(units * lp[i] * (1 - rng.uniform(0.12, 0.25)), 2)
        status = ("won" if won[k] else "lost") if closed[k] else "open"
        rows.append(
            (
                f"OP-{k + 1:04d}",
                big[rng.integers(len(big))],
                g.family[i],
                g.skus[i],
                units,
                value,
                stage[k],
                STAGE_PROB[stage[k]],
                _months(created[k]),
                _months(expected[k]),
                status,
                _months(close[k]) if closed[k] else None,
            )
        )
    return pd.DataFrame(rows, columns=SCHEMA["pipeline"].column_names)


def _npi(g: _Gen) -> pd.DataFrame:
    rows = []
    for sku, (p, q, like, cfam, crate) in LAUNCHES.items():
        i = g.skus.index(sku)
        b = BIKES[i]
        tau = np.arange(1, 61)
        to_peak = int(tau[np.argmax(_bass_cdf(tau, p, q) >= 0.9)])
        rows.append(
            (
                sku,
                like,
                _months(b[8]),
                int(round(b[4] * g.level_factor[i])),
                p,
                q,
                to_peak,
                cfam,
                crate,
                "launched" if b[8] < N_HIST else "planned",
            )
        )
    return pd.DataFrame(rows, columns=SCHEMA["npi"].column_names)


BUDGET_BIAS = {
    "road": 1.04,
    "mountain": 1.06,
    "city": 1.12,
    "ebike": 0.85,
    "parts": 1.0,
    "accessories": 1.0,
}


def _sales_plan(g: _Gen) -> pd.DataFrame:
    on = g.on_sale()
    frames = []
    for version, months, bias in (
        ("budget", np.arange(24, 60), np.array([BUDGET_BIAS[f] for f in g.family])),
        ("sop", np.arange(N_HIST, N_HIST + N_PLAN), np.ones(len(g.skus))),
    ):
        mask = np.zeros(g.mu.shape, bool)
        mask[:, :, months] = on[:, None, months]
        s, r, t = _cells(mask)
        frames.append(
            pd.DataFrame(
                {
                    "version": version,
                    "month": _months(t),
                    "sku": np.array(g.skus)[s],
                    "region": np.array(REGION_CODES)[r],
                    "plan_units": np.round(g.mu[s, r, t] * bias[s]).astype(int),
                    "plan_price": g.plan_price_cents[s, r, t] / 100,
                    "_o": np.lexsort((r, s, t)).argsort(),
                }
            )
            .sort_values("_o")
            .drop(columns="_o")
        )
    return pd.concat(frames, ignore_index=True)


def _targets(g: _Gen, products: pd.DataFrame) -> pd.DataFrame:
    rng = g.rng
    on = g.on_sale()
    std = products["standard_cost"].to_numpy()
    rows = []
    years = T0.year + np.arange(N_ALL) // 12
    for y in YEARS:
        stretch = 1.05 + rng.uniform(0, 0.04)
        for f in ["road", "mountain", "city", "ebike", "parts", "accessories"]:
            sk = g.family == f
            for r, reg in enumerate(REGION_CODES):
                m = (years == y)[None, :] & on & sk[:, None]
                units = g.mu[:, r, :] * m
                rev = float((units * g.plan_price_cents[:, r, :] / 100).sum())
                cost = float((units * std[:, None]).sum())
                gm = 1 - cost / rev if rev > 0 else 0.0
                rows.append((int(y), f, reg, round(rev * stretch, -3), round(gm + 0.02, 3)))
    return pd.DataFrame(rows, columns=SCHEMA["targets"].column_names)


# ---------------------------------------------------------------------- supply tables
def _plant_share(fam: str, plant: str) -> float:
    plants = FAMILY_PLANTS.get(fam, ["P1"])
    if plant not in plants:
        return 0.0
    return 1.0 if len(plants) == 1 else (0.6 if plant == "P1" else 0.4)


def _explode(volume: dict[str, float]) -> dict[str, float]:
    """Gross requirement of every item for end-item volumes (multi-level)."""
    bom = _bom_rows()
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


def _supply_tables(g: _Gen, products: pd.DataFrame, items: pd.DataFrame) -> dict[str, pd.DataFrame]:
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
                    (item, plant, _months(PLAN_T), int(max(10, np.round(monthly * 0.5 / 10) * 10)))
                )
            elif lt >= 2 and monthly > 0:
                for k in range(lt - 1):
                    q = int(np.ceil(monthly * rng.uniform(0.8, 1.1) / moq[item]) * moq[item])
                    rec_rows.append((item, plant, _months(PLAN_T + k), q))
    inventory = pd.DataFrame(inv_rows, columns=SCHEMA["inventory"].column_names)
    receipts = pd.DataFrame(rec_rows, columns=SCHEMA["scheduled_receipts"].column_names)
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
    planning_costs = pd.DataFrame(params, columns=SCHEMA["planning_costs"].column_names)
    return {
        "inventory": inventory,
        "scheduled_receipts": receipts,
        "planning_costs": planning_costs,
        "lanes": lanes[SCHEMA["lanes"].column_names],
    }


# ---------------------------------------------------------------------- finance
def _finance_lines(months, rev_rt, cogs_t, mat_t, g, shortage: bool, scale):
    """Month-end financial lines from revenue by (region, month) and cost by month (cents).

    Receivables: each market's revenue of the month times min(terms, 30) / 30 plus the
    previous month's times max(terms - 30, 0) / 30. Payables: material content of the
    month's shipments plus half the previous month's (suppliers paid in about 45 days).
    Inventory value: a seasonal pattern (built up before spring) around 1.6 months of
    cost of goods sold; ``scale`` returns the factor that ties the last month to the
    inventory table (or takes the factor to apply).
    """
    terms = np.array([r[2] for r in REGIONS])
    prev = np.concatenate([rev_rt[:, :1], rev_rt[:, :-1]], axis=1)
    recv = (
        rev_rt * np.minimum(terms, 30)[:, None] / 30
        + prev * np.maximum(terms - 30, 0)[:, None] / 30
    ).sum(axis=0)
    mat_prev = np.concatenate([mat_t[:1], mat_t[:-1]])
    payables = mat_t + 0.5 * mat_prev
    moy = months % 12
    avg = pd.Series(cogs_t).rolling(12, min_periods=1).mean().to_numpy()
    inv = avg * (1.6 + 0.5 * np.cos(2 * np.pi * (moy - 2) / 12))
    if shortage:
        inv = inv * np.where((months >= SHORTAGE_T[0]) & (months <= SHORTAGE_T[-1] + 2), 1.25, 1.0)
        inv = inv * (1 + g.rng.normal(0, 0.03, len(months)))
    inv = np.round(inv * scale(inv))
    revenue = rev_rt.sum(axis=0)
    return pd.DataFrame(
        {
            "month": _months(months),
            "revenue": revenue / 100,
            "cogs": cogs_t / 100,
            "gross_margin": (revenue - cogs_t) / 100,
            "inventory_value": inv / 100,
            "receivables": np.round(recv) / 100,
            "payables": np.round(payables) / 100,
        }
    )


def _finance(g, sales, products, plan, inventory, items) -> dict[str, pd.DataFrame]:
    std = products.set_index("sku")["standard_cost"]
    mat = products.set_index("sku")["material_cost"]
    # The closing inventory of 2025-12 is the inventory table (at standard unit cost).
    cost = np.round(inventory["item"].map(items.set_index("item")["unit_cost"]) * 100)
    closing = float((inventory["on_hand"].to_numpy() * cost.to_numpy(np.int64)).sum())
    factor = {}

    def tie(inv):
        factor.setdefault("k", closing / inv[-1])
        return factor["k"]

    out = {}
    for name, df, units, price, months in (
        ("financials", sales, "shipped_units", "net_price", np.arange(N_HIST)),
        (
            "budget",
            plan[plan["version"] == "budget"],
            "plan_units",
            "plan_price",
            np.arange(24, 60),
        ),
    ):
        t = pd.PeriodIndex(df["month"]).asi8 - T0.ordinal - months[0]
        r = df["region"].map({c: k for k, c in enumerate(REGION_CODES)}).to_numpy()
        u = df[units].to_numpy(np.int64)
        rev_cents = u * np.round(df[price].to_numpy() * 100).astype(np.int64)
        cost_cents = u * np.round(df["sku"].map(std).to_numpy() * 100).astype(np.int64)
        mat_cents = u * np.round(df["sku"].map(mat).to_numpy() * 100).astype(np.int64)
        n = len(months)
        rev_rt = np.zeros((4, n), dtype=np.int64)
        np.add.at(rev_rt, (r, t), rev_cents)
        cogs_t = np.bincount(t, weights=cost_cents, minlength=n).round().astype(np.int64)
        mat_t = np.bincount(t, weights=mat_cents, minlength=n)
        out[name] = _finance_lines(
            months, rev_rt, cogs_t, mat_t, g, shortage=name == "financials", scale=tie
        )
    return out
