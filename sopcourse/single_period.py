"""Single-period (newsvendor) models: one order before a season of uncertain demand.

The cost form (overage cost :math:`c_o`, underage cost :math:`c_u`) and the price form
(price :math:`r`, unit cost :math:`c`, salvage value :math:`v`, shortage penalty
:math:`b`) for normal, lognormal, Poisson, any other ``scipy.stats`` distribution and
any discrete distribution given as ``{demand value: probability}``; the expected cost or
profit of *any* order quantity, the optimal quantity, expected sales, leftover and
shortage; and the scenario newsvendor with the value of the stochastic solution (VSS)
and the expected value of perfect information (EVPI).

Symbols follow Snyder & Shen, *Fundamentals of Supply Chain Theory* (2nd ed., 2019),
chapter 4: :math:`h = c_o` (cost of one unit left over), :math:`p = c_u` (cost of one
unit short), :math:`\\alpha = p / (p + h)` the critical ratio, :math:`F` the demand cdf,
:math:`\\bar n(Q) = E[(Q - D)^+]` the expected leftover and :math:`n(Q) = E[(D - Q)^+]`
the expected shortage. VSS and EVPI follow Birge & Louveaux, *Introduction to
Stochastic Programming* (2nd ed., 2011), chapter 4 ("The value of information and
the stochastic solution").

Units: quantities in units of product, money per unit; the costs and profits are for
the one season. Costs are positive numbers to be minimised, profits positive numbers to
be maximised.

How to give the demand (argument ``demand``):

* a frozen ``scipy.stats`` distribution, e.g. ``stats.norm(50, 8)``, ``stats.poisson(6)``,
  ``stats.lognorm(0.3, scale=400)``; :func:`lognormal_demand` builds a lognormal from the
  mean and standard deviation of demand;
* a discrete distribution as a dict or a pandas Series ``{demand value: probability}``
  (probabilities summing to 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import check_number, check_numbers
from ._results import Result

__all__ = [
    "lognormal_demand",
    "newsvendor_expected_cost",
    "newsvendor_optimal_quantity",
    "newsvendor_expected_profit",
    "newsvendor_optimal_profit",
    "ScenarioNewsvendorResult",
    "scenario_newsvendor",
]

_PROBABILITY_TOLERANCE = 1e-6
_DEMAND_HINT = (
    "Give a frozen scipy.stats distribution (e.g. stats.norm(50, 8), stats.poisson(6), "
    "lognormal_demand(400, 120)) or a dict {demand value: probability}."
)


# --------------------------------------------------------------------------- demand
class _Demand:
    """One demand distribution with the four numbers the newsvendor needs:
    cdf :math:`F(q)`, quantile, mean and partial expectation :math:`E[D; D \\le q]`."""

    def __init__(self, demand, label: str = "demand"):
        self.dist = None
        self.values = self.probs = None
        if isinstance(demand, pd.Series | Mapping):
            self._init_table(demand, label)
        elif hasattr(demand, "dist") and hasattr(demand, "cdf") and hasattr(demand, "ppf"):
            self._init_scipy(demand, label)
        else:
            raise ValueError(
                f"{label} must be a distribution; got {type(demand).__name__}. {_DEMAND_HINT}"
            )

    def _init_table(self, demand, label: str) -> None:
        series = pd.Series(demand, dtype=object) if isinstance(demand, Mapping) else demand
        if series.empty:
            raise ValueError(f"{label} has no demand values. {_DEMAND_HINT}")
        values = check_numbers(np.asarray(series.index, dtype=object), f"{label} values")
        probs = check_numbers(series.to_numpy(), f"{label} probabilities", low=0)
        total = float(probs.sum())
        if abs(total - 1) > _PROBABILITY_TOLERANCE:
            raise ValueError(
                f"{label} probabilities sum to {total:.6g}; they must sum to 1. "
                "Divide each by their total (or add the missing demand values)."
            )
        table = pd.Series(probs / total, index=values).groupby(level=0).sum().sort_index()
        self.values = table.index.to_numpy(dtype=float)
        self.probs = table.to_numpy(dtype=float)
        self.cum = np.cumsum(self.probs)
        self.cum_partial = np.cumsum(self.values * self.probs)
        self.mean = float(self.cum_partial[-1])
        self.kind = "discrete"

    def _init_scipy(self, demand, label: str) -> None:
        mean, sd = float(demand.mean()), float(demand.std())
        if not (math.isfinite(mean) and math.isfinite(sd)):
            raise ValueError(
                f"{label} has no finite mean and standard deviation (mean {mean}, sd {sd}): "
                "check its parameters (a scale of 0 or a heavy tail?)."
            )
        self.dist, self.mean, self.sd = demand, mean, sd
        name = getattr(demand.dist, "name", "")
        discrete = isinstance(demand.dist, stats.rv_discrete)
        if name in ("norm", "lognorm", "poisson"):
            self.kind = name
        else:
            self.kind = "scipy_discrete" if discrete else "scipy_continuous"
        if self.kind == "lognorm":
            # loc, scale and shape from public numbers: median - loc = scale and
            # ln((mean - loc) / scale) = s^2 / 2.
            self.loc = float(demand.support()[0])
            self.scale = float(demand.median()) - self.loc
            self.shape = math.sqrt(2 * math.log((mean - self.loc) / self.scale))

    # -- the four numbers -----------------------------------------------------------
    def cdf(self, q: float) -> float:
        if self.dist is not None:
            return float(self.dist.cdf(q))
        i = np.searchsorted(self.values, q, side="right") - 1
        return float(self.cum[i]) if i >= 0 else 0.0

    def quantile(self, alpha: float) -> float:
        """The smallest :math:`Q` with :math:`F(Q) \\ge \\alpha` (the newsvendor answer)."""
        if self.dist is not None:
            return float(self.dist.ppf(alpha))
        i = int(np.searchsorted(self.cum, alpha - 1e-12, side="left"))
        return float(self.values[min(i, self.values.size - 1)])

    def partial_expectation(self, q: float) -> float:
        """:math:`E[D \\, 1\\{D \\le q\\}]`."""
        if self.kind == "discrete":
            i = np.searchsorted(self.values, q, side="right") - 1
            return float(self.cum_partial[i]) if i >= 0 else 0.0
        if self.kind == "norm":
            z = (q - self.mean) / self.sd
            return self.mean * stats.norm.cdf(z) - self.sd * stats.norm.pdf(z)
        if self.kind == "lognorm":
            y = q - self.loc
            if y <= 0:
                return 0.0
            s, log_y = self.shape, math.log(y / self.scale)
            shifted = (self.mean - self.loc) * stats.norm.cdf((log_y - s * s) / s)
            return self.loc * stats.norm.cdf(log_y / s) + shifted
        if self.kind == "poisson":  # E[D; D <= q] = mu F(q - 1)
            return self.mean * float(self.dist.cdf(math.floor(q) - 1))
        if q < float(self.dist.support()[0]):
            return 0.0
        return float(self.dist.expect(lambda x: x, ub=q))

    def outcomes(self, q: float) -> dict:
        """Expected sales, leftover and shortage of ordering ``q``; in-stock probability."""
        in_stock = self.cdf(q)
        leftover = max(q * in_stock - self.partial_expectation(q), 0.0)
        shortage = max(leftover - (q - self.mean), 0.0)
        sales = self.mean - shortage
        return {
            "expected_sales": sales,
            "expected_leftover": leftover,
            "expected_shortage": shortage,
            "in_stock_probability": in_stock,
            "fill_rate": sales / self.mean if self.mean > 0 else 1.0,
        }


def lognormal_demand(mean, sd):
    """A lognormal demand distribution with the given mean and standard deviation.

    .. math:: \\sigma_{\\ln}^2 = \\ln(1 + s^2 / m^2), \\qquad
              \\mu_{\\ln} = \\ln m - \\sigma_{\\ln}^2 / 2

    Parameters
    ----------
    mean, sd : float
        Mean :math:`m` and standard deviation :math:`s` of demand (units per season).

    Returns
    -------
    scipy.stats frozen distribution
        ``stats.lognorm(s=sigma_ln, scale=exp(mu_ln))``: pass it as ``demand``.

    Examples
    --------
    >>> d = lognormal_demand(400, 120)
    >>> round(float(d.mean()), 6), round(float(d.std()), 6)
    (400.0, 120.0)
    """
    m = check_number(mean, "mean", low=0, low_open=True)
    s = check_number(sd, "sd", low=0, low_open=True, hint="For certain demand use {mean: 1.0}.")
    sigma2 = math.log1p((s / m) ** 2)
    return stats.lognorm(s=math.sqrt(sigma2), scale=math.exp(math.log(m) - sigma2 / 2))


def _costs(overage_cost, underage_cost) -> tuple[float, float]:
    h = check_number(
        overage_cost,
        "overage_cost [h]",
        low=0,
        hint="It is the cost of one unit left over (unit cost minus salvage).",
    )
    p = check_number(
        underage_cost,
        "underage_cost [p]",
        low=0,
        hint="It is the cost of one unit short (lost margin plus goodwill).",
    )
    return h, p


def newsvendor_expected_cost(order_quantity, overage_cost, underage_cost, demand) -> pd.Series:
    """Expected overage + underage cost of ordering ``order_quantity`` units.

    .. math:: g(Q) = h\\, E[(Q - D)^+] + p\\, E[(D - Q)^+] = h\\, \\bar n(Q) + p\\, n(Q),

    with :math:`\\bar n(Q) = Q F(Q) - E[D; D \\le Q]` and
    :math:`n(Q) = \\bar n(Q) - (Q - E[D])` (Snyder & Shen 2019, eq. 4.24). Closed
    forms for normal, lognormal and Poisson demand; a sum for a discrete table;
    ``scipy``'s ``expect`` for any other distribution.

    Parameters
    ----------
    order_quantity : float
        Units ordered before the season [Q]; may be any number.
    overage_cost : float
        Cost per unit left over at the end of the season [h], >= 0.
    underage_cost : float
        Cost per unit of demand not met [p], >= 0.
    demand : scipy.stats frozen distribution or dict {value: probability}
        Demand for the season [D].

    Returns
    -------
    pandas.Series
        ``order_quantity``, ``expected_cost``, ``expected_sales`` (:math:`E\\min(Q, D)`),
        ``expected_leftover``, ``expected_shortage``, ``in_stock_probability``
        (:math:`F(Q)`, the type-1 service level) and ``fill_rate`` (sales / mean demand).

    Examples
    --------
    Snyder & Shen (2019), Example 4.3 data (h = 0.18, p = 0.70, D ~ N(50, 8^2)), the
    cost of ordering 40:

    >>> from scipy import stats
    >>> newsvendor_expected_cost(40, 0.18, 0.70, stats.norm(50, 8)).round(4)["expected_cost"].item()
    7.3561
    """
    q = check_number(order_quantity, "order_quantity [Q]")
    h, p = _costs(overage_cost, underage_cost)
    d = _Demand(demand)
    out = d.outcomes(q)
    cost = h * out["expected_leftover"] + p * out["expected_shortage"]
    return pd.Series({"order_quantity": q, "expected_cost": cost, **out}, name="newsvendor")


def newsvendor_optimal_quantity(overage_cost, underage_cost, demand) -> pd.Series:
    """Optimal newsvendor order quantity and its expected cost, for any demand distribution.

    .. math:: Q^* = F^{-1}(\\alpha) = \\min\\{Q : F(Q) \\ge \\alpha\\}, \\qquad
              \\alpha = \\frac{p}{p + h} = \\frac{c_u}{c_u + c_o}

    (Snyder & Shen 2019, eq. 4.27; eq. 4.30 and 4.37 for normal demand). For normal demand this is
    :math:`Q^* = \\mu + z_\\alpha \\sigma` with :math:`g^* = (h + p)\\sigma\\phi(z_\\alpha)`,
    the same answer as :func:`sopcourse.inventory.newsvendor`. For discrete demand the
    answer is the smallest demand value whose cdf reaches the critical ratio.

    Parameters
    ----------
    overage_cost, underage_cost : float
        :math:`h = c_o` and :math:`p = c_u` per unit (see
        :func:`newsvendor_expected_cost`); both > 0.
    demand : scipy.stats frozen distribution or dict {value: probability}
        Demand for the season.

    Returns
    -------
    pandas.Series
        ``order_quantity``, ``critical_ratio``, ``expected_cost`` and the outcomes of
        :func:`newsvendor_expected_cost`.

    Examples
    --------
    Snyder & Shen (2019), Example 4.3 (normal) and, without its fixed cost, the Poisson
    demand of Example 4.7 (h = 1, p = 4, mean 6):

    >>> from scipy import stats
    >>> r = newsvendor_optimal_quantity(0.18, 0.70, stats.norm(50, 8))
    >>> r[["order_quantity", "expected_cost"]].round(3).to_dict()
    {'order_quantity': 56.604, 'expected_cost': 1.998}
    >>> r = newsvendor_optimal_quantity(1, 4, stats.poisson(6))
    >>> r[["order_quantity", "expected_cost"]].round(4).to_dict()
    {'order_quantity': 8.0, 'expected_cost': 3.5701}
    """
    h, p = _costs(overage_cost, underage_cost)
    if h == 0 or p == 0:
        which = "overage_cost [h]" if h == 0 else "underage_cost [p]"
        raise ValueError(
            f"{which} is 0: then the best order is {'unlimited' if h == 0 else 'zero'} and "
            "there is no trade-off to optimise. Give both costs per unit, greater than zero."
        )
    d = _Demand(demand)
    ratio = p / (p + h)
    q = d.quantile(ratio)
    result = newsvendor_expected_cost(q, h, p, demand)
    result["critical_ratio"] = ratio
    return result[["order_quantity", "critical_ratio", *result.index[1:-1]]]


# --------------------------------------------------------------------------- profit form
def _prices(price, unit_cost, salvage_value, shortage_penalty) -> tuple[float, ...]:
    r = check_number(price, "price [r]", low=0)
    c = check_number(unit_cost, "unit_cost [c]", low=0)
    v = check_number(
        salvage_value, "salvage_value [v]", hint="A negative salvage value is a disposal cost."
    )
    b = check_number(
        shortage_penalty,
        "shortage_penalty [b]",
        low=0,
        hint="It is the goodwill cost per unit short, on top of the lost margin.",
    )
    return r, c, v, b


def _margins(r: float, c: float, v: float, b: float) -> tuple[float, float]:
    """Underage and overage cost of the price form, or the reason there is no trade-off."""
    if v >= c:
        raise ValueError(
            f"salvage_value [v] ({v}) must be below unit_cost [c] ({c}): otherwise a unit "
            "left over loses nothing and the best order is unlimited."
        )
    if r + b <= c:
        raise ValueError(
            f"price [r] + shortage_penalty [b] ({r + b}) must exceed unit_cost [c] ({c}): "
            "otherwise no unit is worth buying (order 0)."
        )
    return r - c + b, c - v


def newsvendor_expected_profit(
    order_quantity, price, unit_cost, salvage_value, demand, shortage_penalty=0.0
) -> pd.Series:
    """Expected profit of ordering ``order_quantity`` units, price form.

    .. math:: \\pi(Q) = r\\, E\\min(Q, D) + v\\, E[(Q - D)^+] - c\\, Q - b\\, E[(D - Q)^+]
              = (r - c) E[D] - \\big(c_o \\bar n(Q) + c_u n(Q)\\big)

    with :math:`c_o = c - v` and :math:`c_u = r - c + b` (Snyder & Shen 2019, Example
    4.2; Cachon & Terwiesch, *Matching Supply with Demand*, the newsvendor chapter).

    Parameters
    ----------
    order_quantity : float
        Units ordered [Q].
    price : float
        Selling price per unit sold in the season [r].
    unit_cost : float
        Purchase (or production) cost per unit ordered [c].
    salvage_value : float
        Value per unit left over at the end of the season [v] (negative: disposal cost).
    demand : scipy.stats frozen distribution or dict {value: probability}
        Demand for the season.
    shortage_penalty : float, optional
        Goodwill cost per unit short, on top of the lost margin [b]; default 0.

    Returns
    -------
    pandas.Series
        ``order_quantity``, ``expected_profit``, ``expected_revenue`` (sales plus
        salvage), and the outcomes of :func:`newsvendor_expected_cost`.

    Examples
    --------
    Snyder & Shen (2019), Example 4.2 data (r = 1, c = 0.30, v = 0.12, N(50, 8^2)):

    >>> from scipy import stats
    >>> res = newsvendor_expected_profit(56.6, 1, 0.3, 0.12, stats.norm(50, 8))
    >>> res[["expected_profit", "expected_sales"]].round(3).to_dict()
    {'expected_profit': 33.002, 'expected_sales': 49.08}
    """
    q = check_number(order_quantity, "order_quantity [Q]")
    r, c, v, b = _prices(price, unit_cost, salvage_value, shortage_penalty)
    out = _Demand(demand).outcomes(q)
    revenue = r * out["expected_sales"] + v * out["expected_leftover"]
    profit = revenue - c * q - b * out["expected_shortage"]
    return pd.Series(
        {"order_quantity": q, "expected_profit": profit, "expected_revenue": revenue, **out},
        name="newsvendor_profit",
    )


def newsvendor_optimal_profit(
    price, unit_cost, salvage_value, demand, shortage_penalty=0.0
) -> pd.Series:
    """Profit-maximising newsvendor order quantity, price form.

    .. math:: Q^* = F^{-1}\\!\\left(\\frac{c_u}{c_u + c_o}\\right), \\qquad
              c_u = r - c + b, \\quad c_o = c - v

    Needs :math:`v < c` (else every extra unit is free to hold: order without limit)
    and :math:`r + b > c` (else no unit is worth buying).

    Parameters
    ----------
    price, unit_cost, salvage_value, shortage_penalty : float
        As in :func:`newsvendor_expected_profit`.
    demand : scipy.stats frozen distribution or dict {value: probability}
        Demand for the season.

    Returns
    -------
    pandas.Series
        ``order_quantity``, ``critical_ratio``, ``underage_cost``, ``overage_cost``,
        ``expected_profit``, ``expected_revenue`` and the outcomes.

    Examples
    --------
    Snyder & Shen (2019), Example 4.2: r = 1, c = 0.30, v = 0.12, D ~ N(50, 8^2)
    gives S* = 56.60 and expected profit 33.00:

    >>> from scipy import stats
    >>> r = newsvendor_optimal_profit(1, 0.3, 0.12, stats.norm(50, 8))
    >>> r[["order_quantity", "expected_profit"]].round(2).to_dict()
    {'order_quantity': 56.6, 'expected_profit': 33.0}
    """
    r, c, v, b = _prices(price, unit_cost, salvage_value, shortage_penalty)
    cu, co = _margins(r, c, v, b)
    ratio = cu / (cu + co)
    q = _Demand(demand).quantile(ratio)
    result = newsvendor_expected_profit(q, r, c, v, demand, b)
    head = pd.Series(
        {"order_quantity": q, "critical_ratio": ratio, "underage_cost": cu, "overage_cost": co}
    )
    return pd.concat([head, result.drop("order_quantity")]).rename("newsvendor_profit")


# --------------------------------------------------------------------------- scenarios
@dataclass(frozen=True, eq=False)
class ScenarioNewsvendorResult(Result):
    """The scenario newsvendor: stochastic and expected-value solutions, VSS and EVPI.

    Attributes
    ----------
    stochastic_quantity : float
        Order that maximises expected profit over the scenarios (recourse problem, RP).
    stochastic_profit : float
        Its expected profit :math:`RP`.
    expected_value_quantity : float
        Order of the expected value problem: plan for mean demand, :math:`\\bar x = E[D]`.
    expected_value_profit : float
        Expected profit of that order over the scenarios, :math:`EEV`.
    wait_and_see_profit : float
        Expected profit when the demand is known before ordering, :math:`WS`.
    vss : float
        Value of the stochastic solution, :math:`VSS = RP - EEV \\ge 0`.
    evpi : float
        Expected value of perfect information, :math:`EVPI = WS - RP \\ge 0`.
    scenarios : pandas.DataFrame
        One row per scenario: ``demand``, ``probability``, ``profit_stochastic``,
        ``profit_expected_value``, ``profit_wait_and_see``.
    """

    stochastic_quantity: float
    stochastic_profit: float
    expected_value_quantity: float
    expected_value_profit: float
    wait_and_see_profit: float
    vss: float
    evpi: float
    scenarios: pd.DataFrame


def _scenario_profit(x, demand, r, c, v, b):
    """Profit of ordering ``x`` in each scenario of ``demand`` (arrays broadcast)."""
    sold = np.minimum(x, demand)
    return r * sold + v * np.maximum(x - demand, 0) - c * x - b * np.maximum(demand - x, 0)


def scenario_newsvendor(
    demands, probabilities, price, unit_cost, salvage_value=0.0, shortage_penalty=0.0
) -> ScenarioNewsvendorResult:
    """The newsvendor over demand scenarios, as a two-stage stochastic program.

    First stage: order :math:`x`; second stage, in scenario :math:`s` (probability
    :math:`\\pi_s`, demand :math:`d_s`): sell :math:`\\min(x, d_s)`, salvage the rest.

    .. math:: RP = \\max_x \\sum_s \\pi_s\\, \\Pi(x, d_s), \\quad
              EEV = \\sum_s \\pi_s \\Pi(\\bar d, d_s), \\quad
              WS = \\sum_s \\pi_s \\max_x \\Pi(x, d_s) = (r - c) \\bar d

    .. math:: VSS = RP - EEV, \\qquad EVPI = WS - RP

    with :math:`\\Pi(x, d) = r\\min(x, d) + v (x - d)^+ - c x - b (d - x)^+` and
    :math:`\\bar d = \\sum_s \\pi_s d_s` (Birge & Louveaux 2011, chapter 4). The
    recourse problem is solved exactly: its objective is concave and piecewise linear
    with kinks at the scenario demands, so :math:`x^*` is the smallest :math:`d_s` whose
    cumulative probability reaches :math:`c_u / (c_u + c_o)`, the discrete newsvendor
    (the tests check it against the extensive-form LP).

    Parameters
    ----------
    demands : array-like
        Demand in each scenario (units, >= 0).
    probabilities : array-like
        Probability of each scenario (>= 0, summing to 1).
    price, unit_cost, salvage_value, shortage_penalty : float
        As in :func:`newsvendor_expected_profit`.

    Returns
    -------
    ScenarioNewsvendorResult

    Examples
    --------
    >>> res = scenario_newsvendor([20, 40, 60], [0.25, 0.25, 0.5], 1.0, 0.2, 0.1)
    >>> res.stochastic_quantity, res.expected_value_quantity
    (60.0, 45.0)
    >>> round(res.vss, 3), round(res.evpi, 3)
    (5.25, 1.5)
    """
    d = check_numbers(demands, "demands", low=0)
    prob = check_numbers(probabilities, "probabilities", low=0)
    if d.size != prob.size:
        raise ValueError(
            f"demands has {d.size} scenario(s) but probabilities has {prob.size}: give one "
            "probability per scenario."
        )
    r, c, v, b = _prices(price, unit_cost, salvage_value, shortage_penalty)
    _margins(r, c, v, b)
    table = pd.Series(prob, index=d).groupby(level=0).sum()
    best = newsvendor_optimal_profit(r, c, v, table.to_dict(), b)
    x_star = best["order_quantity"]
    mean = float(prob @ d) / float(prob.sum())
    profit_rp = _scenario_profit(x_star, d, r, c, v, b)
    profit_ev = _scenario_profit(mean, d, r, c, v, b)
    profit_ws = (r - c) * d
    weights = prob / prob.sum()
    rp, eev, ws = (float(weights @ x) for x in (profit_rp, profit_ev, profit_ws))
    scenarios = pd.DataFrame(
        {
            "demand": d,
            "probability": prob,
            "profit_stochastic": profit_rp,
            "profit_expected_value": profit_ev,
            "profit_wait_and_see": profit_ws,
        }
    )
    return ScenarioNewsvendorResult(
        stochastic_quantity=float(x_star),
        stochastic_profit=rp,
        expected_value_quantity=mean,
        expected_value_profit=eev,
        wait_and_see_profit=ws,
        vss=rp - eev,
        evpi=ws - rp,
        scenarios=scenarios,
    )
