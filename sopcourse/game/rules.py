"""The decision set of a month: who submits which part, and the checks of each part.

A decision set is a plain JSON dict (every key optional; a missing key takes the default
of :func:`filled`)::

    {"demand_plan": {family: {market: [units for each month of the horizon]}},
     "production": {plant: {family: units}},
     "overtime_hours": {plant: hours},
     "inventory_targets": {family: units},
     "allocation": {"rule": "fair_share" | "priority", "priority": [markets]},
     "actions": [{"kind": "promotion", "family", "market", "discount", "month"},
                 {"kind": "price_change", "family", "market" (optional), "change"},
                 {"kind": "expedite", "family", "units"},
                 {"kind": "capacity", "plant", "work_centre", "units"}]}

:func:`check` lists every problem of a decision set in one ValueError.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["ROLE_KEYS", "ACTION_ROLES", "merge_role_decisions", "check", "check_roles"]

#: The keys of a decision set each role submits (``actions`` only of its own kinds).
ROLE_KEYS = {
    "demand_planner": ["demand_plan", "actions"],
    "supply_planner": ["production", "overtime_hours", "inventory_targets", "actions"],
    "finance": ["actions"],
    "executive": ["allocation", "actions"],
}
#: Which role may submit each kind of action.
ACTION_ROLES = {
    "promotion": "demand_planner",
    "expedite": "supply_planner",
    "price_change": "finance",
    "capacity": "executive",
}
KEYS = ("demand_plan", "production", "overtime_hours", "inventory_targets", "allocation")
KEYS = (*KEYS, "actions")
MAX_DISCOUNT = 0.3
MAX_PRICE_CHANGE = 0.3
MAX_CAPACITY_UNITS = 10


def _owner(key: str) -> str:
    return " or ".join(r for r, keys in ROLE_KEYS.items() if key in keys)


def check_roles(parts: dict) -> list[str]:
    """The problems of ``{role: part}``: unknown roles, keys or action kinds of another role."""
    problems = []
    if not isinstance(parts, dict):
        return [f"the role decisions must be a dict {{role: part}}, not {type(parts).__name__}"]
    for role, part in parts.items():
        if role not in ROLE_KEYS:
            problems.append(f"unknown role {role!r}: choose one of {list(ROLE_KEYS)}")
            continue
        if not isinstance(part, dict):
            problems.append(f"the {role}'s part must be a dict, not {type(part).__name__}")
            continue
        for key in part:
            if key not in KEYS:
                problems.append(f"{role}: unknown key {key!r}; the keys are {list(KEYS)}")
            elif key not in ROLE_KEYS[role]:
                problems.append(
                    f"{role} may not submit {key!r}: it is the {_owner(key)}'s key "
                    f"(the {role} submits {ROLE_KEYS[role]})"
                )
        for i, action in enumerate(part.get("actions") or []):
            kind = action.get("kind") if isinstance(action, dict) else None
            owner = ACTION_ROLES.get(kind)
            if owner is not None and owner != role:
                problems.append(
                    f"{role}: action {i} is a {kind!r} action, which the {owner} submits"
                )
    return problems


def merge_role_decisions(parts: dict) -> dict:
    """One decision set from the parts of the roles (``{role: partial dict}``).

    Keys come from their role; the ``actions`` of all roles are joined in the order of
    :data:`ROLE_KEYS`. A missing role or key takes the engine's default. A key of the
    wrong role, an unknown role or key is a ValueError listing every problem.
    """
    problems = check_roles(parts)
    if problems:
        raise ValueError("the role decisions cannot be merged: " + "; ".join(problems))
    merged: dict = {}
    actions: list = []
    for role in ROLE_KEYS:
        part = parts.get(role) or {}
        for key, value in part.items():
            if key == "actions":
                actions.extend(value or [])
            else:
                merged[key] = value
    if actions:
        merged["actions"] = actions
    return merged


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _nonneg(value, where: str, problems: list) -> bool:
    if not _number(value):
        problems.append(f"{where} must be a number, not {value!r}")
        return False
    if value < 0:
        problems.append(f"{where} is negative ({value:g}); give 0 or more")
        return False
    return True


def _known(name, known, what: str, where: str, problems: list) -> bool:
    if name not in known:
        problems.append(f"{where}: unknown {what} {name!r}; choose one of {list(known)}")
        return False
    return True


def _check_plan(plan, data, horizon: int, problems: list) -> None:
    if not isinstance(plan, dict):
        problems.append("demand_plan must be a dict {family: {market: [units]}}")
        return
    for f, by_market in plan.items():
        if not _known(f, data.families, "family", "demand_plan", problems):
            continue
        if not isinstance(by_market, dict):
            problems.append(f"demand_plan[{f!r}] must be a dict {{market: [units]}}")
            continue
        for m, units in by_market.items():
            if not _known(m, data.markets, "market", f"demand_plan[{f!r}]", problems):
                continue
            where = f"demand_plan[{f!r}][{m!r}]"
            if not isinstance(units, list) or len(units) != horizon:
                problems.append(f"{where} must be a list of {horizon} numbers (the horizon)")
                continue
            for h, u in enumerate(units):
                _nonneg(u, f"{where}[{h}]", problems)


def _check_production(dec, data, capacity: dict, problems: list) -> None:
    production = dec.get("production", {})
    overtime = dec.get("overtime_hours", {})
    if not isinstance(production, dict) or not isinstance(overtime, dict):
        problems.append("production must be {plant: {family: units}}, overtime_hours {plant: h}")
        return
    for p, h in overtime.items():
        if _known(p, data.plants, "plant", "overtime_hours", problems) and _nonneg(
            h, f"overtime_hours[{p!r}]", problems
        ):
            most = float(data.max_overtime[p].sum())
            if h > most + 1e-9:
                problems.append(
                    f"overtime_hours[{p!r}] = {h:g} is beyond the plant's overtime limit "
                    f"({most:g} h a month); give at most that"
                )
    for p, by_family in production.items():
        if not _known(p, data.plants, "plant", "production", problems):
            continue
        if not isinstance(by_family, dict):
            problems.append(f"production[{p!r}] must be a dict {{family: units}}")
            continue
        ok = True
        for f, u in by_family.items():
            if not _known(f, data.families, "family", f"production[{p!r}]", problems):
                ok = False
            elif not _nonneg(u, f"production[{p!r}][{f!r}]", problems):
                ok = False
            elif u > 0 and not data.can_make[data.plants.index(p), data.families.index(f)]:
                problems.append(f"plant {p} has no routing for the {f} family: make it elsewhere")
                ok = False
        if ok:
            _check_load(p, by_family, overtime, data, capacity, problems)


def _check_load(p, by_family, overtime, data, capacity, problems) -> None:
    hpu = data.hours_per_unit[p]
    load = sum(float(u) * hpu[data.families.index(f)] for f, u in by_family.items() if float(u) > 0)
    if not isinstance(load, np.ndarray):
        return
    ot = float(overtime.get(p, 0) or 0) if _number(overtime.get(p, 0) or 0) else 0.0
    share = data.max_overtime[p] / data.max_overtime[p].sum()
    limit = capacity[p] + min(ot, float(data.max_overtime[p].sum())) * share
    for w, name in enumerate(data.work_centres[p]):
        if load[w] > limit[w] + 1e-6:
            problems.append(
                f"production at {p} needs {load[w]:.0f} h of {name}, beyond its capacity of "
                f"{limit[w]:.0f} h this month (regular {capacity[p][w]:.0f} h + overtime share); "
                "make less, move some to another plant or add overtime"
            )


def _check_targets_allocation(dec, data, problems: list) -> None:
    targets = dec.get("inventory_targets", {})
    if not isinstance(targets, dict):
        problems.append("inventory_targets must be a dict {family: units}")
    else:
        for f, u in targets.items():
            if _known(f, data.families, "family", "inventory_targets", problems):
                _nonneg(u, f"inventory_targets[{f!r}]", problems)
    alloc = dec.get("allocation", {})
    if not isinstance(alloc, dict):
        problems.append("allocation must be a dict {'rule': ..., 'priority': [markets]}")
        return
    rule = alloc.get("rule", "fair_share")
    if rule not in ("fair_share", "priority"):
        problems.append(f"allocation rule {rule!r} is unknown; use 'fair_share' or 'priority'")
    for m in alloc.get("priority", []) or []:
        _known(m, data.markets, "market", "allocation priority", problems)
    unknown = set(alloc) - {"rule", "priority"}
    if unknown:
        problems.append(f"allocation has unknown keys {sorted(unknown)}; use rule and priority")


def _check_action(i, a, data, month: int, last: int, problems: list) -> None:
    where = f"action {i}"
    if not isinstance(a, dict) or a.get("kind") not in ACTION_ROLES:
        problems.append(f"{where} must be a dict whose kind is one of {list(ACTION_ROLES)}")
        return
    kind = a["kind"]
    if kind in ("promotion", "price_change", "expedite"):
        _known(a.get("family"), data.families, "family", where, problems)
    if kind == "promotion" or (kind == "price_change" and a.get("market") is not None):
        _known(a.get("market"), data.markets, "market", where, problems)
    if kind == "promotion":
        d = a.get("discount")
        if not _number(d) or not 0 < d <= MAX_DISCOUNT:
            problems.append(f"{where}: discount must be a number in (0, {MAX_DISCOUNT}]")
        at = a.get("month_index", month + 1)
        if not isinstance(at, int) or not month + 1 <= at <= last:
            problems.append(
                f"{where}: a promotion needs a month of lead time: month_index must be "
                f"{month + 1}..{last} (the game's months), not {at!r}"
            )
    elif kind == "price_change":
        c = a.get("change")
        if not _number(c) or not -MAX_PRICE_CHANGE <= c <= MAX_PRICE_CHANGE or c == 0:
            problems.append(
                f"{where}: change must be a non-zero share in [-{MAX_PRICE_CHANGE}, "
                f"{MAX_PRICE_CHANGE}] (e.g. -0.05 for 5 % off)"
            )
    elif kind == "expedite":
        _nonneg(a.get("units"), f"{where}: units", problems)
    elif kind == "capacity":
        if _known(a.get("plant"), data.plants, "plant", where, problems):
            _known(
                a.get("work_centre"), data.work_centres[a["plant"]], "work centre", where, problems
            )
        k = a.get("units")
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_CAPACITY_UNITS:
            problems.append(f"{where}: units must be a whole number 1..{MAX_CAPACITY_UNITS}")


def check(dec, data, *, horizon: int, capacity: dict, month: int, last: int) -> list[str]:
    """Every problem of decision set ``dec`` in a world at ``month`` (a list of messages)."""
    if not isinstance(dec, dict):
        return [f"the decision set must be a dict, not {type(dec).__name__}"]
    problems = [f"unknown key {k!r}; the keys are {list(KEYS)}" for k in dec if k not in KEYS]
    if "demand_plan" in dec:
        _check_plan(dec["demand_plan"], data, horizon, problems)
    _check_production(dec, data, capacity, problems)
    _check_targets_allocation(dec, data, problems)
    actions = dec.get("actions", [])
    if not isinstance(actions, list):
        problems.append("actions must be a list of dicts")
    else:
        for i, a in enumerate(actions):
            _check_action(i, a, data, month, last, problems)
    return problems
