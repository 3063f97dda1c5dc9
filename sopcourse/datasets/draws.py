"""The random draws of one data variant, shared by the tables of its seed.

:class:`Draws` draws, in a fixed order, the numbers a seed varies (price, level and cost
factors, growth, seasonality, promotion discounts), the expected demand of every SKU,
market and month (trend, season, launches, cannibalisation, promotions) and the ordered
and shipped units and the prices of the sales history. The table builders read these
arrays; they draw the rest from the same generator, in the order :func:`generate` calls
them, so that a seed always gives the same bytes.
"""

from __future__ import annotations

import numpy as np

from .catalogue import (
    BIKES,
    COMPONENTS,
    EVENT_LIFT,
    FAMILY_REGION_TILT,
    GROWTH,
    LAUNCHES,
    N_ALL,
    N_HIST,
    POST_PROMO_DIP,
    PRICE_INDEX,
    PROMO_ELASTICITY,
    PROMOS,
    REGION_CODES,
    REGIONS,
    SEASON,
    SHORTAGE_COMPONENT,
    SHORTAGE_T,
    SPARES,
    T0,
    bass_cdf,
)

__all__ = ["Draws"]


class Draws:
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
                life = bass_cdf(t - b[8] + 1, p, q)
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
