"""Continuous-review (r, Q) policies: cost, the best reorder point, the exact optimum,
the textbook approximations beside it, and reorder points for a service target.

When the inventory position falls to the reorder point :math:`r`, order :math:`Q`; the
order arrives a lead time :math:`L` later. The inventory position is then uniform on
:math:`(r, r + Q]` (on :math:`\\{r+1, \\dots, r+Q\\}` with Poisson demand), so every
measure of the policy is an average of the newsvendor function over that window
(Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed., 2019, ch. 5):

.. math:: g(r, Q) = \\frac{K\\lambda + \\int_r^{r+Q} G(y)\\,dy}{Q}, \\qquad
          G(y) = h\\,\\bar n(y) + p\\,n(y),

with :math:`n` and :math:`\\bar n` the loss functions of lead-time demand
(:mod:`sopcourse.loss_functions`). Because :math:`\\frac{d}{dx} n^{(2)}(x) = -n(x)`, the
integral is a difference of second-order loss functions: every cost, service level and
fill rate here is a closed form, and Snyder & Shen's discrete definitions make the same
formulas exact for Poisson demand.

Symbols: :math:`h` holding cost per unit per year, :math:`p` backorder cost per unit
backordered per year, :math:`K` fixed cost per order, :math:`\\lambda` demand per year,
:math:`\\tau` standard deviation of demand per year, :math:`L` lead time in years.
The EOQ, EOQ with backorders, lead-time spread, safety stock and the fill-rate safety
factor come from :mod:`sopcourse.inventory`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats
from scipy.optimize import brentq

from ._checks import check_number
from ._results import Result
from .inventory import (
    economic_order_quantity,
    eoq_with_backorders,
    lead_time_demand_sd,
    safety_factor_for_fill_rate,
    safety_stock,
)
from .loss_functions import NormalKernel, PoissonKernel

__all__ = [
    "rq_cost",
    "rq_performance",
    "rq_optimal_reorder_point",
    "rq_optimal",
    "rq_approximation",
    "compare_rq_policies",
    "rq_reorder_point_for_service",
    "RQPolicy",
]


# --------------------------------------------------------------------------- (r, Q) inputs
@dataclass(frozen=True)
class _Setting:
    """The checked inputs of an (r, Q) question and its lead-time demand kernel."""

    kernel: object
    demand: str
    demand_rate: float
    lead_time: float
    demand_sd: float | None
    lead_time_sd: float
    holding: float | None = None
    backorder: float | None = None
    fixed_cost: float | None = None


def _setting(
    demand, demand_rate, lead_time, demand_sd, lead_time_sd, costs=None, fixed_low_open=True
) -> _Setting:
    if demand not in ("normal", "poisson"):
        raise ValueError(f"demand must be 'normal' or 'poisson'; got {demand!r}.")
    per = "Use one time unit (a year) for demand, lead time and costs: 2 weeks = 2/52 years."
    lam = check_number(demand_rate, "demand_rate [lambda]", low=0, low_open=True, hint=per)
    lt = check_number(lead_time, "lead_time [L]", low=0, hint=per)
    if demand == "poisson":
        if demand_sd is not None:
            raise ValueError(
                "demand='poisson' takes no demand_sd: a Poisson demand's variance is its mean "
                "(lambda L). Leave demand_sd out, or use demand='normal'."
            )
        if lead_time_sd != 0:
            raise ValueError(
                "demand='poisson' needs a fixed lead time (lead_time_sd=0): with a random lead "
                "time the lead-time demand is no longer Poisson. Use demand='normal'."
            )
        kernel, sd = PoissonKernel(lam * lt), None
    else:
        if demand_sd is None:
            raise ValueError(
                "demand='normal' needs demand_sd [tau], the standard deviation of demand per "
                "year (the unit of demand_rate); or use demand='poisson'."
            )
        sigma = lead_time_demand_sd(demand_sd, lt, lam, lead_time_sd)
        if sigma == 0:
            raise ValueError(
                "the lead-time demand has standard deviation 0 (demand_sd or lead_time is 0): "
                "demand is certain, so r = lambda L covers it; for Q use eoq_with_backorders."
            )
        kernel, sd = NormalKernel(lam * lt, sigma), float(demand_sd)
    values = {}
    if costs is not None:
        fixed, holding, backorder = costs
        per_year = "Per unit per year (on hand for h, backordered for p)."
        values["holding"] = check_number(
            holding, "holding_cost [h]", low=0, low_open=True, hint=per_year
        )
        values["backorder"] = check_number(
            backorder, "backorder_cost [p]", low=0, low_open=True, hint=per_year
        )
        if fixed is not None:
            values["fixed_cost"] = check_number(
                fixed, "fixed_cost [K]", low=0, low_open=fixed_low_open
            )
    return _Setting(kernel, demand, lam, lt, sd, float(lead_time_sd), **values)


def _policy(setting: _Setting, reorder_point, order_quantity):
    """Checked (r, Q): numbers, Q > 0, whole units for Poisson demand."""
    r = check_number(reorder_point, "reorder_point [r]")
    q = check_number(order_quantity, "order_quantity [Q]", low=0, low_open=True)
    if setting.kernel.discrete:
        if r != math.floor(r) or q != math.floor(q):
            raise ValueError(
                f"Poisson demand comes in whole units: reorder_point and order_quantity must be "
                f"whole numbers; got r = {r}, Q = {q}. Round them."
            )
        return int(r), int(q)
    return r, q


def _measures(setting: _Setting, r, q) -> dict:
    """Average stock and backorders, service levels and costs of (r, Q): IP uniform on the
    window, so averages over it are differences of second-order loss functions."""
    kernel = setting.kernel
    ends = np.array([r, r + q], dtype=float)
    n, n2, nb2 = kernel.loss(ends), kernel.loss2(ends), kernel.complement2(ends)
    shortage = float(n[0] - n[1])
    out = {
        "reorder_point": r,
        "order_quantity": q,
        "safety_stock": r - kernel.mean,
        "average_on_hand": float(nb2[1] - nb2[0]) / q,
        "average_backorders": float(n2[0] - n2[1]) / q,
        "cycle_service_level": float(kernel.cdf(r)),
        "fill_rate": 1 - shortage / q,
    }
    if setting.holding is not None:
        out["ordering_cost"] = setting.fixed_cost * setting.demand_rate / q
        out["holding_cost"] = setting.holding * out["average_on_hand"]
        out["backorder_cost"] = setting.backorder * out["average_backorders"]
        out["annual_cost"] = out["ordering_cost"] + out["holding_cost"] + out["backorder_cost"]
    return out


# --------------------------------------------------------------------------- cost of (r, Q)
def rq_cost(
    reorder_point,
    order_quantity,
    *,
    fixed_cost,
    holding_cost,
    backorder_cost,
    demand_rate,
    lead_time,
    demand_sd=None,
    lead_time_sd=0.0,
    demand: str = "normal",
) -> float:
    """Expected annual cost :math:`g(r, Q)` of a continuous-review (r, Q) policy.

    Snyder & Shen (2019), equations (5.7) (continuous) and (5.48) (Poisson), written with
    second-order loss functions so that no integral is computed numerically:

    .. math:: g(r, Q) = \\frac{K\\lambda}{Q} + h\\,\\frac{\\bar n^{(2)}(r+Q) - \\bar n^{(2)}(r)}{Q}
              + p\\,\\frac{n^{(2)}(r) - n^{(2)}(r+Q)}{Q}

    (ordering + holding the average stock on hand + the average backorders). Lead-time
    demand is normal with mean :math:`\\lambda L` and standard deviation
    :math:`\\sigma_{DL}` from :func:`sopcourse.inventory.lead_time_demand_sd`, or Poisson
    with mean :math:`\\lambda L` (``demand="poisson"``).

    Parameters
    ----------
    reorder_point : float
        Reorder point [r] (may be negative); a whole number for Poisson demand.
    order_quantity : float
        Order quantity [Q] > 0; a whole number for Poisson demand.
    fixed_cost : float
        Cost per order [K] (0 or more here).
    holding_cost : float
        Holding cost per unit per year [h].
    backorder_cost : float
        Backorder (stockout) cost per unit backordered per year [p].
    demand_rate : float
        Mean demand per year [lambda].
    lead_time : float
        Lead time in years [L].
    demand_sd : float, optional
        Standard deviation of demand per year [tau] (normal demand only); the lead-time
        demand has :math:`\\sigma_{DL} = \\tau\\sqrt{L}`.
    lead_time_sd : float
        Standard deviation of the lead time in years [sigma_L] (normal demand only).
    demand : {"normal", "poisson"}
        Distribution of demand.

    Returns
    -------
    float
        :math:`g(r, Q)`, cost per year. :func:`rq_performance` gives its parts.

    Examples
    --------
    Snyder & Shen (2019), Example 5.1: h = 0.225, p = 7.5, K = 8, lambda = 1300,
    tau = 150, L = 1/12 year: g(126.8, 328.5) = 78.07 (as in stockpyl's ``rq`` docs).

    >>> ex51 = dict(fixed_cost=8, holding_cost=0.225, backorder_cost=7.5, demand_rate=1300,
    ...             demand_sd=150, lead_time=1 / 12)
    >>> round(rq_cost(126.8, 328.5, **ex51), 2)
    78.07

    Example 5.8 (Poisson): h = 20, p = 150, K = 100, lambda = 1.5, L = 2: g(3, 5) = 107.92.

    >>> round(rq_cost(3, 5, fixed_cost=100, holding_cost=20, backorder_cost=150,
    ...               demand_rate=1.5, lead_time=2, demand="poisson"), 2)
    107.92
    """
    costs = (fixed_cost, holding_cost, backorder_cost)
    setting = _setting(demand, demand_rate, lead_time, demand_sd, lead_time_sd, costs, False)
    return _measures(setting, *_policy(setting, reorder_point, order_quantity))["annual_cost"]


def rq_performance(
    reorder_point,
    order_quantity,
    *,
    fixed_cost,
    holding_cost,
    backorder_cost,
    demand_rate,
    lead_time,
    demand_sd=None,
    lead_time_sd=0.0,
    demand: str = "normal",
) -> pd.Series:
    """Costs, stock and both service levels of a given (r, Q) policy.

    With the inventory position uniform on the window :math:`(r, r + Q]`:

    .. math:: E[\\text{on hand}] = \\frac{\\bar n^{(2)}(r+Q) - \\bar n^{(2)}(r)}{Q}, \\quad
              E[\\text{backorders}] = \\frac{n^{(2)}(r) - n^{(2)}(r+Q)}{Q},

    type-1 service (cycle service level, no stockout in a cycle)
    :math:`\\alpha = F(r)`, and type-2 service (fill rate)
    :math:`\\beta = 1 - [n(r) - n(r+Q)] / Q` (Snyder & Shen 2019, ch. 5; Axsäter,
    *Inventory Control*, ch. 5). The same formulas are exact for Poisson demand with the
    discrete loss functions.

    Parameters
    ----------
    reorder_point, order_quantity, fixed_cost, holding_cost, backorder_cost, demand_rate, lead_time, demand_sd, lead_time_sd, demand
        As in :func:`rq_cost`.

    Returns
    -------
    pandas.Series
        ``reorder_point``, ``order_quantity``, ``safety_stock`` (r - lambda L),
        ``average_on_hand``, ``average_backorders``, ``cycle_service_level``,
        ``fill_rate``, ``ordering_cost``, ``holding_cost``, ``backorder_cost`` and
        ``annual_cost`` (per year).

    Examples
    --------
    Chopra & Meindl, *Supply Chain Management*, Exercise 11.4 (HP printers at Sam's Club):
    weekly demand N(250, 150^2), L = 2 weeks, Q = 1000, r = 600: CSL 0.68, fill rate 0.96
    (time unit one week; any costs).

    >>> s = rq_performance(600, 1000, fixed_cost=0, holding_cost=1, backorder_cost=1,
    ...                    demand_rate=250, demand_sd=150, lead_time=2)
    >>> s[["safety_stock", "cycle_service_level", "fill_rate"]].round(2).to_dict()
    {'safety_stock': 100.0, 'cycle_service_level': 0.68, 'fill_rate': 0.96}
    """
    costs = (fixed_cost, holding_cost, backorder_cost)
    setting = _setting(demand, demand_rate, lead_time, demand_sd, lead_time_sd, costs, False)
    r, q = _policy(setting, reorder_point, order_quantity)
    return pd.Series(_measures(setting, r, q), name="rq")


# --------------------------------------------------------------------------- solvers
def _newsvendor(setting: _Setting):
    """G(y) = h n_bar(y) + p n(y) = h (y - mu) + (h + p) n(y) and its slope (h + p) F - p."""
    k, h, p = setting.kernel, setting.holding, setting.backorder

    def cost(y):
        return h * (np.asarray(y, dtype=float) - k.mean) + (h + p) * k.loss(y)

    def slope(y):
        return (h + p) * k.cdf(y) - p

    return cost, slope


def _critical_point(setting: _Setting) -> float:
    """S*, the minimiser of G: the p / (h + p) quantile of lead-time demand."""
    ratio = setting.backorder / (setting.backorder + setting.holding)
    if setting.kernel.discrete:
        return float(stats.poisson.ppf(ratio, setting.kernel.mu) + setting.kernel.loc)
    return setting.kernel.mean + setting.kernel.spread * float(special.ndtri(ratio))


def _poisson_window(setting: _Setting, half: int):
    """G on the integers S* - half .. S* + half and the order that sorts it: with G
    convex, the Q smallest values are a contiguous window, the best one for that Q."""
    centre = int(_critical_point(setting))
    y = np.arange(centre - half, centre + half + 1)
    cost, _ = _newsvendor(setting)
    g = cost(y)
    return y, g, np.argsort(g, kind="stable")


def _optimal_r(setting: _Setting, q):
    """r(Q): the window of length Q with the lowest average G (G(r) = G(r + Q))."""
    if setting.kernel.discrete:
        y, _, order = _poisson_window(setting, q + 1)
        return int(y[order[:q]].min()) - 1
    cost, _ = _newsvendor(setting)
    top = _critical_point(setting)

    def gap(r):
        ends = cost(np.array([r, r + q]))
        return float(ends[1] - ends[0])

    return float(brentq(gap, top - q, top, xtol=1e-10 * setting.kernel.spread, rtol=1e-14))


def _poisson_exact(setting: _Setting, guess: int):
    """Exact (r, Q) for Poisson demand: the average of K lambda and the Q smallest G values
    is unimodal in Q (Federgruen & Zheng 1992); its first minimum is the optimum."""
    fixed = setting.fixed_cost * setting.demand_rate
    half = max(8, 2 * guess)
    while True:
        y, g, order = _poisson_window(setting, half)
        trusted = half + 1  # windows this short cannot reach the grid's ends
        average = (fixed + np.cumsum(g[order][:trusted])) / np.arange(1, trusted + 1)
        q = int(np.argmin(average)) + 1
        if q < trusted:
            return int(y[order[:q]].min()) - 1, q
        half *= 2


def _level_roots(setting: _Setting, level: float, y: np.ndarray) -> np.ndarray:
    """Both roots of G(y) = level by Newton's method from outside the level set (G convex:
    the iterates move inwards monotonically)."""
    cost, slope = _newsvendor(setting)
    for _ in range(200):
        step = (cost(y) - level) / slope(y)
        y = y - step
        if np.all(np.abs(step) <= 1e-12 * (setting.kernel.spread + np.abs(y))):
            break
    return y


def _continuous_exact(setting: _Setting):
    """Exact (r, Q) for continuous demand. At the optimum G(r) = G(r + Q) = g(r, Q) = c,
    so [r, r + Q] is the level set {G <= c} with area phi(c) = integral of (c - G) = K
    lambda. phi is convex and increasing with phi'(c) = Q(c): Newton's method from any
    feasible cost converges monotonically (the approach of Zheng 1992)."""
    k, h, p = setting.kernel, setting.holding, setting.backorder
    fixed = setting.fixed_cost * setting.demand_rate

    def antiderivative(y):  # of G: d/dy n_bar2 = n_bar, d/dy n2 = -n
        return h * k.complement2(y) - p * k.loss2(y)

    q = float(eoq_with_backorders(setting.fixed_cost, h, p, setting.demand_rate)["order_quantity"])
    r = _critical_point(setting) - q / 2
    level = _measures(setting, r, q)["annual_cost"]  # any policy's cost is >= c*
    y = np.array([k.mean - level / p - k.spread, k.mean + level / h + k.spread])
    for _ in range(200):
        y = _level_roots(setting, level, y)
        width = y[1] - y[0]
        area = level * width - float(np.diff(antiderivative(y))[0])
        step = (area - fixed) / width
        level -= step
        if step <= 1e-12 * level:  # (a step up is rounding: c* is reached)
            break
    y = _level_roots(setting, level, y)
    return float(y[0]), float(y[1] - y[0])


def _loss_inverse(kernel, target: float):
    """The r with n(r) = target (continuous; Newton from the left, n convex and falling),
    or the smallest whole r with n(r) <= target (Poisson)."""
    if kernel.discrete:
        low = math.floor(kernel.mean - target) - 1  # n(x) >= mean - x > target here
        high = math.ceil(kernel.mean + 10 * kernel.spread) + 10
        while float(kernel.loss(high)) > target:
            high += high - low
        grid = np.arange(low, high + 1)
        return int(grid[np.argmax(kernel.loss(grid) <= target)])
    r = kernel.mean - target
    for _ in range(200):
        step = float(kernel.loss(r) - target) / float(1 - kernel.cdf(r))
        r += step
        if step <= 1e-12 * (kernel.spread + abs(r)):
            break
    return r


def _approximation(setting: _Setting, method: str):
    """(r, Q) of one of the textbook approximations (Snyder & Shen 2019, ch. 5)."""
    h, p, k_cost, lam = setting.holding, setting.backorder, setting.fixed_cost, setting.demand_rate
    discrete = setting.kernel.discrete

    def whole(q):
        return max(1, round(q)) if discrete else q

    if method == "eoq_ss":
        q = whole(float(economic_order_quantity(k_cost, h, lam)["order_quantity"]))
        if discrete:
            return int(_critical_point(setting)), q
        ss = safety_stock(
            p / (h + p), setting.demand_sd, setting.lead_time, lam, setting.lead_time_sd
        )
        return setting.kernel.mean + ss, q
    if method == "eoqb":
        q = whole(float(eoq_with_backorders(k_cost, h, p, lam)["order_quantity"]))
        return _optimal_r(setting, q), q
    # loss function (Hadley & Whitin 1963): n(r) = h Q / (h + p),
    # Q = sqrt(2 [K lambda + (h + p) n2(r)] / h), from Q = EOQ until it settles
    q = float(economic_order_quantity(k_cost, h, lam)["order_quantity"])
    r = None
    for _ in range(500):
        r_new = _loss_inverse(setting.kernel, h * q / (h + p))
        q_new = math.sqrt(2 * (k_cost * lam + (h + p) * float(setting.kernel.loss2(r_new))) / h)
        if r is None:
            settled = False
        elif discrete:  # the same r again gives the same Q again: a fixed point
            settled = r_new == r
        else:
            settled = abs(q_new - q) <= 1e-10 * q and abs(r_new - r) <= 1e-10 * q
        r, q = r_new, q_new
        if settled:
            break
    return r, whole(q)


_METHODS = {
    "exact": "exact optimum",
    "eoq_ss": "EOQ + safety stock: Q = EOQ, r = F^-1(p / (p + h))",
    "eoqb": "EOQ with backorders: Q = EOQB, r = r(Q)",
    "loss_function": "loss-function approximation (Hadley & Whitin)",
}


@dataclass(frozen=True, eq=False)
class RQPolicy(Result):
    """An (r, Q) policy and what it achieves: the result of :func:`rq_optimal` and
    :func:`rq_approximation`. ``annual_cost`` is the exact :func:`rq_cost` of the policy,
    whichever method chose it."""

    method: str
    demand: str
    reorder_point: float
    order_quantity: float
    annual_cost: float
    safety_stock: float
    cycle_service_level: float
    fill_rate: float


def _result(setting: _Setting, method: str, r, q) -> RQPolicy:
    m = _measures(setting, r, q)
    return RQPolicy(
        method,
        setting.demand,
        r,
        q,
        m["annual_cost"],
        m["safety_stock"],
        m["cycle_service_level"],
        m["fill_rate"],
    )


def _solve(setting: _Setting, method: str) -> RQPolicy:
    if method == "exact":
        if setting.kernel.discrete:
            guess = eoq_with_backorders(
                setting.fixed_cost, setting.holding, setting.backorder, setting.demand_rate
            )["order_quantity"]
            r, q = _poisson_exact(setting, math.ceil(guess))
        else:
            r, q = _continuous_exact(setting)
    else:
        r, q = _approximation(setting, method)
    return _result(setting, method, r, q)


# --------------------------------------------------------------------------- public solvers
def rq_optimal_reorder_point(
    order_quantity,
    *,
    holding_cost,
    backorder_cost,
    demand_rate,
    lead_time,
    demand_sd=None,
    lead_time_sd=0.0,
    demand: str = "normal",
):
    """The best reorder point :math:`r(Q)` for a given order quantity.

    :math:`g(r, Q)` is convex in :math:`r`; its minimiser makes the newsvendor cost equal
    at both ends of the window (Snyder & Shen 2019, (5.9)):

    .. math:: G(r) = G(r + Q), \\qquad G(y) = h\\,\\bar n(y) + p\\,n(y)

    (Brent's method between :math:`S^* - Q` and :math:`S^*`, the newsvendor level). For
    Poisson demand, :math:`r(Q)` is the smallest whole number whose window
    :math:`\\{r+1, \\dots, r+Q\\}` holds the :math:`Q` smallest values of :math:`G`.
    The fixed cost :math:`K` does not move :math:`r(Q)`.

    Parameters
    ----------
    order_quantity : float
        Order quantity [Q] > 0 (a whole number for Poisson demand).
    holding_cost, backorder_cost, demand_rate, lead_time, demand_sd, lead_time_sd, demand
        As in :func:`rq_cost`.

    Returns
    -------
    float (int for Poisson demand)
        :math:`r(Q)`.

    Examples
    --------
    Snyder & Shen (2019), Example 5.1 data with the EOQB order quantity 308.57: r = 128.64,
    the EOQB approximation of Example 5.4 (as in stockpyl's ``rq`` docs).

    >>> ex = dict(holding_cost=0.225, backorder_cost=7.5, demand_rate=1300, demand_sd=150,
    ...           lead_time=1 / 12)
    >>> round(rq_optimal_reorder_point(308.5737801203754, **ex), 2)
    128.64
    """
    costs = (None, holding_cost, backorder_cost)
    setting = _setting(demand, demand_rate, lead_time, demand_sd, lead_time_sd, costs)
    _, q = _policy(setting, 0, order_quantity)
    return _optimal_r(setting, q)


def rq_optimal(
    *,
    fixed_cost,
    holding_cost,
    backorder_cost,
    demand_rate,
    lead_time,
    demand_sd=None,
    lead_time_sd=0.0,
    demand: str = "normal",
) -> RQPolicy:
    """The exact optimal (r, Q) policy and its cost.

    At the optimum the newsvendor cost is the same at both ends of the window and equals
    the average cost (Snyder & Shen 2019, ch. 5; Zheng 1992):

    .. math:: G(r^*) = G(r^* + Q^*) = g(r^*, Q^*), \\qquad
              \\int_{r^*}^{r^* + Q^*} \\big(g^* - G(y)\\big)\\,dy = K\\lambda

    Continuous (normal) demand: Newton's method on the level :math:`c = g^*`, whose level
    set :math:`\\{G \\le c\\}` is the window; the area :math:`\\phi(c)` is convex with
    :math:`\\phi'(c) = Q(c)`, so the iterates fall monotonically to :math:`g^*` from the
    cost of any policy. Poisson demand: the exact search of Federgruen & Zheng (1992),
    grow the window by the smallest next :math:`G` value while it is below the average.

    Parameters
    ----------
    fixed_cost : float
        Cost per order [K] > 0.
    holding_cost, backorder_cost, demand_rate, lead_time, demand_sd, lead_time_sd, demand
        As in :func:`rq_cost`.

    Returns
    -------
    RQPolicy
        ``reorder_point``, ``order_quantity``, ``annual_cost`` and the policy's safety
        stock, cycle service level and fill rate (``method="exact"``).

    Examples
    --------
    Snyder & Shen (2019), Example 5.1 gives r = 126.8, Q = 328.5 and g = 78.07 (as quoted by
    stockpyl's rq docs); the optimum is within 0.1 unit of that point, at the same cost to
    the cent:

    >>> ex51 = dict(fixed_cost=8, holding_cost=0.225, backorder_cost=7.5, demand_rate=1300,
    ...             demand_sd=150, lead_time=1 / 12)
    >>> best = rq_optimal(**ex51)
    >>> round(best.reorder_point, 2), round(best.order_quantity, 2), round(best.annual_cost, 2)
    (126.87, 328.45, 78.07)

    At r(Q) the fill rate is always p / (p + h), here 7.5 / 7.725:

    >>> round(best.fill_rate, 4)
    0.9709

    Example 5.8 (Poisson): r* = 3, Q* = 5, g* = 107.92.

    >>> best = rq_optimal(fixed_cost=100, holding_cost=20, backorder_cost=150,
    ...                   demand_rate=1.5, lead_time=2, demand="poisson")
    >>> best.reorder_point, best.order_quantity, round(best.annual_cost, 2)
    (3, 5, 107.92)
    """
    costs = (fixed_cost, holding_cost, backorder_cost)
    setting = _setting(demand, demand_rate, lead_time, demand_sd, lead_time_sd, costs)
    return _solve(setting, "exact")


def rq_approximation(
    method: str,
    *,
    fixed_cost,
    holding_cost,
    backorder_cost,
    demand_rate,
    lead_time,
    demand_sd=None,
    lead_time_sd=0.0,
    demand: str = "normal",
) -> RQPolicy:
    """One of the textbook approximations of the optimal (r, Q) policy.

    Snyder & Shen (2019), ch. 5:

    - ``"eoq_ss"`` (EOQ + safety stock, Example 5.5): :math:`Q = \\sqrt{2K\\lambda/h}`
      (:func:`sopcourse.inventory.economic_order_quantity`) and the newsvendor
      :math:`r = \\lambda L + z_\\alpha \\sigma_{DL}`, :math:`\\alpha = p/(p+h)`
      (:func:`sopcourse.inventory.safety_stock`);
    - ``"eoqb"`` (EOQ with backorders, Example 5.4; Zheng 1992):
      :math:`Q = \\sqrt{2K\\lambda(h+p)/(hp)}`
      (:func:`sopcourse.inventory.eoq_with_backorders`) and :math:`r = r(Q)`;
    - ``"loss_function"`` (Hadley & Whitin 1963, Example 5.6): iterate
      :math:`n(r) = hQ/(h+p)` and :math:`Q = \\sqrt{2[K\\lambda + (h+p)\\,n^{(2)}(r)]/h}`
      from :math:`Q` = EOQ until both settle.

    For Poisson demand the order quantities are rounded to whole units (at least 1) and
    :math:`r` is the whole-number version of the same rule. Every result carries the
    exact :func:`rq_cost` of the policy it found.

    Parameters
    ----------
    method : {"eoq_ss", "eoqb", "loss_function"}
        The approximation.
    fixed_cost, holding_cost, backorder_cost, demand_rate, lead_time, demand_sd, lead_time_sd, demand
        As in :func:`rq_optimal`.

    Returns
    -------
    RQPolicy

    Examples
    --------
    Snyder & Shen (2019), Example 5.6 (loss-function approximation): r = 126.87,
    Q = 328.45 (as in stockpyl's ``rq`` docs).

    >>> ex51 = dict(fixed_cost=8, holding_cost=0.225, backorder_cost=7.5, demand_rate=1300,
    ...             demand_sd=150, lead_time=1 / 12)
    >>> lf = rq_approximation("loss_function", **ex51)
    >>> round(lf.reorder_point, 2), round(lf.order_quantity, 2)
    (126.87, 328.45)
    """
    if method not in _METHODS or method == "exact":
        raise ValueError(
            f"method must be one of ['eoq_ss', 'eoqb', 'loss_function']; got {method!r}. "
            "For the exact optimum use rq_optimal."
        )
    costs = (fixed_cost, holding_cost, backorder_cost)
    setting = _setting(demand, demand_rate, lead_time, demand_sd, lead_time_sd, costs)
    return _solve(setting, method)


def compare_rq_policies(
    *,
    fixed_cost,
    holding_cost,
    backorder_cost,
    demand_rate,
    lead_time,
    demand_sd=None,
    lead_time_sd=0.0,
    demand: str = "normal",
) -> pd.DataFrame:
    """The exact optimal (r, Q) beside the textbook approximations, each with its exact cost.

    Rows: ``exact`` (:func:`rq_optimal`), ``eoq_ss``, ``eoqb`` and ``loss_function``
    (:func:`rq_approximation`). Every cost is :math:`g(r, Q)` of :func:`rq_cost`, so the
    gaps are what each approximation really loses.

    Parameters
    ----------
    fixed_cost, holding_cost, backorder_cost, demand_rate, lead_time, demand_sd, lead_time_sd, demand
        As in :func:`rq_optimal`.

    Returns
    -------
    DataFrame
        Indexed by ``method``: ``description``, ``reorder_point``, ``order_quantity``,
        ``annual_cost``, ``cost_increase`` (fraction above the exact optimum),
        ``safety_stock``, ``cycle_service_level``, ``fill_rate``.

    Examples
    --------
    Snyder & Shen (2019), Examples 5.1-5.6: the costs of the approximate solutions are
    78.20 (EOQB), 87.05 (EOQ+SS) and 78.07 (loss function), as in stockpyl's ``rq`` docs.

    >>> ex51 = dict(fixed_cost=8, holding_cost=0.225, backorder_cost=7.5, demand_rate=1300,
    ...             demand_sd=150, lead_time=1 / 12)
    >>> t = compare_rq_policies(**ex51)
    >>> t[["reorder_point", "order_quantity", "annual_cost"]].round(2)  # doctest: +NORMALIZE_WHITESPACE
                   reorder_point  order_quantity  annual_cost
    method
    exact                 126.87          328.45        78.07
    eoq_ss                190.34          304.05        87.05
    eoqb                  128.64          308.57        78.20
    loss_function         126.87          328.45        78.07
    """
    costs = (fixed_cost, holding_cost, backorder_cost)
    setting = _setting(demand, demand_rate, lead_time, demand_sd, lead_time_sd, costs)
    rows = [_solve(setting, method) for method in _METHODS]
    table = pd.DataFrame([row.to_dict() for row in rows]).set_index("method")
    table.insert(0, "description", [_METHODS[m] for m in table.index])
    best = table.loc["exact", "annual_cost"]
    table.insert(
        table.columns.get_loc("annual_cost") + 1, "cost_increase", table["annual_cost"] / best - 1
    )
    return table.drop(columns="demand")


def rq_reorder_point_for_service(
    order_quantity,
    target,
    *,
    service: str = "cycle_service_level",
    demand_rate,
    lead_time,
    demand_sd=None,
    lead_time_sd=0.0,
    demand: str = "normal",
) -> pd.Series:
    """The lowest reorder point that meets a type-1 or a type-2 service target for a given Q.

    - Type 1, ``service="cycle_service_level"``: no stockout in a replenishment cycle
      with probability :math:`\\alpha`: :math:`F(r) \\ge \\alpha`, i.e.
      :math:`r = \\lambda L + z_\\alpha \\sigma_{DL}` for normal demand
      (:func:`sopcourse.inventory.safety_stock`), the :math:`\\alpha` quantile for Poisson.
    - Type 2, ``service="fill_rate"``: a share :math:`\\beta` of demand filled from stock,
      with the exact (r, Q) fill rate :math:`1 - [n(r) - n(r+Q)]/Q \\ge \\beta` (Axsäter,
      *Inventory Control*, ch. 5; Snyder & Shen 2019, ch. 5).
      The common shortcut :math:`n(r) = (1-\\beta)Q`
      (:func:`sopcourse.inventory.safety_factor_for_fill_rate`) drops the
      :math:`n(r+Q)` term and so asks for slightly more stock; it starts the search.

    A fill rate usually needs far less safety stock than the same cycle service level:
    with a large Q most cycles end before a stockout can hurt many orders.

    Parameters
    ----------
    order_quantity : float
        Order quantity [Q] > 0 (a whole number for Poisson demand).
    target : float
        The service level to meet, strictly between 0 and 1 (write 95% as 0.95).
    service : {"cycle_service_level", "fill_rate"}
        Type 1 or type 2.
    demand_rate, lead_time, demand_sd, lead_time_sd, demand
        As in :func:`rq_cost`.

    Returns
    -------
    pandas.Series
        ``reorder_point``, ``safety_stock``, and the ``cycle_service_level`` and
        ``fill_rate`` that reorder point achieves (both, to compare the two types).

    Examples
    --------
    Chopra & Meindl, Exercise 11.4 (weekly demand N(250, 150^2), L = 2, Q = 1000): the
    published fill rate of r = 600 is 0.96; asking for it back gives r close to 600.

    >>> hp = dict(demand_rate=250, demand_sd=150, lead_time=2)
    >>> s = rq_reorder_point_for_service(1000, 1 - 43.86 / 1000, service="fill_rate", **hp)
    >>> s.round(2).to_dict()
    {'reorder_point': 600.0, 'safety_stock': 100.0, 'cycle_service_level': 0.68, 'fill_rate': 0.96}

    99 % as a fill rate needs 272 units of safety stock; as a cycle service level, 493:

    >>> [round(float(rq_reorder_point_for_service(1000, 0.99, service=kind, **hp)["safety_stock"]))
    ...  for kind in ("fill_rate", "cycle_service_level")]
    [272, 493]
    """
    setting = _setting(demand, demand_rate, lead_time, demand_sd, lead_time_sd)
    _, q = _policy(setting, 0, order_quantity)
    level = check_number(
        target, "target", low=0, high=1, low_open=True, high_open=True, hint="Write 95% as 0.95."
    )
    if service == "cycle_service_level":
        r = _type_1(setting, level)
    elif service == "fill_rate":
        r = _type_2(setting, q, level)
    else:
        raise ValueError(
            f"service must be 'cycle_service_level' (type 1) or 'fill_rate' (type 2); got {service!r}."
        )
    m = _measures(setting, r, q)
    keep = ["reorder_point", "safety_stock", "cycle_service_level", "fill_rate"]
    return pd.Series({key: m[key] for key in keep}, name=service)


def _type_1(setting: _Setting, alpha: float):
    kernel = setting.kernel
    if kernel.discrete:
        return int(stats.poisson.ppf(alpha, kernel.mu)) + kernel.loc
    ss = safety_stock(
        alpha, setting.demand_sd, setting.lead_time, setting.demand_rate, setting.lead_time_sd
    )
    return kernel.mean + ss


def _type_2(setting: _Setting, q, beta: float):
    kernel = setting.kernel

    def shortfall(r):  # fill rate of r minus the target, vectorised
        r = np.asarray(r, dtype=float)
        return 1 - (kernel.loss(r) - kernel.loss(r + q)) / q - beta

    if kernel.discrete:
        low = kernel.loc - q - 1  # the whole window below the support: fill rate 0
        high = math.ceil(kernel.mean + 10 * kernel.spread) + 10
        while float(shortfall(high)) < 0:
            high += high - low
        grid = np.arange(low, high + 1)
        return int(grid[np.argmax(shortfall(grid) >= 0)])
    # the shortcut n(r) = (1 - beta) Q over-protects: its r is an upper bracket
    high = kernel.mean + kernel.spread * safety_factor_for_fill_rate(beta, q, kernel.spread)
    step = 1e-9 * kernel.spread  # (when n(r + Q) is 0 the two agree up to rounding)
    while float(shortfall(high)) < 0:
        high, step = high + step, 2 * step
    step = max(q, kernel.spread)
    low = high - step
    while float(shortfall(low)) > 0:
        step *= 2
        low = high - step
    return float(
        brentq(lambda r: float(shortfall(r)), low, high, xtol=1e-10 * kernel.spread, rtol=1e-14)
    )
