"""The planning game's engine: a Tallridge world rolled forward one month at a time.

``new_game(seed, start, months)`` makes a :class:`World`; each month the players submit a
decision set (:mod:`sopcourse.game.rules`) and ``world.step(decisions)`` plays the month:

1. actions take effect (a promotion from its month, a price change next month, a capacity
   investment after :data:`CAPACITY_LEAD` months, an expedite now), each at a cost;
2. orders arrive: the generator's expected demand of the family and market (seasons,
   trend, launches, the data's promotion calendar; :mod:`sopcourse.datasets.draws`)
   times the world's price and promotion effects and a seeded gamma noise;
3. production: what the supply plan asks, within the work centres' hours (+ overtime)
   and the kits the suppliers deliver (the consensus plan's units x 1.2, at least 1.25 x
   the family's 2025 average; cut by a supplier delay or a shortage; raised by expediting);
4. shipments: stock of both plants serves the markets (the cheaper lane first) under the
   allocation rule; the inventory target is a reserve only class A (key accounts) may use;
   class A's unmet units are backordered, class B and C's are lost sales;
5. the money: revenue at the net price, COGS at standard cost, overtime, freight,
   holding, backorder and action costs; receivables by the markets' payment terms,
   materials paid a month later.

The world's whole state is plain JSON (:meth:`World.to_json`); a month's demand depends
only on the seed and the month, so a game replays exactly, across a JSON round trip too.
"""

from __future__ import annotations

import json

import numpy as np

from . import rules
from .world_data import PLAN_SUPPLY_FLEX, month_index, month_label, tallridge

__all__ = [
    "World",
    "new_game",
    "ROLE_KEYS",
    "merge_role_decisions",
    "check_role_part",
    "HORIZON",
]

ROLE_KEYS = rules.ROLE_KEYS
merge_role_decisions = rules.merge_role_decisions
VERSION = 1
HORIZON = 12  # months of the demand plan
NOISE_SHAPE = 80.0  # gamma shape of a family x market's monthly noise (CV about 11 %)
PRICE_ELASTICITY = 2.0  # demand x (1 + change) ** -elasticity after a price change
PROMO_ELASTICITY = 3.0  # a promotion's lift = elasticity x discount
POST_PROMO_DIP = 0.35  # the month after loses this share of the extra units
PROMOTION_COST = 15_000.0  # EUR, campaign and trade marketing
PRICE_CHANGE_COST = 5_000.0  # EUR, price lists and communication
EXPEDITE_PREMIUM = 0.25  # share of the material cost paid on top per expedited kit
CAPACITY_LEAD = 3  # months from the order to the first hour
CAPACITY_LEASE = 4_000.0  # EUR per machine or station per month, from the order
DELAY_P, SHORTAGE_P = 0.08, 0.03  # chance a month starts a supplier delay, a shortage
BACKORDER_CLASSES = ("A",)  # key accounts wait; B and C buy elsewhere
NOTE_KINDS = ("assumption", "decision")


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), *map(int, key)])


def _draw_events(seed: int, months: int, families) -> list[dict]:
    rng = _rng(seed, 10**6)
    events = []
    for k in range(months):
        u = rng.random(4)
        f = families[int(u[1] * len(families))]
        if u[0] < SHORTAGE_P:
            events.append(
                {"index": k, "kind": "shortage", "family": f, "fill": round(0.45 + 0.25 * u[2], 2),
                 "months": 2 + int(u[3] * 2)}
            )  # fmt: skip
        elif u[0] < SHORTAGE_P + DELAY_P:
            events.append(
                {"index": k, "kind": "supplier_delay", "family": f,
                 "fill": round(0.4 + 0.3 * u[2], 2), "months": 1}
            )  # fmt: skip
    return events


