"""Loss functions of demand distributions: the expected shortfall and leftover that
newsvendor, base-stock and (r, Q) formulas are made of.

For demand :math:`X` and a stock level :math:`x` (Snyder & Shen, *Fundamentals of Supply
Chain Theory*, 2nd ed., 2019, appendix C; Zipkin, *Foundations of Inventory
Management*, 2000, appendix C):

.. math:: n(x) = E[(X - x)^+], \\quad \\bar n(x) = E[(x - X)^+], \\quad
          n^{(2)}(x) = \\tfrac12 E[((X - x)^+)^2], \\quad
          \\bar n^{(2)}(x) = \\tfrac12 E[((x - X)^+)^2],

with Snyder & Shen's discrete second-order definitions for Poisson demand. Each family
(normal, Poisson, gamma, uniform) has a small vectorised kernel class with the four
closed forms; :func:`kernel_of` picks it for a frozen ``scipy.stats`` distribution.
:mod:`sopcourse.policies` builds its (r, Q) costs from the same kernels.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from ._checks import check_number, check_numbers
from .inventory import standard_normal_loss

__all__ = ["loss_function", "second_order_loss_function"]

_FROZEN_HINT = (
    "Pass a frozen scipy.stats distribution: stats.norm(mean, sd), stats.poisson(mean), "
    "stats.gamma(shape, scale=...) or stats.uniform(low, width)."
)


# --------------------------------------------------------------------------- demand kernels
# One small class per demand family: n, n2 and their complements, vectorised over numpy
# arrays. The public functions below and the (r, Q) solvers of policies.py share them.


class NormalKernel:
    discrete = False

    def __init__(self, mean: float, sd: float):
        self.mean, self.sd, self.spread = mean, sd, sd

    def _z(self, x):
        return (np.asarray(x, dtype=float) - self.mean) / self.sd

    def loss(self, x):
        return self.sd * standard_normal_loss(self._z(x))

    def complement(self, x):
        return self.sd * standard_normal_loss(-self._z(x))

    def loss2(self, x):
        # L2(z) = [(z^2 + 1)(1 - Phi(z)) - z phi(z)] / 2 = [(1 - Phi(z)) - z L(z)] / 2
        z = self._z(x)
        return self.sd**2 / 2 * (special.ndtr(-z) - z * standard_normal_loss(z))

    def complement2(self, x):
        z = self._z(x)
        return self.sd**2 / 2 * (special.ndtr(z) + z * standard_normal_loss(-z))

    def cdf(self, x):
        return special.ndtr(self._z(x))


class PoissonKernel:
    """Poisson(mu) shifted by a whole ``loc``; Snyder & Shen's discrete loss functions
    (C.41)-(C.42): n2(x) = E[(X - x)^+ (X - x - 1)^+] / 2."""

    discrete = True

    def __init__(self, mu: float, loc: int = 0):
        self.mu, self.loc = mu, loc
        self.mean, self.spread = mu + loc, math.sqrt(mu)

    def _parts(self, x):
        k = np.floor(np.asarray(x, dtype=float)) - self.loc
        inside = k >= 0
        kk = np.where(inside, k, 0.0)
        cdf = np.where(inside, special.pdtr(kk, self.mu), 0.0)
        sf = np.where(inside, special.pdtrc(kk, self.mu), 1.0)
        pmf = np.where(
            inside, np.exp(special.xlogy(kk, self.mu) - self.mu - special.gammaln(kk + 1)), 0.0
        )
        return k, cdf, sf, pmf

    def loss(self, x):
        k, _, sf, f = self._parts(x)
        return (self.mu - k) * sf + self.mu * f

    def complement(self, x):
        k, cdf, _, f = self._parts(x)
        return (k - self.mu) * cdf + self.mu * f

    def loss2(self, x):
        k, _, sf, f = self._parts(x)
        return 0.5 * (((k - self.mu) ** 2 + k) * sf - self.mu * (k - self.mu) * f)

    def complement2(self, x):
        k, cdf, _, f = self._parts(x)
        return 0.5 * (((k - self.mu) ** 2 + k) * cdf + self.mu * (k - self.mu) * f)

    def cdf(self, x):
        return self._parts(x)[1]


class GammaKernel:
    """Gamma(shape a, scale b) shifted by ``loc``; Zipkin (2000), p. 457."""

    discrete = False

    def __init__(self, shape: float, scale: float, loc: float = 0.0):
        self.a, self.b, self.loc = shape, scale, loc
        self.mean, self.var = loc + shape * scale, shape * scale**2

    def _parts(self, x):
        t = (np.asarray(x, dtype=float) - self.loc) / self.b
        pos = t > 0
        tt = np.where(pos, t, 1.0)
        cdf = np.where(pos, special.gammainc(self.a, tt), 0.0)
        sf = np.where(pos, special.gammaincc(self.a, tt), 1.0)
        # x f(x) in units of b: t^a e^-t / Gamma(a)
        tf = np.where(pos, np.exp(self.a * np.log(tt) - tt - special.gammaln(self.a)), 0.0)
        return t, cdf, sf, tf

    def loss(self, x):
        t, _, sf, tf = self._parts(x)
        return self.b * ((self.a - t) * sf + tf)

    def complement(self, x):
        t, cdf, _, tf = self._parts(x)
        return self.b * ((t - self.a) * cdf + tf)

    def loss2(self, x):
        t, _, sf, tf = self._parts(x)
        a = self.a
        return 0.5 * self.b**2 * (((a - t) ** 2 + a) * sf + (a - t + 1) * tf)

    def complement2(self, x):
        # n2 + n2_bar = E[(X - x)^2] / 2 = b^2 [(t - a)^2 + a] / 2
        t = (np.asarray(x, dtype=float) - self.loc) / self.b
        return 0.5 * self.b**2 * ((t - self.a) ** 2 + self.a) - self.loss2(x)


class UniformKernel:
    discrete = False

    def __init__(self, low: float, high: float):
        self.low, self.high, self.width = low, high, high - low

    def _parts(self, x):
        x = np.asarray(x, dtype=float)
        u = np.clip(x, self.low, self.high)
        return u, np.maximum(self.low - x, 0.0), np.maximum(x - self.high, 0.0)

    def loss(self, x):
        u, below, _ = self._parts(x)
        return (self.high - u) ** 2 / (2 * self.width) + below

    def complement(self, x):
        u, _, above = self._parts(x)
        return (u - self.low) ** 2 / (2 * self.width) + above

    def loss2(self, x):
        u, d, _ = self._parts(x)
        w, rest = self.width, self.high - u
        return rest**3 / (6 * w) + d * rest**2 / (2 * w) + d**2 / 2

    def complement2(self, x):
        u, _, e = self._parts(x)
        w, rest = self.width, u - self.low
        return rest**3 / (6 * w) + e * rest**2 / (2 * w) + e**2 / 2


def _finite_positive(value: float, what: str, family: str) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(
            f"the {family} demand has {what} {value}: its parameters are invalid or give it "
            f"no spread. {_FROZEN_HINT}"
        )


def kernel_of(demand):
    """The loss-function kernel of a frozen scipy.stats distribution."""
    family = getattr(getattr(demand, "dist", None), "name", None)
    if family is None:
        name = getattr(demand, "name", None)
        got = f"stats.{name} itself (not frozen)" if name else f"{type(demand).__name__}"
        raise ValueError(
            f"demand must be a frozen scipy.stats distribution; got {got}. {_FROZEN_HINT}"
        )
    if family == "norm":
        sd = float(demand.std())
        _finite_positive(sd, "standard deviation", "normal")
        return NormalKernel(float(demand.mean()), sd)
    if family == "poisson":
        loc, mean = float(demand.support()[0]), float(demand.mean())
        if not (math.isfinite(mean) and mean >= loc):
            raise ValueError(f"the Poisson demand has mean {mean}: give a mean of 0 or more.")
        if loc != math.floor(loc):
            raise ValueError(f"the Poisson demand has loc {loc}: shift it by whole units only.")
        return PoissonKernel(mean - loc, int(loc))
    if family == "gamma":
        loc, mean, var = float(demand.support()[0]), float(demand.mean()), float(demand.var())
        _finite_positive(var, "variance", "gamma")
        return GammaKernel((mean - loc) ** 2 / var, var / (mean - loc), loc)
    if family == "uniform":
        low, high = (float(v) for v in demand.support())
        _finite_positive(high - low, "width", "uniform")
        return UniformKernel(low, high)
    raise ValueError(
        f"demand is a {family} distribution; loss functions are closed forms here for normal, "
        f"Poisson, gamma and uniform demand only. {_FROZEN_HINT}"
    )


def points_of(x, kernel, name: str = "x"):
    """``x`` as a float array, and how to give the answer back in the shape it came in."""
    if isinstance(x, pd.Series):
        values = check_numbers(x, name)
        index, label = x.index, x.name

        def wrap(out):
            return pd.Series(np.asarray(out, dtype=float), index=index, name=label)

    elif np.ndim(x) == 0:
        values = np.array(check_number(x, name))

        def wrap(out):
            return float(out)

    else:
        values = check_numbers(x, name).reshape(np.shape(x))

        def wrap(out):
            return np.asarray(out, dtype=float)

    if kernel.discrete and not np.all(values == np.floor(values)):
        raise ValueError(
            f"{name} must be whole units for Poisson demand (the discrete loss functions are "
            "defined at integers); round it with math.floor or math.ceil."
        )
    return values, wrap


# --------------------------------------------------------------------------- loss functions
def loss_function(x, demand, *, complement: bool = False):
    """First-order loss function :math:`n(x) = E[(X - x)^+]` of a demand distribution.

    The expected shortfall of demand :math:`X` above a stock level :math:`x`; with
    ``complement=True`` the expected leftover :math:`\\bar n(x) = E[(x - X)^+]`. The two
    always differ by the mean: :math:`n(x) - \\bar n(x) = E[X] - x`.

    Closed forms (Snyder & Shen 2019, appendix C; Zipkin 2000, p. 457 for the gamma):

    - normal :math:`N(\\mu, \\sigma^2)`: :math:`n(x) = \\sigma L(z)`, :math:`z = (x - \\mu)/\\sigma`,
      with :math:`L` from :func:`sopcourse.inventory.standard_normal_loss`;
    - Poisson (whole :math:`x`): :math:`n(x) = -(x - \\mu)(1 - F(x)) + \\mu f(x)`;
    - gamma (shape :math:`a`, scale :math:`b`): :math:`n(x) = b[(a - x/b)(1 - F(x)) + x f(x)]`;
    - uniform on :math:`[a, b]`: :math:`n(x) = (b - x)^2 / (2(b - a))` inside the range.

    Parameters
    ----------
    x : float, array-like or Series
        Stock level(s) [x]; whole units for Poisson demand.
    demand : frozen scipy.stats distribution
        ``stats.norm(mean, sd)``, ``stats.poisson(mean)``, ``stats.gamma(shape, scale=b)``
        or ``stats.uniform(low, width)``; ``loc`` shifts are allowed.
    complement : bool
        Return :math:`\\bar n(x)` instead of :math:`n(x)`.

    Returns
    -------
    float, ndarray or Series
        In the shape of ``x`` (a Series keeps its index).

    Examples
    --------
    Values as in stockpyl's ``loss_functions`` documentation (Snyder & Shen notation):

    >>> from scipy import stats
    >>> round(loss_function(18.6, stats.norm(15, 3)), 4)
    0.1683
    >>> round(loss_function(18, stats.poisson(15)), 4), round(loss_function(18, stats.poisson(15), complement=True), 4)
    (0.5176, 3.5176)
    >>> round(loss_function(4, stats.gamma(2, scale=3)), 4), round(loss_function(4, stats.uniform(2, 6)), 4)
    (2.636, 1.3333)
    """
    kernel = kernel_of(demand)
    values, wrap = points_of(x, kernel)
    return wrap(kernel.complement(values) if complement else kernel.loss(values))


def second_order_loss_function(x, demand, *, complement: bool = False):
    """Second-order loss function :math:`n^{(2)}(x) = \\tfrac12 E[((X - x)^+)^2]`.

    With ``complement=True``: :math:`\\bar n^{(2)}(x) = \\tfrac12 E[((x - X)^+)^2]`. For
    continuous demand :math:`\\frac{d}{dx} n^{(2)}(x) = -n(x)` and
    :math:`n^{(2)} + \\bar n^{(2)} = \\tfrac12[(x - \\mu)^2 + \\sigma^2]`.

    For Poisson demand the discrete definitions of Snyder & Shen (2019, (C.41)-(C.42))
    are used, :math:`n^{(2)}(x) = \\tfrac12 E[(X - x)^+ (X - x - 1)^+]` and
    :math:`\\bar n^{(2)}(x) = \\tfrac12 E[(x - X)^+ (x + 1 - X)^+]`, so that
    :math:`n^{(2)}(x) - n^{(2)}(x + 1) = n(x + 1)`: sums of :math:`n` over an (r, Q)
    window are exact differences, as integrals are in the continuous case.

    Closed forms: normal :math:`\\sigma^2 L^{(2)}(z)` with
    :math:`L^{(2)}(z) = \\tfrac12[(z^2 + 1)(1 - \\Phi(z)) - z\\phi(z)]`; Poisson
    :math:`\\tfrac12[((x - \\mu)^2 + x)(1 - F(x)) - \\mu(x - \\mu) f(x)]`; gamma
    :math:`\\tfrac{b^2}2[((a - x/b)^2 + a)(1 - F(x)) + (a - x/b + 1) x f(x)]` (Zipkin
    2000); uniform :math:`(b - x)^3 / (6(b - a))` inside the range.

    Parameters
    ----------
    x, demand, complement
        As in :func:`loss_function`.

    Examples
    --------
    Values as in stockpyl's ``loss_functions`` documentation:

    >>> from scipy import stats
    >>> round(second_order_loss_function(18.6, stats.norm(15, 3)), 4)
    0.2149
    >>> round(second_order_loss_function(18, stats.poisson(15)), 4)
    0.8483
    >>> round(second_order_loss_function(4, stats.gamma(2, scale=3)), 4)
    10.2803
    >>> round(second_order_loss_function(4, stats.uniform(2, 6), complement=True), 4)
    0.2222
    """
    kernel = kernel_of(demand)
    values, wrap = points_of(x, kernel)
    return wrap(kernel.complement2(values) if complement else kernel.loss2(values))
