"""(s, S) periodic-review policies with a fixed ordering cost and discrete demand.

At the start of each period the inventory position :math:`x` is reviewed; if
:math:`x \\le s` (at or below the reorder point) an order brings it up to :math:`S`
(the order-up-to level), at a fixed cost :math:`K` per order. Demand :math:`D` of the
period is then met or backordered; at the end of the period each unit on hand costs
:math:`h` and each unit backordered costs :math:`p`. Zero lead time (or: :math:`D` is
the demand over the lead time plus one period). Every cost is per period; inventory
levels and :math:`s, S` are whole units and may be negative (backorders).

* :func:`ss_policy_cost`: the exact expected cost per period of a given :math:`(s, S)`
  by renewal theory (Zheng & Federgruen 1991; Snyder & Shen, *Fundamentals of Supply
  Chain Theory*, 2nd ed., 2019, eq. 4.71-4.75 and 5.7);
* :func:`optimal_ss_policy`: the optimal :math:`(s, S)` by the Zheng & Federgruen
  (1991) algorithm (Snyder & Shen 2019, Algorithm 4.2);
* :func:`ss_power_approximation`: the power approximation of Ehrhardt (1979) as
  revised by Ehrhardt & Mosier (1984) (Snyder & Shen 2019, eq. 4.77-4.80);
* :func:`simulate_ss_policy`: a seeded simulation of the same system, to check the
  formulas or try what they do not cover.

Demand (argument ``demand``) is one of: a number (the mean of Poisson demand per
period), a dict or pandas Series ``{units: probability}`` over whole units >= 0, or a
frozen discrete ``scipy.stats`` distribution (``stats.poisson(6)``,
``stats.nbinom(5, 0.4)``).

References: Y.-S. Zheng and A. Federgruen, "Finding optimal (s, S) policies is about as
simple as evaluating a single policy", *Operations Research* 39(4):654-665, 1991.
R. Ehrhardt and C. Mosier, "A revision of the power approximation for computing (s, S)
policies", *Management Science* 30(5):618-622, 1984.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import check_number, check_numbers, check_whole_number

__all__ = [
    "ss_policy_cost",
    "optimal_ss_policy",
    "ss_power_approximation",
    "simulate_ss_policy",
]

_TAIL = 1e-15  # demand beyond the (1 - _TAIL) quantile is dropped (its mass is < 1e-15)
_DEMAND_HINT = (
    "Give the Poisson mean (a number), a dict {units: probability} or a frozen discrete "
    "scipy.stats distribution such as stats.poisson(6)."
)


def _integer_pmf(demand, label: str = "demand") -> np.ndarray:
    """Probabilities of 0, 1, ..., n units of demand per period (a 1-D array)."""
    if isinstance(demand, pd.Series | Mapping):
        series = pd.Series(demand, dtype=object) if isinstance(demand, Mapping) else demand
        if series.empty:
            raise ValueError(f"{label} has no demand values. {_DEMAND_HINT}")
        units = check_numbers(np.asarray(series.index, dtype=object), f"{label} units", low=0)
        if not np.all(units == np.round(units)):
            raise ValueError(
                f"{label} units must be whole numbers (0, 1, 2, ...); got "
                f"{units[units != np.round(units)][0]!r}. Round the demand values or use "
                "sopcourse.single_period for continuous demand."
            )
        probs = check_numbers(series.to_numpy(), f"{label} probabilities", low=0)
        total = float(probs.sum())
        if abs(total - 1) > 1e-6:
            raise ValueError(
                f"{label} probabilities sum to {total:.6g}; they must sum to 1. Divide each "
                "by their total (or add the missing demand values)."
            )
        pmf = np.zeros(int(units.max()) + 1)
        np.add.at(pmf, units.astype(int), probs / total)
    elif hasattr(demand, "dist") and hasattr(demand, "cdf"):
        if not isinstance(demand.dist, stats.rv_discrete) or demand.support()[0] < 0:
            raise ValueError(
                f"{label} must be a discrete distribution over 0, 1, 2, ... units. {_DEMAND_HINT}"
            )
        top = int(demand.ppf(1 - _TAIL))
        pmf = demand.pmf(np.arange(top + 1))
    else:
        mean = check_number(
            demand, f"{label} (Poisson mean)", low=0, low_open=True, hint=_DEMAND_HINT
        )
        top = int(stats.poisson.ppf(1 - _TAIL, mean))
        pmf = stats.poisson.pmf(np.arange(top + 1), mean)
    if pmf[0] >= 1 - 1e-12:
        raise ValueError(
            f"{label} is always 0 units: with no demand an order is never needed. Give a "
            "distribution with some chance of positive demand."
        )
    return np.asarray(pmf, dtype=float)


class _SSModel:
    """The newsvendor cost :math:`G(y)` and the renewal quantities :math:`m, M` for one
    demand distribution and cost set; :math:`m` grows on demand and is reused."""

    def __init__(self, pmf: np.ndarray, h: float, p: float, k: float):
        self.pmf, self.h, self.p, self.k = pmf, h, p, k
        self.cdf = np.cumsum(pmf)
        self.partial = np.cumsum(np.arange(pmf.size) * pmf)
        self.mean = float(self.partial[-1])
        self.m = np.array([1.0 / (1.0 - pmf[0])])
        self._seen: dict[tuple[int, int], float] = {}

    def newsvendor_cost(self, y):
        """:math:`G(y) = h E(y - D)^+ + p E(D - y)^+` for whole ``y`` (number or array)."""
        y = np.asarray(y, dtype=float)
        idx = np.clip(y, -1, self.pmf.size - 1).astype(int)
        below = idx < 0
        cdf = np.where(below, 0.0, self.cdf[idx])
        partial = np.where(below, 0.0, self.partial[idx])
        leftover = np.maximum(y * cdf - partial, 0.0)
        shortage = np.maximum(leftover - (y - self.mean), 0.0)
        return self.h * leftover + self.p * shortage

    def _grow_m(self, n: int) -> None:
        """:math:`m(0) = 1/(1 - f_0)`, :math:`m(j) = m(0) \\sum_{l=1}^{j} f_l m(j - l)`."""
        old = self.m.size
        if n <= old:
            return
        m = np.zeros(max(n, 2 * old))
        m[:old] = self.m
        f = np.zeros(m.size)
        f[: min(self.pmf.size, m.size)] = self.pmf[: m.size]
        for j in range(old, m.size):
            m[j] = m[0] * np.dot(f[1 : j + 1], m[j - 1 :: -1])
        self.m = m

    def cost(self, s: int, big_s: int) -> float:
        """:math:`c(s, S) = \\big(K + \\sum_{j=0}^{S-s-1} m(j) G(S - j)\\big) / M(S - s)`."""
        if (s, big_s) in self._seen:
            return self._seen[s, big_s]
        n = big_s - s
        self._grow_m(n)
        m = self.m[:n]
        g = self.newsvendor_cost(np.arange(big_s, s, -1))
        self._seen[s, big_s] = cost = float((self.k + m @ g) / m.sum())
        return cost

    def base_stock(self) -> int:
        """:math:`y^*`, the smallest minimiser of :math:`G`: :math:`F(y^*) \\ge p/(p + h)`."""
        ratio = self.p / (self.p + self.h)
        return int(np.searchsorted(self.cdf, ratio - 1e-12, side="left"))


def _costs(holding_cost, backorder_cost, fixed_cost) -> tuple[float, float, float]:
    h = check_number(
        holding_cost,
        "holding_cost [h]",
        low=0,
        low_open=True,
        hint="Give the cost of one unit on hand at the end of a period.",
    )
    p = check_number(
        backorder_cost,
        "backorder_cost [p]",
        low=0,
        low_open=True,
        hint="Give the cost of one unit backordered at the end of a period.",
    )
    k = check_number(fixed_cost, "fixed_cost [K]", low=0, hint="Give the cost of one order.")
    return h, p, k


def _levels(reorder_point, order_up_to) -> tuple[int, int]:
    levels = []
    for value, name in ((reorder_point, "reorder_point [s]"), (order_up_to, "order_up_to [S]")):
        if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
            raise ValueError(
                f"{name} must be a whole number of units (an integer; negative means "
                f"backorders); got {value!r}. Round it: demand here comes in whole units."
            )
        levels.append(int(value))
    s, big_s = levels
    if big_s <= s:
        raise ValueError(
            f"order_up_to [S] ({big_s}) must be greater than reorder_point [s] ({s}): an "
            "order raises the inventory position from s or below up to S."
        )
    return s, big_s


def ss_policy_cost(
    reorder_point, order_up_to, holding_cost, backorder_cost, fixed_cost, demand
) -> float:
    """Exact expected cost per period of the (s, S) policy, discrete demand.

    .. math:: c(s, S) = \\frac{K + \\sum_{j=0}^{S-s-1} m(j)\\, G(S - j)}{M(S - s)}, \\quad
              M(n) = \\sum_{j=0}^{n-1} m(j),

    .. math:: m(0) = \\frac{1}{1 - f_0}, \\qquad
              m(j) = m(0) \\sum_{l=1}^{j} f_l\\, m(j - l),

    where :math:`G(y) = h E[(y - D)^+] + p E[(D - y)^+]` is the one-period
    (newsvendor) cost and :math:`m(j)` the expected number of periods the inventory
    position spends at :math:`S - j` in one order cycle (Zheng & Federgruen 1991;
    Snyder & Shen 2019, eq. 4.71-4.75). An order is placed when the inventory position
    is at or below :math:`s`.

    Parameters
    ----------
    reorder_point, order_up_to : int
        :math:`s < S`, whole units (negative allowed).
    holding_cost, backorder_cost : float
        :math:`h, p` per unit per period, > 0.
    fixed_cost : float
        :math:`K` per order, >= 0.
    demand : float, dict or scipy.stats discrete distribution
        Demand per period (a number is the mean of Poisson demand).

    Returns
    -------
    float
        Expected cost per period.

    Examples
    --------
    Snyder & Shen (2019), Example 4.7: h = 1, p = 4, K = 5, Poisson demand with mean 6:

    >>> round(ss_policy_cost(4, 10, 1, 4, 5, 6), 4)
    8.0341
    """
    s, big_s = _levels(reorder_point, order_up_to)
    h, p, k = _costs(holding_cost, backorder_cost, fixed_cost)
    return _SSModel(_integer_pmf(demand), h, p, k).cost(s, big_s)


def optimal_ss_policy(holding_cost, backorder_cost, fixed_cost, demand) -> pd.Series:
    """Optimal (s, S) policy by the Zheng & Federgruen (1991) algorithm.

    With :math:`y^*` the minimiser of :math:`G` and :math:`c(s, S)` as in
    :func:`ss_policy_cost` (Snyder & Shen 2019, Algorithm 4.2):

    1. :math:`S^0 = y^*`; lower :math:`s` from :math:`y^*` until
       :math:`c(s, S^0) \\le G(s)`: this is :math:`s^0`, the best :math:`s` for :math:`S^0`.
    2. For :math:`S = S^0 + 1, S^0 + 2, \\ldots` while :math:`G(S) \\le c^0`: if
       :math:`c(s, S) < c^0`, take :math:`S^0 = S` and raise :math:`s` while
       :math:`c(s, S^0) \\le G(s + 1)`; update :math:`c^0 = c(s, S^0)`.

    The search stops at :math:`G(S) > c^0`, since no larger :math:`S` can do better; it
    evaluates few policies (about as few as evaluating one, in the paper's title's words).

    Parameters
    ----------
    holding_cost, backorder_cost, fixed_cost : float
        :math:`h, p > 0` per unit per period, :math:`K \\ge 0` per order.
    demand : float, dict or scipy.stats discrete distribution
        Demand per period (a number is the mean of Poisson demand).

    Returns
    -------
    pandas.Series
        ``reorder_point`` (s), ``order_up_to`` (S), ``expected_cost`` per period,
        ``base_stock_level`` (:math:`y^*`, the answer without fixed cost),
        ``base_stock_cost`` (:math:`G(y^*)`) and ``policies_evaluated``.

    Examples
    --------
    Snyder & Shen (2019), Example 4.7: h = 1, p = 4, K = 5, Poisson demand with mean 6
    gives s = 4, S = 10 at 8.034 per period:

    >>> res = optimal_ss_policy(1, 4, 5, 6)
    >>> res[["reorder_point", "order_up_to", "expected_cost"]].round(3).to_dict()
    {'reorder_point': 4.0, 'order_up_to': 10.0, 'expected_cost': 8.034}
    """
    h, p, k = _costs(holding_cost, backorder_cost, fixed_cost)
    model = _SSModel(_integer_pmf(demand), h, p, k)
    g = model.newsvendor_cost
    y_star = model.base_stock()
    big_s0 = y_star
    s = y_star - 1
    while model.cost(s, big_s0) > g(s):
        s -= 1
    best = model.cost(s, big_s0)
    big_s = big_s0 + 1
    while g(big_s) <= best:
        if model.cost(s, big_s) < best:
            big_s0 = big_s
            while s + 1 < big_s0 and model.cost(s, big_s0) <= g(s + 1):
                s += 1
            best = model.cost(s, big_s0)
        big_s += 1
    return pd.Series(
        {
            "reorder_point": s,
            "order_up_to": big_s0,
            "expected_cost": best,
            "base_stock_level": y_star,
            "base_stock_cost": float(g(y_star)),
            "policies_evaluated": len(model._seen),
        },
        name="ss_policy",
    )


def ss_power_approximation(
    holding_cost, backorder_cost, fixed_cost, demand_mean, demand_sd
) -> pd.Series:
    """Power approximation of the optimal (s, S) policy (Ehrhardt & Mosier 1984).

    .. math:: Q_p = 1.30\\, \\mu^{0.494} \\left(\\frac{K}{h}\\right)^{0.506}
              \\left(1 + \\frac{\\sigma^2}{\\mu^2}\\right)^{0.116}, \\qquad
              z = \\sqrt{\\frac{Q_p\\, h}{\\sigma\\, p}}

    .. math:: s = 0.973\\, \\mu + \\sigma \\left(\\frac{0.183}{z} + 1.063 - 2.192 z\\right),
              \\qquad S = s + Q_p

    with :math:`\\mu, \\sigma` the mean and standard deviation of demand per period (zero
    lead time), as in Snyder & Shen (2019), eq. 4.77-4.80. A regression fitted to
    optimal policies: round :math:`s` and :math:`S` to whole units and check the cost
    with :func:`ss_policy_cost`; it is close to optimal when :math:`Q_p / \\mu` is large
    (Ehrhardt & Mosier report a modified rule when :math:`Q_p / \\mu \\le 1.5`, not
    applied here).

    Parameters
    ----------
    holding_cost, backorder_cost, fixed_cost : float
        :math:`h, p, K > 0`.
    demand_mean, demand_sd : float
        :math:`\\mu > 0` and :math:`\\sigma > 0` per period (Poisson: :math:`\\sigma =
        \\sqrt{\\mu}`).

    Returns
    -------
    pandas.Series
        ``reorder_point`` (s), ``order_up_to`` (S), ``order_quantity`` (:math:`Q_p`),
        ``z``; not rounded.

    Examples
    --------
    Snyder & Shen (2019), Example 4.8: h = 0.18, p = 0.70, K = 2.5, N(50, 8^2) gives
    s = 40.19 and S = 74.29:

    >>> ss_power_approximation(0.18, 0.70, 2.5, 50, 8)[["reorder_point", "order_up_to"]].round(2).to_dict()
    {'reorder_point': 40.19, 'order_up_to': 74.29}
    """
    h, p, k = _costs(holding_cost, backorder_cost, fixed_cost)
    if k == 0:
        raise ValueError(
            "fixed_cost [K] is 0: the power approximation needs a fixed cost (without one "
            "the optimal policy is a base-stock policy: use the newsvendor)."
        )
    mu = check_number(demand_mean, "demand_mean [mu]", low=0, low_open=True)
    sigma = check_number(
        demand_sd,
        "demand_sd [sigma]",
        low=0,
        low_open=True,
        hint="For Poisson demand use sqrt(mean).",
    )
    q = 1.30 * mu**0.494 * (k / h) ** 0.506 * (1 + (sigma / mu) ** 2) ** 0.116
    z = math.sqrt(q * h / (sigma * p))
    s = 0.973 * mu + sigma * (0.183 / z + 1.063 - 2.192 * z)
    return pd.Series(
        {"reorder_point": s, "order_up_to": s + q, "order_quantity": q, "z": z},
        name="power_approximation",
    )


def simulate_ss_policy(
    reorder_point,
    order_up_to,
    holding_cost,
    backorder_cost,
    fixed_cost,
    demand,
    periods: int = 100_000,
    seed: int = 0,
) -> pd.Series:
    """Seeded simulation of the (s, S) policy: average cost per period and its parts.

    Each period: if the inventory position :math:`x \\le s` order :math:`S - x` (cost
    :math:`K`); demand :math:`D_t` is drawn; the end-of-period inventory
    :math:`y_t - D_t` costs :math:`h` per unit on hand and :math:`p` per unit
    backordered. Starts at :math:`S` (a renewal point, so no warm-up is needed).

    Parameters
    ----------
    reorder_point, order_up_to, holding_cost, backorder_cost, fixed_cost, demand
        As in :func:`ss_policy_cost`.
    periods : int, optional
        Number of periods simulated (default 100,000).
    seed : int, optional
        Seed of ``numpy.random.default_rng``: the same seed, the same answer.

    Returns
    -------
    pandas.Series
        ``average_cost``, ``ordering_cost``, ``holding_cost``, ``backorder_cost`` (per
        period), ``order_frequency`` (orders per period) and ``standard_error`` of the
        average cost (batch means over 20 batches).

    Examples
    --------
    >>> sim = simulate_ss_policy(4, 10, 1, 4, 5, 6, periods=50_000, seed=1)
    >>> bool(abs(sim["average_cost"] - ss_policy_cost(4, 10, 1, 4, 5, 6)) < 0.1)
    True
    """
    s, big_s = _levels(reorder_point, order_up_to)
    h, p, k = _costs(holding_cost, backorder_cost, fixed_cost)
    n = check_whole_number(periods, "periods", low=20)
    seed = check_whole_number(seed, "seed", low=0)
    pmf = _integer_pmf(demand)
    draws = np.random.default_rng(seed).choice(pmf.size, size=n, p=pmf / pmf.sum())
    ordered = np.zeros(n, dtype=bool)
    level = np.empty(n)
    x = big_s
    for t, d in enumerate(draws.tolist()):
        if x <= s:
            ordered[t] = True
            x = big_s
        x -= d
        level[t] = x
    holding = h * np.maximum(level, 0)
    backorder = p * np.maximum(-level, 0)
    per_period = k * ordered + holding + backorder
    batches = per_period[: n - n % 20].reshape(20, -1).mean(axis=1)
    return pd.Series(
        {
            "average_cost": per_period.mean(),
            "ordering_cost": k * ordered.mean(),
            "holding_cost": holding.mean(),
            "backorder_cost": backorder.mean(),
            "order_frequency": ordered.mean(),
            "standard_error": batches.std(ddof=1) / math.sqrt(20),
        },
        name="ss_simulation",
    )