def _check_events(events, data, months: int) -> list[dict]:
    problems, out = [], []
    for i, e in enumerate(events):
        if not isinstance(e, dict):
            problems.append(f"event {i} must be a dict")
            continue
        kind, f = e.get("kind"), e.get("family")
        if kind not in ("shortage", "supplier_delay"):
            problems.append(f"event {i}: kind must be 'shortage' or 'supplier_delay'")
        if f not in data.families:
            problems.append(f"event {i}: unknown family {f!r}; one of {list(data.families)}")
        k, fill = e.get("index"), e.get("fill", 0.5)
        if not isinstance(k, int) or not 0 <= k < months:
            problems.append(f"event {i}: index (the game month) must be 0..{months - 1}")
        if not isinstance(fill, int | float) or not 0 <= fill <= 1:
            problems.append(f"event {i}: fill (the share delivered) must be in [0, 1]")
        out.append({"index": k, "kind": kind, "family": f, "fill": fill,
                    "months": int(e.get("months", 1))})  # fmt: skip
    if problems:
        raise ValueError("the events cannot be scheduled: " + "; ".join(problems))
    return out


def new_game(seed: int = 0, start: str = "2026-01", months: int = 12, *, events="random"):
    """A new :class:`World` of Tallridge Cycles from month ``start`` for ``months`` months.

    ``events``: ``"random"`` (supplier delays and shortages drawn from the seed, hidden
    until they happen), ``"none"``, or a list of ``{"index": game month, "kind":
    "shortage" | "supplier_delay", "family", "fill": share delivered, "months"}``.

    Examples
    --------
    >>> w = new_game(seed=1, months=2)
    >>> r = w.step({})
    >>> r["month"], w.month_label
    ('2026-01', '2026-02')
    """
    data = tallridge()
    problems = []
    try:
        t0 = month_index(start)
    except (TypeError, ValueError):
        t0 = None
        problems.append(f"start {start!r} is not a month: write it as 'YYYY-MM'")
    if not isinstance(months, int) or months < 1:
        problems.append(f"months must be a whole number, 1 or more; got {months!r}")
    elif t0 is not None and not 12 <= t0 <= data.mu.shape[2] - months:
        problems.append(
            f"a {months}-month game must start in {month_label(12)}..."
            f"{month_label(data.mu.shape[2] - months)} (a year of history before it, the "
            "demand model after it); choose another start or fewer months"
        )
    if isinstance(events, str) and events not in ("random", "none"):
        problems.append("events must be 'random', 'none' or a list of event dicts")
    if problems:
        raise ValueError("the game cannot be created: " + "; ".join(problems))
    if events == "random":
        schedule = _draw_events(seed, months, data.families)
    else:
        schedule = [] if events == "none" else _check_events(list(events), data, months)
    F, M, C = len(data.families), len(data.markets), len(data.classes)
    rec = data.opening_receivables
    state = {
        "version": VERSION,
        "seed": int(seed),
        "start_t": t0,
        "months": months,
        "horizon": HORIZON,
        "k": 0,
        "events": schedule,
        "inventory": data.opening_inventory.tolist(),
        "backlog": np.zeros((F, M, C)).tolist(),
        "receivables": [rec / 2, rec / 2, 0.0],
        "payables": data.opening_payables,
        "cash": 0.0,
        "price_factor": np.ones((F, M)).tolist(),
        "extra_units": {p: [0] * len(data.work_centres[p]) for p in data.plants},
        "pending": [],
        "lease_units": 0,
        "promos": [],
        "delayed": [0.0] * F,
        "plans": [],
        "last_supply": {"production": {}, "overtime_hours": {}, "inventory_targets": {}},
        "history": [],
        "notes": [],
    }
    return World(state)


def check_role_part(world: World, role: str, part: dict) -> None:
    """Refuse (ValueError, every problem listed) one role's part of a month's decisions."""
    problems = rules.check_roles({role: part})
    if not problems:
        problems = world.problems(part, partial=True)
    if problems:
        raise ValueError(f"the {role}'s decisions are refused: " + "; ".join(problems))


def _pro_rata(amount: float, wants: np.ndarray) -> np.ndarray:
    """Whole units of ``amount`` shared in proportion to ``wants`` (largest remainder)."""
    wants = np.asarray(wants, float)
    total = wants.sum()
    if total <= amount:
        return wants.copy()
    return _split(amount, wants / total, cap=wants)


