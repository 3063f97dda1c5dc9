"""Inventory optimisation: the EOQ family, safety stock, service levels, policies,
the newsvendor, ABC/XYZ segmentation and a seeded policy simulation.

Symbols follow Snyder & Shen, *Fundamentals of Supply Chain Theory* (2nd ed., 2019):
:math:`K` fixed (ordering) cost, :math:`h` holding cost per unit per year, :math:`p`
backorder cost, :math:`\\lambda` (or :math:`D`) demand rate, :math:`L` lead time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from ._checks import check_number, check_numbers, check_whole_number, require_columns

__all__ = [
    "economic_order_quantity",
    "economic_production_quantity",
    "eoq_with_backorders",
    "eoq_quantity_discounts",
    "standard_normal_loss",
    "lead_time_demand_sd",
    "safety_stock",
    "fill_rate",
    "safety_factor_for_fill_rate",
    "reorder_point_policy",
    "periodic_review_policy",
    "newsvendor",
    "abc_xyz_classification",
    "InventorySimulation",
    "simulate_inventory_policy",
    "service_inventory_tradeoff",
    "plot_service_tradeoff",
]


def _eoq_inputs(fixed_cost, holding_cost, demand_rate, holding_label="holding_cost [h]"):
    """K, h and lambda of the EOQ family, with what a zero means for the formula."""
    k = check_number(fixed_cost, "fixed_cost [K]", low=0, low_open=True)
    h = check_number(holding_cost, holding_label, low=0)
    if h == 0:
        raise ValueError(
            f"{holding_label} is 0: with free storage the EOQ sqrt(2 K lambda / h) is "
            "infinite (order everything at once). Give the yearly cost of holding one unit, "
            "e.g. 20-25 % of its value."
        )
    lam = check_number(demand_rate, "demand_rate [lambda]", low=0)
    if lam == 0:
        raise ValueError(
            "demand_rate [lambda] is 0: with no demand there is nothing to order and no "
            "EOQ. Give the demand per year (the same year as the holding cost)."
        )
    return k, h, lam


def _service(value, name: str) -> float:
    """A service level or fill rate: a fraction strictly between 0 and 1."""
    return check_number(
        value, name, low=0, high=1, low_open=True, high_open=True, hint="Write 95% as 0.95."
    )


def economic_order_quantity(fixed_cost, holding_cost, demand_rate) -> pd.Series:
    """Economic order quantity (EOQ) and its annual ordering + holding cost.

    .. math:: Q^* = \\sqrt{2 K \\lambda / h}, \\qquad g(Q^*) = \\sqrt{2 K \\lambda h}

    Parameters
    ----------
    fixed_cost : float
        Cost per order [K].
    holding_cost : float
        Holding cost per unit per year [h].
    demand_rate : float
        Demand per year [lambda].

    Returns
    -------
    pandas.Series
        ``order_quantity``, ``annual_cost``, ``orders_per_year``, ``cycle_time`` (years).

    Examples
    --------
    Snyder & Shen (2019), Example 3.1: K = 8, h = 0.225, lambda = 1300.

    >>> economic_order_quantity(8, 0.225, 1300).round(2).to_dict()
    {'order_quantity': 304.05, 'annual_cost': 68.41, 'orders_per_year': 4.28, 'cycle_time': 0.23}
    """
    k, h, lam = _eoq_inputs(fixed_cost, holding_cost, demand_rate)
    q = math.sqrt(2 * k * lam / h)
    return pd.Series(
        {
            "order_quantity": q,
            "annual_cost": math.sqrt(2 * k * lam * h),
            "orders_per_year": lam / q,
            "cycle_time": q / lam,
        },
        name="eoq",
    )


def economic_production_quantity(
    fixed_cost, holding_cost, demand_rate, production_rate
) -> pd.Series:
    """Economic production quantity (EPQ): EOQ when the batch arrives at a finite rate.

    .. math:: Q^* = \\sqrt{\\frac{2 K \\lambda}{h (1 - \\lambda/\\mu)}}, \\qquad
              g(Q^*) = \\sqrt{2 K \\lambda h (1 - \\lambda/\\mu)}

    Parameters
    ----------
    fixed_cost : float
        Set-up cost per batch [K].
    holding_cost : float
        Holding cost per unit per year [h].
    demand_rate : float
        Demand per year [lambda].
    production_rate : float
        Production per year while running [mu]; must exceed ``demand_rate``.

    Returns
    -------
    pandas.Series
        ``order_quantity``, ``annual_cost``, ``max_inventory``.

    Examples
    --------
    Snyder & Shen (2019), Example 3.1 data with mu = 2000 (as in stockpyl's tests):

    >>> economic_production_quantity(8, 0.225, 1300, 2000).round(2).to_dict()
    {'order_quantity': 513.93, 'annual_cost': 40.47, 'max_inventory': 179.88}
    """
    k, h, lam = _eoq_inputs(fixed_cost, holding_cost, demand_rate)
    mu = check_number(production_rate, "production_rate [mu]", low=0, low_open=True)
    if mu <= lam:
        raise ValueError(
            f"production_rate ({mu}) must be greater than demand_rate ({lam}); otherwise "
            "the line can never build stock. Use the same time unit for both."
        )
    rho = 1 - lam / mu
    q = math.sqrt(2 * k * lam / (h * rho))
    return pd.Series(
        {
            "order_quantity": q,
            "annual_cost": math.sqrt(2 * k * lam * h * rho),
            "max_inventory": q * rho,
        },
        name="epq",
    )


def eoq_with_backorders(fixed_cost, holding_cost, backorder_cost, demand_rate) -> pd.Series:
    """EOQ with planned backorders.

    .. math:: Q^* = \\sqrt{\\frac{2 K \\lambda (h + p)}{h p}}, \\quad
              x^* = \\frac{h}{h + p}, \\quad g^* = \\sqrt{\\frac{2 K \\lambda h p}{h + p}}

    Parameters
    ----------
    fixed_cost : float
        Cost per order [K].
    holding_cost : float
        Holding cost per unit per year [h].
    backorder_cost : float
        Backorder cost per unit per year [p].
    demand_rate : float
        Demand per year [lambda].

    Returns
    -------
    pandas.Series
        ``order_quantity``, ``stockout_fraction`` (share of the cycle in backorder),
        ``max_backorders`` and ``annual_cost``.

    Examples
    --------
    Snyder & Shen (2019), Example 3.8: K = 8, h = 0.225, p = 5, lambda = 1300.

    >>> eoq_with_backorders(8, 0.225, 5, 1300).round(4)[["order_quantity", "annual_cost"]].to_dict()
    {'order_quantity': 310.8126, 'annual_cost': 66.9214}
    """
    k, h, lam = _eoq_inputs(fixed_cost, holding_cost, demand_rate)
    p = check_number(backorder_cost, "backorder_cost [p]", low=0, low_open=True)
    q = math.sqrt(2 * k * lam * (h + p) / (h * p))
    x = h / (h + p)
    return pd.Series(
        {
            "order_quantity": q,
            "stockout_fraction": x,
            "max_backorders": x * q,
            "annual_cost": math.sqrt(2 * k * lam * h * p / (h + p)),
        },
        name="eoq_backorders",
    )


def eoq_quantity_discounts(
    fixed_cost, holding_rate, demand_rate, price_breaks: pd.DataFrame
) -> pd.DataFrame:
    """EOQ under all-units quantity discounts.

    For each price break: :math:`Q_j = \\sqrt{2 K D / (i c_j)}`, raised to the break's
    minimum quantity if below it; total annual cost
    :math:`TC = c_j D + K D / Q + i c_j Q / 2`. The row with the lowest total wins.

    Parameters
    ----------
    fixed_cost : float
        Cost per order [K] (Heizer & Render: S).
    holding_rate : float
        Holding cost as a fraction of unit price per year [i] (Heizer & Render: I).
    demand_rate : float
        Demand per year [D].
    price_breaks : DataFrame
        Columns ``min_quantity`` and ``unit_price`` [c_j].

    Returns
    -------
    DataFrame
        One row per price break: ``unit_price``, ``min_quantity``, ``order_quantity``,
        ``purchase_cost``, ``ordering_cost``, ``holding_cost``, ``total_cost``, ``best``.

    Examples
    --------
    Heizer & Render, *Operations Management*, ch. "Inventory management", quantity
    discount example (Wohl's Discount Store): D = 5000, S = 49, I = 0.2.

    >>> breaks = pd.DataFrame({"min_quantity": [0, 1000, 2000], "unit_price": [5.0, 4.8, 4.75]})
    >>> t = eoq_quantity_discounts(49, 0.2, 5000, breaks)
    >>> t[["order_quantity", "total_cost"]].round(1).values.tolist()
    [[700.0, 25700.0], [1000.0, 24725.0], [2000.0, 24822.5]]
    >>> int(t.loc[t["best"], "order_quantity"].iloc[0])
    1000
    """
    k, i, d = _eoq_inputs(fixed_cost, holding_rate, demand_rate, "holding_rate [i]")
    require_columns(price_breaks, ["min_quantity", "unit_price"], "price_breaks", allow_empty=True)
    if price_breaks.empty:
        raise ValueError("price_breaks is empty; give at least one row (min_quantity 0).")
    table = price_breaks[["min_quantity", "unit_price"]].astype(float).sort_values("min_quantity")
    if (table["unit_price"] <= 0).any() or (table["min_quantity"] < 0).any():
        raise ValueError("price_breaks needs positive unit_price and non-negative min_quantity.")
    table = table.reset_index(drop=True)
    eoq = np.sqrt(2 * k * d / (i * table["unit_price"]))
    table["order_quantity"] = np.maximum(eoq, table["min_quantity"])
    table["purchase_cost"] = table["unit_price"] * d
    table["ordering_cost"] = k * d / table["order_quantity"]
    table["holding_cost"] = i * table["unit_price"] * table["order_quantity"] / 2
    table["total_cost"] = table[["purchase_cost", "ordering_cost", "holding_cost"]].sum(axis=1)
    table["best"] = table["total_cost"] == table["total_cost"].min()
    return table


def standard_normal_loss(z):
    """Standard normal loss function :math:`L(z) = \\phi(z) - z (1 - \\Phi(z))`.

    The expected shortfall of a standard normal variable above ``z``.

    Examples
    --------
    Snyder & Shen (2019), Table C.1 / Silver, Pyke & Thomas: L(0) = 0.3989, L(1.28) = 0.0475.

    >>> round(float(standard_normal_loss(0.0)), 4), round(float(standard_normal_loss(1.28)), 4)
    (0.3989, 0.0475)
    """
    z = np.asarray(z, dtype=float)
    return stats.norm.pdf(z) - z * stats.norm.sf(z)


def lead_time_demand_sd(demand_sd, lead_time, demand_mean=0.0, lead_time_sd=0.0) -> float:
    """Standard deviation of demand over the lead time.

    .. math:: \\sigma_{DL} = \\sqrt{L \\sigma_D^2 + D^2 \\sigma_L^2}

    Parameters
    ----------
    demand_sd : float
        Standard deviation of demand per period [sigma_D]; use the forecast error's
        RMSE when demand is forecast.
    lead_time : float
        Mean lead time in periods [L].
    demand_mean : float
        Mean demand per period [D] (only needed when ``lead_time_sd`` > 0).
    lead_time_sd : float
        Standard deviation of the lead time in periods [sigma_L].

    Examples
    --------
    Chopra & Meindl, *Supply Chain Management*, ch. 12, Example 12-6 style figures:
    D = 2500, sigma_D = 500, L = 7, sigma_L = 7 gives sigma_DL = sqrt(7*500^2 + 2500^2*49).

    >>> round(lead_time_demand_sd(500, 7, demand_mean=2500, lead_time_sd=7))
    17550
    """
    sd = check_number(demand_sd, "demand_sd [sigma_D]", low=0)
    lt = check_number(lead_time, "lead_time [L]", low=0)
    mean = check_number(demand_mean, "demand_mean [D]", low=0)
    lt_sd = check_number(lead_time_sd, "lead_time_sd [sigma_L]", low=0)
    return math.sqrt(lt * sd**2 + mean**2 * lt_sd**2)


def safety_stock(service_level, demand_sd, lead_time, demand_mean=0.0, lead_time_sd=0.0) -> float:
    """Safety stock for a cycle service level: :math:`ss = z_{\\alpha} \\sigma_{DL}`.

    Parameters
    ----------
    service_level : float
        Cycle service level [alpha], the probability of no stockout in a cycle (0 < alpha < 1).
    demand_sd, lead_time, demand_mean, lead_time_sd
        As in :func:`lead_time_demand_sd`.

    Examples
    --------
    >>> round(safety_stock(0.95, demand_sd=100, lead_time=4), 1)   # 1.645 * 200
    329.0
    """
    alpha = _service(service_level, "service_level [alpha]")
    sigma = lead_time_demand_sd(demand_sd, lead_time, demand_mean, lead_time_sd)
    return float(stats.norm.ppf(alpha) * sigma)


def fill_rate(safety_stock_units, order_quantity, sigma_lead_time_demand) -> float:
    """Fill rate (beta) of an (s, Q) policy with normal lead-time demand.

    .. math:: \\beta = 1 - \\frac{\\sigma_{DL} \\, L(z)}{Q}, \\quad z = ss / \\sigma_{DL}

    With :math:`\\sigma_{DL} = 0` (certain demand) the expected shortage per cycle
    :math:`\\sigma_{DL} L(ss/\\sigma_{DL})` is its limit :math:`\\max(0, -ss)`: a
    non-negative safety stock fills every order.

    Examples
    --------
    Safety factor 0 and Q = 4 sigma: beta = 1 - 0.3989 / 4.

    >>> round(fill_rate(0, 400, 100), 4)
    0.9003
    """
    q = check_number(order_quantity, "order_quantity [Q]", low=0, low_open=True)
    sigma = check_number(sigma_lead_time_demand, "sigma_lead_time_demand [sigma_DL]", low=0)
    ss = float(safety_stock_units)
    if not math.isfinite(ss):
        raise ValueError(f"safety_stock_units is {ss}; it must be a finite number of units.")
    if sigma == 0:
        return float(max(0.0, 1 - max(0.0, -ss) / q))
    z = ss / sigma
    return float(max(0.0, 1 - sigma * standard_normal_loss(z) / q))


def safety_factor_for_fill_rate(target_fill_rate, order_quantity, sigma_lead_time_demand) -> float:
    """Safety factor z that gives a target fill rate: solves :math:`L(z) = (1-\\beta) Q / \\sigma_{DL}`.

    Examples
    --------
    >>> z = safety_factor_for_fill_rate(0.99, 400, 100)
    >>> round(z, 3), round(fill_rate(z * 100, 400, 100), 4)
    (1.36, 0.99)
    """
    from scipy.optimize import brentq

    beta = _service(target_fill_rate, "target_fill_rate [beta]")
    q = check_number(order_quantity, "order_quantity [Q]", low=0, low_open=True)
    sigma = check_number(
        sigma_lead_time_demand, "sigma_lead_time_demand [sigma_DL]", low=0, low_open=True
    )
    target = (1 - beta) * q / sigma
    # L(z) falls from about -z (z << 0) to 0: L(-target - 1) > target, and L(38) is 0 in
    # floating point, so the root is always inside this bracket
    return float(
        brentq(lambda z: float(standard_normal_loss(z)) - target, min(-10.0, -target - 1), 38.0)
    )


def reorder_point_policy(
    demand_mean,
    demand_sd,
    lead_time,
    order_quantity,
    service_level,
    lead_time_sd=0.0,
) -> pd.Series:
    """Continuous-review (s, Q) policy: order Q when the inventory position falls to s.

    .. math:: s = D L + z_{\\alpha} \\sigma_{DL}

    Parameters
    ----------
    demand_mean : float
        Mean demand per period [D].
    demand_sd : float
        Standard deviation of demand per period [sigma_D] (forecast RMSE).
    lead_time : float
        Lead time in periods [L].
    order_quantity : float
        Order quantity [Q] (e.g. from the EOQ).
    service_level : float
        Cycle service level [alpha].
    lead_time_sd : float
        Lead-time standard deviation [sigma_L].

    Returns
    -------
    pandas.Series
        ``reorder_point``, ``order_quantity``, ``safety_stock``, ``sigma_dl``,
        ``cycle_service_level``, ``fill_rate``, ``average_inventory``.

    Examples
    --------
    >>> p = reorder_point_policy(100, 30, 4, 400, 0.95)
    >>> p[["reorder_point", "safety_stock"]].round(1).to_dict()
    {'reorder_point': 498.7, 'safety_stock': 98.7}
    """
    mean = check_number(demand_mean, "demand_mean [D]", low=0)
    q = check_number(order_quantity, "order_quantity [Q]", low=0, low_open=True)
    ss = safety_stock(service_level, demand_sd, lead_time, mean, lead_time_sd)
    sigma = lead_time_demand_sd(demand_sd, lead_time, mean, lead_time_sd)
    beta = fill_rate(ss, q, sigma) if sigma > 0 else 1.0
    return pd.Series(
        {
            "reorder_point": mean * float(lead_time) + ss,
            "order_quantity": q,
            "safety_stock": ss,
            "sigma_dl": sigma,
            "cycle_service_level": float(service_level),
            "fill_rate": beta,
            "average_inventory": ss + q / 2,
        },
        name="s_Q",
    )


def periodic_review_policy(
    demand_mean, demand_sd, lead_time, review_period, service_level, lead_time_sd=0.0
) -> pd.Series:
    """Periodic-review (R, S) policy: every R periods order up to S.

    The protection interval is :math:`R + L`:
    :math:`S = D (R + L) + z_{\\alpha} \\sqrt{(R+L) \\sigma_D^2 + D^2 \\sigma_L^2}`.

    ``fill_rate`` is NaN when the mean demand is 0 but uncertain (there is no expected
    demand to measure the filled share of).

    Examples
    --------
    >>> p = periodic_review_policy(100, 30, 4, 2, 0.95)
    >>> p[["order_up_to", "safety_stock"]].round(1).to_dict()
    {'order_up_to': 720.9, 'safety_stock': 120.9}
    """
    mean = check_number(demand_mean, "demand_mean [D]", low=0)
    r = check_number(review_period, "review_period [R]", low=0, low_open=True)
    lt = check_number(lead_time, "lead_time [L]", low=0)
    ss = safety_stock(service_level, demand_sd, r + lt, mean, lead_time_sd)
    sigma = lead_time_demand_sd(demand_sd, r + lt, mean, lead_time_sd)
    q = mean * r  # the demand of one review cycle, what one order replaces
    if q > 0:
        beta = fill_rate(ss, q, sigma)
    else:
        beta = 1.0 if sigma == 0 else np.nan  # no demand: nothing to fill
    return pd.Series(
        {
            "order_up_to": mean * (r + lt) + ss,
            "review_period": r,
            "safety_stock": ss,
            "sigma_protection": sigma,
            "cycle_service_level": float(service_level),
            "fill_rate": beta,
            "average_inventory": ss + mean * r / 2,
        },
        name="R_S",
    )


def newsvendor(overage_cost, underage_cost, demand_mean, demand_sd) -> pd.Series:
    """Newsvendor order quantity for normally distributed demand.

    .. math:: Q^* = \\mu + z^* \\sigma, \\quad \\Phi(z^*) = \\frac{p}{p + h}, \\quad
              g(Q^*) = (h + p)\\, \\sigma\\, \\phi(z^*)

    Parameters
    ----------
    overage_cost : float
        Cost per unit left over at the end of the season [h] (cost minus salvage).
    underage_cost : float
        Cost per unit of unmet demand [p] (lost margin plus goodwill).
    demand_mean, demand_sd : float
        Mean [mu] and standard deviation [sigma] of seasonal demand.

    Returns
    -------
    pandas.Series
        ``order_quantity``, ``critical_ratio``, ``expected_cost``,
        ``expected_shortage``, ``expected_leftover``.

    With :math:`\\sigma = 0` (demand known for certain) the answer is to order the demand:
    :math:`Q^* = \\mu` with no expected cost, shortage or leftover.

    Examples
    --------
    Snyder & Shen (2019), Example 4.3: h = 0.18, p = 0.70, demand N(50, 8^2).

    >>> newsvendor(0.18, 0.70, 50, 8)[["order_quantity", "expected_cost"]].round(4).to_dict()
    {'order_quantity': 56.604, 'expected_cost': 1.9976}
    """
    h = check_number(overage_cost, "overage_cost [h]", low=0, low_open=True)
    p = check_number(underage_cost, "underage_cost [p]", low=0, low_open=True)
    mu = check_number(demand_mean, "demand_mean [mu]", low=0)
    sigma = check_number(demand_sd, "demand_sd [sigma]", low=0)
    ratio = p / (p + h)
    z = float(stats.norm.ppf(ratio))
    q = mu + z * sigma
    shortage = sigma * float(standard_normal_loss(z)) if sigma > 0 else 0.0
    return pd.Series(
        {
            "order_quantity": q,
            "critical_ratio": ratio,
            "expected_cost": (h + p) * sigma * float(stats.norm.pdf(z)) if sigma > 0 else 0.0,
            "expected_shortage": shortage,
            "expected_leftover": q - mu + shortage,
        },
        name="newsvendor",
    )


def abc_xyz_classification(
    demand: pd.DataFrame,
    unit_value: pd.Series,
    abc_cutoffs=(0.8, 0.95),
    xyz_cutoffs=(0.5, 1.0),
) -> pd.DataFrame:
    """ABC (by annual value) and XYZ (by demand variability) segmentation.

    ABC: items sorted by value :math:`v_i = c_i \\sum_t d_{it}`; A until the cumulative
    share reaches ``abc_cutoffs[0]``, B until ``abc_cutoffs[1]``, C after.
    XYZ: coefficient of variation :math:`CV_i = s_i / \\bar d_i` of per-period demand;
    X below ``xyz_cutoffs[0]``, Y below ``xyz_cutoffs[1]``, Z otherwise.

    Parameters
    ----------
    demand : DataFrame
        Tidy demand history with columns ``item``, ``period``, ``quantity``.
    unit_value : Series
        Unit cost or price per item (index ``item``) [c].

    Returns
    -------
    DataFrame
        Indexed by item: ``value``, ``share``, ``cumulative_share``, ``abc``, ``mean``,
        ``cv``, ``xyz``, ``segment`` (e.g. ``"AX"``), sorted by value, largest first.

    Examples
    --------
    >>> d = pd.DataFrame({"item": list("aabbcc"), "period": [1, 2] * 3,
    ...                   "quantity": [100, 100, 10, 30, 0, 4]})
    >>> out = abc_xyz_classification(d, pd.Series({"a": 10.0, "b": 5.0, "c": 1.0}))
    >>> out["segment"].to_dict()
    {'a': 'AX', 'b': 'BY', 'c': 'CZ'}
    """
    require_columns(demand, ["item", "period", "quantity"], "demand", allow_empty=True)
    if demand.empty:
        raise ValueError("demand is empty; pass at least one row per item.")
    qty = pd.to_numeric(demand["quantity"], errors="coerce")
    if qty.isna().any() or (qty < 0).any():
        raise ValueError(
            "demand['quantity'] has negative or missing values; clean them (returns are "
            "not demand) or fill gaps with 0."
        )
    missing = sorted(set(demand["item"]) - set(unit_value.index))
    if missing:
        raise ValueError(f"unit_value has no value for item(s) {missing}; add them.")
    values = pd.to_numeric(unit_value.reindex(sorted(set(demand["item"]))), errors="coerce")
    bad = sorted(values.index[values.isna() | (values < 0) | np.isinf(values)])
    if bad:
        raise ValueError(
            f"unit_value is missing, negative or infinite for item(s) {bad}: give each item "
            "its unit cost or price (>= 0)."
        )
    wide = demand.assign(quantity=qty).pivot_table(
        index="period", columns="item", values="quantity", aggfunc="sum", fill_value=0
    )
    total = wide.sum()
    value = (total * values.reindex(total.index)).sort_values(ascending=False)
    if not value.sum() > 0:
        raise ValueError(
            "no item has any demand value (every quantity or unit value is 0), so there are "
            "no shares to rank for ABC: check the quantity column and the unit values."
        )
    share = value / value.sum() if value.sum() > 0 else value * 0
    cum = share.cumsum()
    before = cum - share
    abc = np.where(
        before < abc_cutoffs[0] - 1e-12, "A", np.where(before < abc_cutoffs[1] - 1e-12, "B", "C")
    )
    mean = wide.mean().reindex(value.index)
    sd = wide.std(ddof=1).reindex(value.index).fillna(0)
    cv = (sd / mean.replace(0, np.nan)).fillna(np.inf)
    xyz = np.where(cv < xyz_cutoffs[0], "X", np.where(cv < xyz_cutoffs[1], "Y", "Z"))
    out = pd.DataFrame(
        {
            "value": value,
            "share": share,
            "cumulative_share": cum,
            "abc": abc,
            "mean": mean,
            "cv": cv,
            "xyz": xyz,
        }
    )
    out["segment"] = out["abc"] + out["xyz"]
    out.index.name = "item"
    return out


@dataclass
class InventorySimulation:
    """Result of :func:`simulate_inventory_policy`: a per-period trace and a summary."""

    periods: pd.DataFrame
    summary: pd.Series


def simulate_inventory_policy(
    demand: pd.Series,
    *,
    policy: str = "sQ",
    reorder_point: float | None = None,
    order_quantity: float | None = None,
    review_period: int = 1,
    order_up_to: float | None = None,
    lead_time: int = 1,
    initial_inventory: float | None = None,
    holding_cost: float = 1.0,
    backorder_cost: float = 10.0,
    fixed_cost: float = 0.0,
    replications: int = 1,
    seed: int | None = None,
) -> InventorySimulation:
    """Simulate an (s, Q) or (R, S) policy period by period, with backorders.

    Each period: receive orders due, meet demand (unmet demand is backordered), then
    review the inventory position :math:`IP = \\text{on hand} - \\text{backorders} +
    \\text{on order}` and order. Costs per period: :math:`h \\cdot \\text{on hand} +
    p \\cdot \\text{backorders} + K \\cdot [\\text{order placed}]`.

    Parameters
    ----------
    demand : Series
        Demand per period (e.g. Tallridge's monthly sales of one item). With ``seed``
        given, each replication instead draws periods from this history with replacement
        (a bootstrap), so the result is reproducible from the seed.
    policy : {"sQ", "RS"}
        Reorder point / order quantity, or review period / order-up-to level.
    reorder_point, order_quantity : float
        s and Q for ``policy="sQ"``.
    review_period, order_up_to : int, float
        R and S for ``policy="RS"``.
    lead_time : int
        Whole periods between order and receipt [L].
    initial_inventory : float, optional
        On hand at the start; defaults to s + Q (sQ) or S (RS).
    holding_cost, backorder_cost, fixed_cost : float
        [h] per unit-period on hand, [p] per unit-period backordered, [K] per order.
    replications : int
        Number of bootstrap runs (only with ``seed``).
    seed : int, optional
        Seed for :func:`numpy.random.default_rng`.

    Returns
    -------
    InventorySimulation
        ``periods`` (trace of the first replication) and ``summary`` with
        ``fill_rate``, ``period_service_level`` (share of periods with all demand served from stock),
        ``average_on_hand``, ``average_backorders``, ``orders``, ``cost_per_period``.

    Examples
    --------
    >>> d = pd.Series([10, 12, 8, 11, 9, 10, 14, 7])
    >>> sim = simulate_inventory_policy(d, reorder_point=15, order_quantity=30, lead_time=1)
    >>> sim.summary[["fill_rate", "orders"]].round(3).to_dict()
    {'fill_rate': 1.0, 'orders': 2.0}
    """
    series = pd.Series(demand)
    series = pd.Series(check_numbers(series, "demand", low=0), index=series.index)
    lt, start = _check_policy(
        len(series),
        policy,
        reorder_point,
        order_quantity,
        review_period,
        order_up_to,
        lead_time,
        initial_inventory,
    )
    rng = np.random.default_rng(seed) if seed is not None else None
    runs = check_whole_number(replications, "replications") if rng is not None else 1
    rule = (policy, reorder_point, order_quantity, review_period, order_up_to)
    values = series.to_numpy()
    n = len(values)
    totals = np.zeros(6)
    order_count = stockout_count = 0.0
    trace = None
    for run in range(runs):
        d = rng.choice(values, size=n, replace=True) if rng is not None else values
        rows = _simulate_run(d, rule, start, lt)
        if run == 0:
            trace = pd.DataFrame(
                rows,
                columns=["demand", "served", "on_hand", "backorders", "order", "received"],
                index=series.index if rng is None else pd.RangeIndex(n, name="period"),
            )
        totals += rows.sum(axis=0)
        order_count += float((rows[:, 4] > 0).sum())
        stockout_count += float((rows[:, 1] < rows[:, 0] - 1e-9).sum())
    demand_total, served_total, on_hand_sum, back_sum = totals[:4]
    periods = n * runs
    summary = pd.Series(
        {
            "fill_rate": served_total / demand_total if demand_total > 0 else 1.0,
            "period_service_level": 1 - stockout_count / periods,
            "average_on_hand": on_hand_sum / periods,
            "average_backorders": back_sum / periods,
            "orders": order_count / runs,
            "cost_per_period": (holding_cost * on_hand_sum + backorder_cost * back_sum) / periods
            + fixed_cost * order_count / periods,
        },
        name=policy,
    )
    return InventorySimulation(periods=trace, summary=summary)


def _check_policy(
    n, policy, reorder_point, order_quantity, review_period, order_up_to, lead_time, initial
):
    """The lead time and the starting inventory of a policy, its parameters checked."""
    if policy not in ("sQ", "RS"):
        raise ValueError(f"policy must be 'sQ' or 'RS', not {policy!r}.")
    lt = check_whole_number(lead_time, "lead_time", low=0, hint="Lead times are whole periods.")
    if lt >= n:
        raise ValueError(
            f"lead_time ({lt}) is not shorter than the demand history ({n} "
            "periods); simulate a longer horizon or use a shorter lead time."
        )
    if policy == "sQ":
        if reorder_point is None or order_quantity is None:
            raise ValueError("policy 'sQ' needs reorder_point (s) and order_quantity (Q).")
        check_number(order_quantity, "order_quantity [Q]", low=0, low_open=True)
        return lt, reorder_point + order_quantity if initial is None else initial
    if order_up_to is None:
        raise ValueError("policy 'RS' needs order_up_to (S) and review_period (R).")
    check_whole_number(review_period, "review_period", hint="Review every R >= 1 periods.")
    return lt, order_up_to if initial is None else initial


def _simulate_run(d: np.ndarray, rule: tuple, start: float, lt: int) -> np.ndarray:
    """One run of the policy over the demand ``d``: demand, served, on hand, backorders,
    order and received per period."""
    policy, reorder_point, order_quantity, review_period, order_up_to = rule
    n = len(d)
    pipeline = np.zeros(n + lt + 1)
    net = float(start)  # on hand minus backorders
    on_order = 0.0
    rows = np.zeros((n, 6))
    for t in range(n):
        arriving = pipeline[t]
        net += arriving
        on_order -= arriving
        before = max(net, 0.0)
        net -= d[t]
        served = min(d[t], before)
        ip = net + on_order
        q = 0.0
        if policy == "sQ":
            if ip <= reorder_point:
                q = order_quantity * math.ceil((reorder_point - ip + 1e-9) / order_quantity)
        elif t % int(review_period) == 0 and ip < order_up_to:
            q = order_up_to - ip
        if q > 0:
            if lt == 0:
                net += q
            else:
                pipeline[t + lt] += q
                on_order += q
        rows[t] = [d[t], served, max(net, 0.0), max(-net, 0.0), q, arriving]
    return rows


def service_inventory_tradeoff(
    demand_mean,
    demand_sd,
    lead_time,
    order_quantity,
    holding_cost,
    service_levels=None,
    lead_time_sd=0.0,
) -> pd.DataFrame:
    """The service-level / inventory trade-off curve of an (s, Q) policy.

    For each cycle service level alpha: :math:`ss = z_\\alpha \\sigma_{DL}`, fill rate
    :math:`\\beta = 1 - \\sigma_{DL} L(z_\\alpha) / Q`, average inventory
    :math:`ss + Q/2` and holding cost :math:`h (ss + Q/2)`.

    Returns
    -------
    DataFrame
        ``service_level``, ``z``, ``safety_stock``, ``fill_rate``, ``average_inventory``,
        ``holding_cost`` (per period).

    Examples
    --------
    >>> t = service_inventory_tradeoff(100, 30, 4, 400, 2.0, service_levels=[0.9, 0.99])
    >>> t["safety_stock"].round(1).tolist()
    [76.9, 139.6]
    """
    if service_levels is None:
        service_levels = np.linspace(0.5, 0.999, 60)
    levels = np.asarray(service_levels, dtype=float)
    if levels.size == 0 or np.isnan(levels).any() or (levels <= 0).any() or (levels >= 1).any():
        raise ValueError("service_levels must be fractions strictly between 0 and 1.")
    mean = check_number(demand_mean, "demand_mean [D]", low=0)
    q = check_number(order_quantity, "order_quantity [Q]", low=0, low_open=True)
    h = check_number(holding_cost, "holding_cost [h]", low=0)
    sigma = lead_time_demand_sd(demand_sd, lead_time, mean, lead_time_sd)
    z = stats.norm.ppf(levels)
    ss = z * sigma
    beta = np.clip(1 - sigma * standard_normal_loss(z) / q, 0, 1)
    avg = ss + q / 2
    return pd.DataFrame(
        {
            "service_level": levels,
            "z": z,
            "safety_stock": ss,
            "fill_rate": beta,
            "average_inventory": avg,
            "holding_cost": h * avg,
        }
    )


def plot_service_tradeoff(table: pd.DataFrame, highlight: float | None = None, ax=None):
    """Plot safety stock against cycle service level and fill rate.

    Examples
    --------
    >>> ax = plot_service_tradeoff(service_inventory_tradeoff(100, 30, 4, 400, 2.0), 0.95)
    >>> ax.get_xlabel()
    'Service level (%)'
    """
    require_columns(
        table, ["service_level", "fill_rate", "safety_stock"], "table", allow_empty=True
    )
    if ax is None:
        _, ax = plt.subplots()
    ax.plot(100 * table["service_level"], table["safety_stock"], label="Cycle service level")
    ax.plot(100 * table["fill_rate"], table["safety_stock"], linestyle="--", label="Fill rate")
    if highlight is not None:
        row = table.iloc[(table["service_level"] - highlight).abs().argmin()]
        ax.plot([100 * row["service_level"]], [row["safety_stock"]], "o", color="#b03a48")
        ax.annotate(
            f"{row['service_level']:.1%} CSL: {row['safety_stock']:.0f} units",
            (100 * row["service_level"], row["safety_stock"]),
            textcoords="offset points",
            xytext=(-125, -4),  # left of the point: room there even at the top of the axes
        )
    ax.set_xlabel("Service level (%)")
    ax.set_ylabel("Safety stock (units)")
    ax.legend()
    return ax
