"""Master production schedule generation: the MPS quantities from a forecast, booked
orders, opening stock and a lot-size rule, with the projected available balance and
available-to-promise of :func:`sopcourse.mrp.master_schedule_record`.

Record layout and time fences follow Vollmann, Berry, Whybark & Jacobs, *Manufacturing
Planning and Control for Supply Chain Management* (5th ed., 2005), ch. 6; the "schedule a
lot whenever projected on hand would go negative" rule is Stevenson, *Operations
Management*, ch. 11 (master scheduling).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._checks import check_number, check_numbers, check_whole_number
from .mrp import master_schedule_record

__all__ = ["MPS_LOT_RULES", "generate_master_schedule"]

MPS_LOT_RULES = ("lot_for_lot", "fixed_order_quantity", "periodic_order_quantity")


def _series(values, name: str) -> np.ndarray:
    return check_numbers(pd.Series(values), name, low=0)


def _check_fences(n: int, demand_time_fence, planning_time_fence) -> tuple[int, int]:
    dtf = check_whole_number(
        demand_time_fence, "demand_time_fence", low=0, hint="A number of periods (0 = none)."
    )
    ptf = dtf if planning_time_fence is None else planning_time_fence
    ptf = check_whole_number(
        ptf, "planning_time_fence", low=0, hint="A number of periods (0 = none)."
    )
    if dtf > n or ptf > n:
        raise ValueError(
            f"The time fences ({dtf} and {ptf} periods) must not pass the horizon ({n} "
            "periods): shorten them or give a longer forecast."
        )
    if ptf < dtf:
        raise ValueError(
            f"planning_time_fence ({ptf}) is inside demand_time_fence ({dtf}); the planning "
            "fence lies at or beyond the demand fence. Swap them or leave the planning fence out."
        )
    return dtf, ptf


def _lot_rule(lot_rule, lot_size, periods):
    if lot_rule not in MPS_LOT_RULES:
        raise ValueError(f"Unknown lot_rule {lot_rule!r}; use one of {list(MPS_LOT_RULES)}.")
    if lot_rule == "fixed_order_quantity":
        if lot_size is None:
            raise ValueError(
                "lot_rule 'fixed_order_quantity' needs lot_size (units per MPS lot, e.g. 70)."
            )
        lot_size = check_number(lot_size, "lot_size", low=0, low_open=True, hint="Units per lot.")
    if lot_rule == "periodic_order_quantity":
        if periods is None:
            raise ValueError(
                "lot_rule 'periodic_order_quantity' needs periods (how many periods one lot "
                "covers, e.g. 2)."
            )
        periods = check_whole_number(periods, "periods", hint="Each lot covers that many periods.")
    return lot_size, periods


def generate_master_schedule(
    forecast,
    customer_orders,
    on_hand: float,
    lot_rule: str = "lot_for_lot",
    lot_size: float | None = None,
    periods: int | None = None,
    safety_stock: float = 0.0,
    demand_time_fence: int = 0,
    planning_time_fence: int | None = None,
) -> pd.DataFrame:
    """Generate the master production schedule (MPS) and its record with ATP.

    Demand is booked orders inside the demand time fence and the larger of forecast and
    orders outside it: :math:`D_t = CO_t` for :math:`t \\le DTF`, else
    :math:`D_t = \\max(F_t, CO_t)`. Going forward, an MPS receipt is scheduled in period
    :math:`t` whenever :math:`PAB_{t-1} - D_t < SS` (safety stock, 0 by default), sized by
    the lot rule, and :math:`PAB_t = PAB_{t-1} + MPS_t - D_t` with :math:`PAB_0 = OH`:

    * ``"lot_for_lot"``: :math:`MPS_t = SS - (PAB_{t-1} - D_t)`, the shortfall;
    * ``"fixed_order_quantity"``: the smallest multiple of ``lot_size`` [Q] that covers
      the shortfall, :math:`MPS_t = Q \\lceil (SS - PAB_{t-1} + D_t) / Q \\rceil`;
    * ``"periodic_order_quantity"``: enough for ``periods`` [P] periods,
      :math:`MPS_t = SS - PAB_{t-1} + \\sum_{j=t}^{t+P-1} D_j`.

    The quantities are then passed to :func:`sopcourse.mrp.master_schedule_record` for the
    PAB, the discrete ATP (first period: :math:`OH + MPS_1 - \\sum CO` up to the next
    receipt; each later receipt: :math:`MPS_t - \\sum CO` up to the next; a negative ATP
    borrows from the earlier one) and the cumulative ATP (Vollmann et al. 2005, ch. 6;
    Stevenson, *Operations Management*, ch. 11).

    Parameters
    ----------
    forecast, customer_orders : sequence or Series
        Per period, in units: forecast [F_t] and booked (committed) orders [CO_t].
    on_hand : float
        Units available at the start of period 1 [OH].
    lot_rule : {"lot_for_lot", "fixed_order_quantity", "periodic_order_quantity"}
    lot_size : float, optional
        Units per lot [Q], for ``"fixed_order_quantity"``.
    periods : int, optional
        Periods covered by one lot [P], for ``"periodic_order_quantity"``.
    safety_stock : float
        Units the projected available balance must not fall below [SS], default 0.
    demand_time_fence : int
        Periods 1..DTF are "frozen": only booked orders count as demand there.
    planning_time_fence : int, optional
        Periods DTF+1..PTF are "slushy", later ones "liquid"; defaults to the DTF.

    Returns
    -------
    DataFrame
        Indexed by ``period`` (1..T): ``forecast``, ``customer_orders``, ``demand``
        [D_t], ``projected_available`` [PAB_t], ``master_schedule`` [MPS_t], ``atp``,
        ``cumulative_atp``, ``zone``. ``attrs`` holds the lot rule and safety stock.

    Examples
    --------
    Stevenson's industrial pumps (ch. 11): 64 on hand, lots of 70 whenever the projected
    on hand would go negative.

    >>> rec = generate_master_schedule([30] * 4 + [40] * 4, [33, 20, 10, 4, 2, 0, 0, 0], 64,
    ...                                lot_rule="fixed_order_quantity", lot_size=70)
    >>> rec["master_schedule"].tolist()
    [0.0, 0.0, 70.0, 0.0, 70.0, 0.0, 70.0, 70.0]
    >>> rec["projected_available"].tolist()[:4], float(rec.loc[1, "atp"])
    ([31.0, 1.0, 41.0, 11.0], 11.0)
    """
    f = _series(forecast, "forecast")
    co = _series(customer_orders, "customer_orders")
    if len(f) != len(co):
        raise ValueError(
            f"forecast has {len(f)} periods and customer_orders {len(co)}; give one value "
            "per period in both (0 for periods without booked orders)."
        )
    oh = check_number(on_hand, "on_hand", low=0, hint="Units in stock at the start.")
    ss = check_number(safety_stock, "safety_stock", low=0, hint="Units (0 = none).")
    dtf, ptf = _check_fences(len(f), demand_time_fence, planning_time_fence)
    lot_size, periods = _lot_rule(lot_rule, lot_size, periods)
    n = len(f)
    demand = np.where(np.arange(n) < dtf, co, np.maximum(f, co))
    mps = np.zeros(n)
    prev = oh
    for t in range(n):
        short = ss - (prev - demand[t])
        if short > 1e-9:
            if lot_rule == "lot_for_lot":
                mps[t] = short
            elif lot_rule == "fixed_order_quantity":
                mps[t] = lot_size * math.ceil(short / lot_size - 1e-9)
            else:
                mps[t] = short + demand[t + 1 : t + periods].sum()
        prev = prev + mps[t] - demand[t]
    rec = master_schedule_record(f, co, mps, oh, dtf, ptf)
    rec.insert(2, "demand", demand)
    rec.attrs.update({"lot_rule": lot_rule, "safety_stock": ss})
    return rec