def _split(amount: float, shares: np.ndarray, cap=None) -> np.ndarray:
    """Whole units of ``amount`` (whole) in ``shares`` (summing to 1), largest remainder."""
    x = amount * np.asarray(shares, float)
    out = np.floor(x)
    rest = int(round(amount - out.sum()))
    if rest > 0:
        order = np.argsort(-(x - out), kind="stable")
        out[order[:rest]] += 1
    return out if cap is None else np.minimum(out, cap)


def _in_order(amount: float, wants: np.ndarray, order) -> np.ndarray:
    out = np.zeros_like(wants, dtype=float)
    flat_w, flat_o = wants.reshape(-1), out.reshape(-1)
    for i in order:
        give = min(amount, flat_w[i])
        flat_o[i] = give
        amount -= give
    return out


def _fm(arr, data) -> dict:
    return {
        f: {m: round(float(arr[i, j]), 2) for j, m in enumerate(data.markets)}
        for i, f in enumerate(data.families)
    }


def _pf(arr, data) -> dict:
    return {
        p: {f: round(float(arr[i, j]), 2) for j, f in enumerate(data.families)}
        for i, p in enumerate(data.plants)
    }


def _fmc(arr, data) -> dict:
    return {
        f: {
            m: {c: float(arr[i, j, k]) for k, c in enumerate(data.classes)}
            for j, m in enumerate(data.markets)
        }
        for i, f in enumerate(data.families)
    }


def _plain(value):
    """Arrays, tuples and dicts of them as JSON values (lists, numbers, text)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value.item() if isinstance(value, np.generic) else value


def _typed(like, value):
    """``value`` (plain JSON) typed as ``like`` (arrays of its dtype, tuples, numbers)."""
    if isinstance(like, dict):
        return {k: _typed(like[k], value[k]) for k in like}
    if isinstance(like, np.ndarray):
        out = np.asarray(value, dtype=like.dtype)
        out.setflags(write=False)
        return out
    if isinstance(like, tuple):
        return tuple(value)
    return type(like)(value)


class World:
    """A Tallridge world in play (its whole state is ``self._s``, plain JSON values)."""

    def __init__(self, state: dict):
        if state.get("version") != VERSION:
            raise ValueError(
                f"this game state is of version {state.get('version')!r}; this engine reads "
                f"version {VERSION}: start a new game with new_game()"
            )
        self._s = state
        self.data = tallridge()

    # -- state -------------------------------------------------------------------------
    def to_json(self) -> str:
        """The whole state as JSON text (:meth:`from_json` reads it back)."""
        return json.dumps(self._s, allow_nan=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> World:
        """The world of :meth:`to_json`'s text."""
        try:
            state = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"this is not the JSON of a game state: {exc}") from None
        if not isinstance(state, dict):
            raise ValueError("this is not the JSON of a game state (not an object)")
        return cls(state)

    def facts(self) -> dict:
        """The world's data and state as plain JSON values: :meth:`from_facts` rebuilds this
        very world in another process, whatever data that process has (a grader's)."""
        return {"data": _plain(vars(self.data)), "state": self.to_json()}

    @classmethod
    def from_facts(cls, facts: dict) -> World:
        """The world of :meth:`facts` (its data typed as this process's world data)."""
        if not isinstance(facts, dict) or not {"data", "state"} <= set(facts):
            raise ValueError("give the dict of World.facts(): {'data': ..., 'state': ...}")
        world = cls.from_json(facts["state"])
        like = vars(world.data)
        missing = sorted(set(like) - set(facts["data"]))
        if missing:
            raise ValueError(f"these facts lack the world data {missing}: use World.facts()")
        world.data = type(world.data)(**{k: _typed(like[k], facts["data"][k]) for k in like})
        return world

    @property
    def seed(self) -> int:
        return self._s["seed"]

    @property
    def start(self) -> str:
        return month_label(self._s["start_t"])

    @property
    def months(self) -> int:
        return self._s["months"]

    @property
    def month(self) -> int:
        """The game month to play next (0 = the start month)."""
        return self._s["k"]

    @property
    def month_label(self) -> str:
        return month_label(self._s["start_t"] + self._s["k"])

    @property
    def finished(self) -> bool:
        return self._s["k"] >= self._s["months"]

    @property
    def history(self) -> tuple:
        """The months played (copies: a past month cannot be changed)."""
        return tuple(json.loads(json.dumps(self._s["history"])))

    @property
    def events(self) -> list:
        """The game's event schedule (copies; hidden from the players' view until it happens)."""
        return json.loads(json.dumps(self._s["events"]))

    @property
    def notes(self) -> tuple:
        """The assumptions-and-decisions log: ``{index, month, stage, kind, text}`` rows."""
        return tuple(dict(n) for n in self._s.get("notes", []))

    def note(self, kind: str, text: str, *, stage: str | None = None) -> dict:
        """Write an assumption or a decision of the month to play into the game's log."""
        if kind not in NOTE_KINDS:
            raise ValueError(f"a note is one of {NOTE_KINDS}, not {kind!r}")
        if not isinstance(text, str) or not text.strip():
            raise ValueError("a note needs a text: say what is assumed or decided, and why")
        if self.finished:
            raise ValueError("the game is over: its log is closed")
        row = {"index": self.month, "month": self.month_label, "stage": stage,
               "kind": kind, "text": text.strip()}  # fmt: skip
        self._s.setdefault("notes", []).append(row)
        return dict(row)

    @property
    def plans(self) -> tuple:
        """The demand plan of each month played (F x M x horizon nested lists, copies)."""
        return tuple(json.loads(json.dumps(self._s["plans"])))

    def __repr__(self) -> str:
        return (
            f"World(seed={self.seed}, month {self.month}/{self.months}, "
            f"next {self.month_label if not self.finished else 'none: finished'})"
        )

    # -- what a player sees ------------------------------------------------------------
    def _capacity(self) -> dict:
        d = self.data
        return {
            p: d.hours[p] + np.asarray(self._s["extra_units"][p]) * d.hours_per_wc_unit[p]
            for p in d.plants
        }

    def _demand_history(self) -> np.ndarray:
        """(F, M, t) ordered units of every month before the next one."""
        d, t0 = self.data, self._s["start_t"]
        past = [d.history[:, :, : min(t0, d.history.shape[2])]]
        for t in range(d.history.shape[2], t0):  # a start after the data's history
            past.append(self._draw(t, np.ones(d.mu.shape[:2]))[:, :, None])
        game = [np.array([[sum(v.values()) for v in r["orders"][f].values()]
                          for f in d.families]) for r in self._s["history"]]  # fmt: skip
        if game:
            past.append(np.stack(game, axis=2))
        return np.concatenate(past, axis=2)

    def statistical_forecast(self) -> np.ndarray:
        """(F, M, horizon): seasonal level x trend of the order history to date."""
        d = self.data
        hist = self._demand_history()
        t = hist.shape[2]
        season = d.season  # (F, 12)
        months = np.arange(t - 12, t) % 12
        level = hist[:, :, -12:].sum(axis=2) / season[:, months].sum(axis=1)[:, None]
        prev = hist[:, :, -24:-12].sum(axis=2)
        growth = np.clip(hist[:, :, -12:].sum(axis=2) / np.maximum(prev, 1), 0.8, 1.25)
        h = np.arange(self._s["horizon"])
        step = growth[:, :, None] ** ((h + 6.5) / 12)
        ahead = season[:, (t + h) % 12]  # (F, H)
        return np.round(level[:, :, None] * ahead[:, None, :] * step, 1)

    def view(self) -> dict:
        """What a player may see before deciding the next month (JSON-able; no future demand)."""
        d, s = self.data, self._s
        hist = self._demand_history()
        cap = self._capacity()
        last = s["history"][-1] if s["history"] else None
        t = s["start_t"] + s["k"]
        tt = min(t, d.price.shape[2] - 1)
        price = d.price[:, :, tt] * np.asarray(s["price_factor"])
        return {
            "month": self.month_label if not self.finished else None,
            "index": s["k"],
            "months_left": s["months"] - s["k"],
            "horizon": s["horizon"],
            "families": list(d.families),
            "markets": list(d.markets),
            "plants": list(d.plants),
            "classes": list(d.classes),
            "history": {
                "months": [month_label(i) for i in range(hist.shape[2])],
                "demand": {
                    f: {m: hist[i, j].tolist() for j, m in enumerate(d.markets)}
                    for i, f in enumerate(d.families)
                },  # fmt: skip
            },
            "forecast": {
                f: {m: v.tolist() for m, v in zip(d.markets, row, strict=True)}
                for f, row in zip(d.families, self.statistical_forecast(), strict=True)
            },  # fmt: skip
            "inventory": _pf(np.asarray(s["inventory"]), d),
            "backlog": _fm(np.asarray(s["backlog"]).sum(axis=2), d),
            "capacity": {
                p: dict(zip(d.work_centres[p], cap[p].tolist(), strict=True)) for p in d.plants
            },  # fmt: skip
            "max_overtime_hours": {p: float(d.max_overtime[p].sum()) for p in d.plants},
            "overtime_share": {
                p: dict(
                    zip(
                        d.work_centres[p],
                        (d.max_overtime[p] / d.max_overtime[p].sum()).tolist(),
                        strict=True,
                    )
                )
                for p in d.plants
            },  # fmt: skip
            "hours_per_unit": {
                p: {
                    f: dict(zip(d.work_centres[p], d.hours_per_unit[p][i].tolist(), strict=True))
                    for i, f in enumerate(d.families)
                    if d.can_make[d.plants.index(p), i]
                }
                for p in d.plants
            },  # fmt: skip
            "kit_supply": dict(
                zip(d.families, self._kit_supply(None)[0].round(0).tolist(), strict=True)
            ),
            "price": _fm(price, d),
            "standard_cost": dict(zip(d.families, d.standard_cost.round(2).tolist(), strict=True)),
            "last_month": None
            if last is None
            else {
                k: last[k] for k in ("month", "service", "pnl", "cash", "events", "production")
            },  # fmt: skip
            "events": [e for r in s["history"] for e in r["events"]],
            "pending_actions": json.loads(json.dumps(s["pending"] + s["promos"])),
            "last_supply": json.loads(json.dumps(s["last_supply"])),
        }

    # -- checks ------------------------------------------------------------------------
    def problems(self, decisions, *, partial: bool = False) -> list[str]:
        """Every problem of a decision set (a list; empty when it may be played)."""
        s = self._s
        if s["k"] >= s["months"]:
            return [f"the game is over: all {s['months']} months are played; start a new game"]
        dec = decisions if partial else self._filled(decisions)
        return rules.check(
            dec,
            self.data,
            horizon=s["horizon"],
            capacity=self._capacity(),
            month=s["k"],
            last=s["months"] - 1,
        )

    def validate(self, decisions) -> dict:
        """The decision set with its defaults filled in; a ValueError lists every problem."""
        problems = self.problems(decisions)
        if problems:
            raise ValueError(
                f"the decisions for {self.month_label if not self.finished else 'a month'} "
                f"are refused ({len(problems)} problem(s)): " + "; ".join(problems)
            )
        return self._filled(decisions)

    def _filled(self, decisions) -> dict:
        """Defaults: the statistical forecast, last month's supply plan, fair share."""
        if not isinstance(decisions, dict):
            return decisions
        dec = json.loads(json.dumps(decisions))
        last = self._s["last_supply"]
        for key in ("production", "overtime_hours", "inventory_targets"):
            dec.setdefault(key, last.get(key, {}))
        dec.setdefault("allocation", {"rule": "fair_share"})
        dec.setdefault("actions", [])
        return dec

    # -- playing a month ---------------------------------------------------------------
    def _draw(self, t: int, factor: np.ndarray) -> np.ndarray:
        rng = _rng(self._s["seed"], t)
        shape = self.data.mu.shape[:2]
        g = rng.gamma(NOISE_SHAPE, 1 / NOISE_SHAPE, size=shape)
        u = rng.random(shape)
        return np.floor(self.data.mu[:, :, t] * factor * g + u)

    def _kit_supply(self, plan) -> tuple[np.ndarray, list]:
        """(F,) kits the suppliers deliver this month, and the month's events."""
        d, s = self.data, self._s
        k = s["k"]
        plans = s["plans"]
        if plans:  # the plan of last month for this month
            asked = np.asarray(plans[-1])[:, :, 1].sum(axis=1)
        else:
            asked = (np.asarray(plan) if plan is not None else self.statistical_forecast())[
                :, :, 0
            ].sum(axis=1)
        supply = np.maximum(d.base_supply, PLAN_SUPPLY_FLEX * asked)
        happening = []
        for e in s["events"]:
            if e["index"] <= k < e["index"] + e["months"]:
                i = d.families.index(e["family"])
                happening.append(dict(e, month=self.month_label))
                supply[i] *= e["fill"]
        return supply + np.asarray(s["delayed"]), happening

    def _apply_actions(self, actions) -> dict:
        """Book this month's actions; returns their costs and the expedited kits."""
        d, s = self.data, self._s
        k = s["k"]
        cost = {"promotion": 0.0, "price_change": 0.0, "expedite": 0.0, "capacity": 0.0}
        expedite = np.zeros(len(d.families))
        for a in actions:
            kind = a["kind"]
            if kind == "promotion":
                s["promos"].append({"kind": "promotion", "family": a["family"],
                                    "market": a["market"], "discount": float(a["discount"]),
                                    "index": int(a.get("month_index", k + 1))})  # fmt: skip
                cost["promotion"] += PROMOTION_COST
            elif kind == "price_change":
                s["pending"].append({**a, "index": k + 1})
                cost["price_change"] += PRICE_CHANGE_COST
            elif kind == "expedite":
                i = d.families.index(a["family"])
                expedite[i] += float(a["units"])
            elif kind == "capacity":
                s["pending"].append({**a, "index": k + CAPACITY_LEAD})
                s["lease_units"] += int(a["units"])
        cost["capacity"] = CAPACITY_LEASE * s["lease_units"]
        return {"cost": cost, "expedite": expedite}

    def _activate_pending(self) -> None:
        d, s = self.data, self._s
        keep = []
        for a in s["pending"]:
            if a["index"] > s["k"]:
                keep.append(a)
            elif a["kind"] == "price_change":
                i = d.families.index(a["family"])
                cols = [d.markets.index(a["market"])] if a.get("market") else range(len(d.markets))
                for j in cols:
                    s["price_factor"][i][j] *= 1 + float(a["change"])
            elif a["kind"] == "capacity":
                w = d.work_centres[a["plant"]].index(a["work_centre"])
                s["extra_units"][a["plant"]][w] += int(a["units"])
        s["pending"] = keep

    def _promo_effects(self) -> tuple[np.ndarray, np.ndarray]:
        """(F, M) demand multiplier and price multiplier of the world's promotions now."""
        d, k = self.data, self._s["k"]
        mult = np.ones((len(d.families), len(d.markets)))
        price = np.ones_like(mult)
        for p in self._s["promos"]:
            i, j = d.families.index(p["family"]), d.markets.index(p["market"])
            lift = PROMO_ELASTICITY * p["discount"]
            if p["index"] == k:
                mult[i, j] *= 1 + lift
                price[i, j] *= 1 - p["discount"]
            elif p["index"] == k - 1:
                mult[i, j] *= 1 - POST_PROMO_DIP * lift
        return mult, price

    def _produce(self, dec, supply) -> tuple[np.ndarray, np.ndarray]:
        """(P, F) production asked and made (the kits shared pro rata over the plants)."""
        d = self.data
        asked = np.zeros((len(d.plants), len(d.families)))
        for p, by_f in dec["production"].items():
            for f, u in by_f.items():
                asked[d.plants.index(p), d.families.index(f)] = np.floor(float(u))
        made = asked.copy()
        for i in range(len(d.families)):
            if asked[:, i].sum() > supply[i]:
                made[:, i] = _pro_rata(np.floor(supply[i]), asked[:, i])
        return asked, made

    def _allocate(self, dec, stock, due) -> np.ndarray:
        """(F, M, C) units served of ``due`` from ``stock`` (F,) under the rule and reserve."""
        d = self.data
        M, C = len(d.markets), len(d.classes)
        rule = dec["allocation"].get("rule", "fair_share")
        first = [m for m in dec["allocation"].get("priority", []) or [] if m in d.markets]
        markets = [d.markets.index(m) for m in first + [m for m in d.markets if m not in first]]
        order = [j * C + c for j in markets for c in range(C)]
        a_cells = [j * C + d.classes.index(c) for j in markets for c in BACKORDER_CLASSES]
        targets = dec["inventory_targets"]
        served = np.zeros_like(due)
        for i, f in enumerate(d.families):
            free = max(0.0, stock[i] - float(targets.get(f, 0) or 0))
            want = due[i]
            if rule == "priority":
                got = _in_order(min(free, want.sum()), want, order)
            else:
                got = _pro_rata(min(free, want.sum()), want.reshape(-1)).reshape(M, C)
            reserve = stock[i] - got.sum()
            rest = (want - got).reshape(-1)
            only_a = np.zeros_like(rest)
            only_a[a_cells] = rest[a_cells]
            if rule == "priority":
                extra = _in_order(min(reserve, only_a.sum()), only_a, order)
            else:
                extra = _pro_rata(min(reserve, only_a.sum()), only_a)
            served[i] = got + extra.reshape(M, C)
        return served

    def _ship(self, served_fm, inventory) -> np.ndarray:
        """(P, F, M) shipments: each market from the plant of the cheaper lane first."""
        d = self.data
        ships = np.zeros((len(d.plants), len(d.families), len(d.markets)))
        left = inventory.copy()
        for j in range(len(d.markets)):
            for p in np.argsort(d.lane_cost[:, j], kind="stable"):
                q = np.minimum(served_fm[:, j] - ships[:, :, j].sum(axis=0), left[p])
                ships[p, :, j] += q
                left[p] -= q
        return ships

    def step(self, decisions: dict) -> dict:
        """Play the next month with ``decisions``; the month's result (also in ``history``)."""
        dec = self.validate(decisions)
        return self._play(dec)

    def _play(self, dec: dict) -> dict:
        d, s = self.data, self._s
        k, t = s["k"], s["start_t"] + s["k"]
        forecast = self.statistical_forecast()
        plan = forecast.copy()
        for f, by_m in (dec.get("demand_plan") or {}).items():
            for m, units in by_m.items():
                plan[d.families.index(f), d.markets.index(m)] = units
        acts = self._apply_actions(dec["actions"])
        supply, events = self._kit_supply(plan)
        promo_mult, promo_price = self._promo_effects()
        factor = np.asarray(s["price_factor"]) ** -PRICE_ELASTICITY * promo_mult
        demand = self._draw(t, factor)  # (F, M)
        orders = np.stack([_split(demand[i, j], d.class_share[j])
                           for i in range(len(d.families)) for j in range(len(d.markets))])  # fmt: skip
        orders = orders.reshape(len(d.families), len(d.markets), -1)
        asked, made = self._produce(dec, supply + acts["expedite"])
        delayed = np.zeros(len(d.families))
        for e in events:
            if e["kind"] == "supplier_delay" and e["index"] == k:
                i = d.families.index(e["family"])
                delayed[i] = np.floor(supply[i] / e["fill"] * (1 - e["fill"])) if e["fill"] else 0
        used_expedite = np.minimum(acts["expedite"], np.maximum(0, made.sum(axis=0) - supply))
        inv_open = np.asarray(s["inventory"], float)
        stock = inv_open + made
        backlog_in = np.asarray(s["backlog"], float)
        due = orders + backlog_in
        served = self._allocate(dec, stock.sum(axis=0), due)
        ships = self._ship(served.sum(axis=2), stock)
        inv_close = stock - ships.sum(axis=2)
        unmet = due - served
        back = np.zeros_like(unmet)
        for c in BACKORDER_CLASSES:
            back[:, :, d.classes.index(c)] = unmet[:, :, d.classes.index(c)]
        lost = unmet - back
        price = d.price[:, :, t] * np.asarray(s["price_factor"]) * promo_price
        money = self._money(dec, made, ships, inv_close, back, lost, price, used_expedite, acts)
        result = {
            "month": month_label(t),
            "index": k,
            "demand": _fm(demand, d),
            "orders": _fmc(orders, d),
            "backlog_in": _fmc(backlog_in, d),
            "shipments": _fmc(served, d),
            "lost": _fmc(lost, d),
            "backlog_out": _fmc(back, d),
            "shipments_by_plant": {p: _fm(ships[i], d) for i, p in enumerate(d.plants)},
            "production_asked": _pf(asked, d),
            "production": _pf(made, d),
            "kit_supply": dict(zip(d.families, supply.round(1).tolist(), strict=True)),
            "inventory_open": _pf(inv_open, d),
            "inventory_close": _pf(inv_close, d),
            "price": _fm(price, d),
            "statistical_forecast": _fm(forecast[:, :, 0], d),
            "events": events,
            "actions": dec["actions"],
            "service": self._service(orders + backlog_in, served),
            **money,
        }
        s["inventory"] = inv_close.tolist()
        s["backlog"] = back.tolist()
        s["delayed"] = delayed.tolist()
        s["plans"].append(plan.round(2).tolist())
        s["last_supply"] = {
            key: dec[key] for key in ("production", "overtime_hours", "inventory_targets")
        }
        s["history"].append(result)
        s["k"] = k + 1
        self._activate_pending()
        return json.loads(json.dumps(result))

    def _service(self, due, served) -> dict:
        out = {}
        for c, name in enumerate(self.data.classes):
            want = due[:, :, c].sum()
            out[name] = round(float(served[:, :, c].sum() / want), 4) if want else 1.0
        out["all"] = round(float(served.sum() / due.sum()), 4) if due.sum() else 1.0
        return out

    def _money(self, dec, made, ships, inv_close, back, lost, price, expedited, acts) -> dict:
        d, s = self.data, self._s
        shipped_fm = ships.sum(axis=0)
        revenue_m = (shipped_fm * price).sum(axis=0)  # (M,)
        revenue = float(revenue_m.sum())
        cogs = float((shipped_fm.sum(axis=1) * d.standard_cost).sum())
        overtime = 0.0
        for p, h in dec["overtime_hours"].items():
            share = d.max_overtime[p] / d.max_overtime[p].sum()
            overtime += float((float(h) * share * d.overtime_cost[p]).sum())
        freight = float((ships.sum(axis=1) * d.lane_cost).sum())
        expedite = float((expedited * EXPEDITE_PREMIUM * d.material_cost).sum())
        holding = float((inv_close.sum(axis=0) * d.holding_cost).sum())
        backorder = float(back.sum() * d.backorder_cost)
        actions = sum(v for key, v in acts["cost"].items() if key != "expedite")
        gm = revenue - cogs
        profit = gm - overtime - freight - expedite - holding - backorder - actions
        pnl = {
            "revenue": revenue, "cogs": cogs, "gross_margin": gm, "overtime": overtime,
            "freight": freight, "expedite": expedite, "holding": holding,
            "backorder": backorder, "actions": actions, "operating_profit": profit,
        }  # fmt: skip
        # cash: receivables by the payment terms, materials paid a month later
        rec = list(s["receivables"]) + [0.0] * 3
        receipts = rec.pop(0)
        for j, terms in enumerate(d.terms_months):
            lo = int(np.floor(terms))
            frac = terms - lo
            rec[lo - 1] += revenue_m[j] * (1 - frac)
            if frac:
                rec[lo] += revenue_m[j] * frac
        material = float((made.sum(axis=0) * d.material_cost).sum())
        conversion = float((made.sum(axis=0) * d.conversion_cost).sum())
        payments = s["payables"] + conversion + overtime + freight + expedite + actions
        opening = s["cash"]
        s["cash"] = opening + receipts - payments
        s["receivables"] = [float(x) for x in rec[:3]]
        s["payables"] = material
        inv_value = float((inv_close.sum(axis=0) * d.standard_cost).sum())
        return {
            "pnl": {key: round(v, 2) for key, v in pnl.items()},
            "purchases": round(material, 2),
            "lost_sale_cost": round(float(lost.sum() * d.lost_sale_cost), 2),
            "cash": {
                "opening": round(opening, 2),
                "receipts": round(float(receipts), 2),
                "payments": round(payments, 2),
                "closing": round(s["cash"], 2),
            },  # fmt: skip
            "balances": {
                "inventory_value": round(inv_value, 2),
                "receivables": round(float(sum(s["receivables"])), 2),
                "payables": round(material, 2),
            },
        }
