"""The balancing-plan LP built as sparse arrays and solved through highspy's own API.

The same model as :func:`sopcourse.balancing.balancing_plan` builds through
:class:`sopcourse.solver.LinearProgram` (variables, rows, coefficients and their order),
but made with numpy from the tables instead of one Python object per variable and per
term: at company scale (thousands of SKUs, hundreds of thousands of variables, millions
of material terms) PuLP's objects take minutes and gigabytes, the arrays seconds.

The columns reach HiGHS in the order PuLP hands them over (its variables ``x0, x1, ...``
sorted by name as text) and the rows in the order they are added, so both paths give
HiGHS the same model and get the same plan. :func:`matrix_plan` reads the
``_ModelData`` of :mod:`sopcourse.balancing` (without importing it) and returns the
fields of a ``BalancingPlan``.
"""

from __future__ import annotations

import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from .solver import _ABS_TOL, _REL_TOL, LPResult, _quiet

__all__ = ["matrix_plan"]

_TOL = 1e-7  # shipments below this are dropped (as in balancing.py)
_INF = highspy.kHighsInf


class _Model:
    """Columns, rows and terms of the balancing LP, in the LinearProgram's order."""

    def __init__(self, data):
        self.data = data
        self.periods = list(data.periods)
        self.T = T = len(self.periods)
        pairs = list(data.unit_cost)
        self.K = K = len(pairs)
        self.pp = pd.DataFrame(pairs, columns=["product", "plant"])
        self.pp["k"] = np.arange(K)
        self.pp["j"] = self.pp.groupby("product", sort=False).cumcount()
        kk = np.repeat(np.arange(K), T)
        ii = np.tile(np.arange(T), K)
        self.x_col = 2 * (kk * T + ii)  # make[k, i]; hold[k, i] is the next column
        unit = np.array([float(data.unit_cost[p]) for p in pairs])
        hold = np.array([float(data.holding[p]) for p, _pl in pairs])
        cost = np.empty(2 * K * T)
        cost[0::2], cost[1::2] = unit[kk], hold[kk]
        self._demand_columns(cost)
        self.rows, self.cols, self.vals = [], [], []
        self.lower, self.upper, self.names = [], [], []

    def _demand_columns(self, cost_xi: np.ndarray) -> None:
        """unmet[r] for every demand row, each followed by its ship[r, plant] columns."""
        d = self.data.demand
        R = len(d)
        self.t_of = {t: i for i, t in enumerate(self.periods)}
        cand = pd.DataFrame(
            {
                "r": np.arange(R),
                "product": d["product"].to_numpy(),
                "market": d["market"].to_numpy(),
            }
        )
        cand = cand.merge(self.pp, on="product", how="inner").sort_values(["r", "j"])
        lane = self.data.lane
        cand["cost"] = [
            lane(p, pl, m)
            for p, pl, m in zip(cand["product"], cand["plant"], cand["market"], strict=True)
        ]
        cand = cand[cand["cost"].notna()].reset_index(drop=True)
        per_row = np.bincount(cand["r"].to_numpy(), minlength=R)
        base = 2 * self.K * self.T
        self.u_col = base + np.arange(R) + np.concatenate([[0], np.cumsum(per_row)[:-1]])
        r = cand["r"].to_numpy()
        self.ship = cand.assign(
            col=self.u_col[r] + 1 + cand.groupby("r").cumcount().to_numpy(),
            i=d["period"].map(self.t_of).to_numpy()[r],
        )
        self.n = base + R + len(cand)
        cost = np.empty(self.n)
        cost[:base] = cost_xi
        cost[self.u_col] = d["lost_sales_cost"].astype(float).to_numpy()
        cost[self.ship["col"].to_numpy()] = self.ship["cost"].astype(float).to_numpy()
        self.cost = cost

    def _add(self, rows, cols, vals) -> None:
        self.rows.append(np.asarray(rows, dtype=np.int64))
        self.cols.append(np.asarray(cols, dtype=np.int64))
        self.vals.append(np.broadcast_to(np.asarray(vals, dtype=float), np.shape(rows)))

    def build(self) -> None:
        K, T, d = self.K, self.T, self.data.demand
        kt = np.arange(K * T)
        i = kt % T
        # plant balance: stock in + made - shipped - stock out = 0
        self._add(kt, self.x_col, 1.0)
        self._add(kt, self.x_col + 1, -1.0)
        later = kt[i > 0]
        self._add(later, self.x_col[later - 1] + 1, 1.0)
        s = self.ship
        self._add(s["k"].to_numpy() * T + s["i"].to_numpy(), s["col"].to_numpy(), -1.0)
        init = np.array(
            [float(self.data.initial.get((p, pl), 0.0)) for p, pl in self.data.unit_cost]
        )
        rhs = np.where(i == 0, -np.repeat(init, T), 0.0) + 0.0
        self.lower.append(rhs)
        self.upper.append(rhs)
        pp = self.pp
        p_, pl_ = pp["product"].to_numpy().repeat(T), pp["plant"].to_numpy().repeat(T)
        t_ = np.tile(np.array(self.periods, dtype=object), K)
        self.names.append(_names("plant_balance", p_, pl_, t_))
        # market balance: shipped + unmet = demand
        R, m0 = len(d), K * T
        self._add(m0 + np.arange(R), self.u_col, 1.0)
        self._add(m0 + s["r"].to_numpy(), s["col"].to_numpy(), 1.0)
        dem = d["demand"].astype(float).to_numpy()
        self.lower.append(dem)
        self.upper.append(dem)
        self.names.append(
            _names("market_balance", d["product"].to_numpy(), d["market"], d["period"])
        )
        self.n_rows = m0 + R
        self._capacity()
        self._materials()

    def _capacity(self) -> None:
        """Hours of every work centre in every period (rows with no term left out)."""
        data, T = self.data, self.T
        pairs = zip(self.pp["product"], self.pp["plant"], strict=True)
        k_of = dict(zip(pairs, self.pp["k"], strict=True))
        self.cap_rows = []  # (plant, work centre, period, hours, row or None)
        names = []
        for (pl, w, t), hours in data.cap_hours.items():
            if t not in self.t_of:
                continue
            ks, a = [], []
            for p, h in data.routed.get((pl, w), {}).items():
                if (p, pl) in k_of and h > 0:
                    ks.append(k_of[p, pl])
                    a.append(h)
            row = None
            if ks:
                row = self.n_rows
                self._add(np.full(len(ks), row), 2 * (np.array(ks) * T + self.t_of[t]), a)
                self.lower.append(np.array([-_INF]))
                self.upper.append(np.array([float(hours)]))
                names.append(f"capacity[{pl},{w},{t}]")
                self.n_rows += 1
            self.cap_rows.append((pl, w, t, float(hours), row))
        self.names.append(np.array(names, dtype=object))

    def _materials(self) -> None:
        """Cumulative component use up to each period within what has arrived by then."""
        data, T = self.data, self.T
        self.material_rows = []  # (component, period, row, available)
        inputs = data.inputs
        if inputs.bom is None:
            return
        bom = inputs.bom.groupby(["component", "product"])["quantity_per_unit"].sum()
        supply = inputs.component_supply.groupby(["component", "period"])["quantity"].sum()
        k_of = self.pp.groupby("product", sort=False)["k"].agg(list).to_dict()
        names = []
        for c in sorted(bom.index.get_level_values(0).unique(), key=str):
            arriving = supply.get(c)
            ks, qs = [], []
            for p, q in bom.loc[c].items():
                ks += k_of.get(p, [])
                qs += [float(q)] * len(k_of.get(p, []))
            ks, qs = np.array(ks, dtype=np.int64), np.array(qs)
            cumulative = 0.0
            for i, t in enumerate(self.periods):
                if arriving is not None:
                    cumulative += float(arriving.get(t, 0.0))
                row = self.n_rows
                cols = 2 * (ks[:, None] * T + np.arange(i + 1)[None, :])
                self._add(np.full(cols.size, row), cols.reshape(-1), np.repeat(qs, i + 1))
                self.lower.append(np.array([-_INF]))
                self.upper.append(np.array([cumulative]))
                names.append(f"material[{c},{t}]")
                self.material_rows.append((c, t, row, cumulative))
                self.n_rows += 1
        self.names.append(np.array(names, dtype=object))

    def matrix(self) -> sparse.csr_matrix:
        """The constraint matrix, columns in the model's own order."""
        a = sparse.coo_matrix(
            (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
            shape=(self.n_rows, self.n),
        ).tocsr()
        a.eliminate_zeros()
        return a

    def variable_names(self) -> np.ndarray:
        pp, T, d, s = self.pp, self.T, self.data.demand, self.ship
        p_, pl_ = pp["product"].to_numpy().repeat(T), pp["plant"].to_numpy().repeat(T)
        t_ = np.tile(np.array(self.periods, dtype=object), self.K)
        out = np.empty(self.n, dtype=object)
        out[self.x_col] = _names("make", p_, pl_, t_)
        out[self.x_col + 1] = _names("hold", p_, pl_, t_)
        out[self.u_col] = _names("unmet", d["product"].to_numpy(), d["market"], d["period"])
        out[s["col"].to_numpy()] = _names(
            "ship",
            s["product"].to_numpy(),
            s["plant"],
            s["market"],
            d["period"].to_numpy()[s["r"].to_numpy()],
        )
        return out


def _names(kind: str, *parts) -> np.ndarray:
    """``kind[a,b,c]`` for every row of the parts (vectorised string joins)."""
    text = pd.Series(np.asarray(parts[0], dtype=object)).astype(str)
    for part in parts[1:]:
        text = text + "," + pd.Series(np.asarray(part, dtype=object)).astype(str).to_numpy()
    return (kind + "[" + text + "]").to_numpy(dtype=object)


def _solve(model: _Model, a: sparse.csr_matrix):
    """HiGHS on the model, columns in PuLP's order; values and duals in the model's."""
    n = model.n
    order = np.array(sorted(range(n), key=str), dtype=np.int64)  # x0, x1, x10, ...
    csc = a[:, order].tocsc()
    csc.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, a.shape[0]
    lp.col_cost_ = model.cost[order]
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.full(n, _INF)
    lp.row_lower_ = np.concatenate(model.lower)
    lp.row_upper_ = np.concatenate(model.upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr
    lp.a_matrix_.index_ = csc.indices
    lp.a_matrix_.value_ = csc.data
    with _quiet():
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.passModel(lp)
        h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise ValueError(
            f"The solver could not solve model 'balancing_plan' (HiGHS status "
            f"{h.modelStatusToString(status)!r}). Check the data for very large or missing "
            "numbers."
        )
    sol = h.getSolution()
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)
    x = np.asarray(sol.col_value)[back] + 0.0
    dj = np.asarray(sol.col_dual)[back] + 0.0
    return x, dj, np.asarray(sol.row_dual) + 0.0


def _check(a: sparse.csr_matrix, x: np.ndarray, lower, upper) -> np.ndarray:
    """The left-hand sides; a ``ValueError`` if a row is broken beyond the tolerance of
    :meth:`sopcourse.solver.LinearProgram.solve` (relative to the size of its terms)."""
    lhs = a @ x
    equal = lower == upper
    rhs = np.where(equal, lower, upper)
    scale = np.abs(rhs) + abs(a) @ np.abs(x)
    gap = np.where(equal, np.abs(lhs - rhs), lhs - upper)
    bad = gap > _REL_TOL * scale + _ABS_TOL
    if bad.any() or (x < -_ABS_TOL).any():
        raise ValueError(
            "The solver's plan for model 'balancing_plan' breaks a constraint: the numbers "
            "of the model span too many orders of magnitude for floating point. Rescale the "
            "data (e.g. thousands of units) so that the coefficients lie within a few powers "
            "of ten of each other."
        )
    return lhs


def matrix_plan(data) -> dict:
    """Build, solve and read the balancing plan of ``data`` (a ``balancing._ModelData``);
    returns the fields of a ``BalancingPlan``."""
    model = _Model(data)
    model.build()
    a = model.matrix()
    x, dj, dual = _solve(model, a)
    lower, upper = np.concatenate(model.lower), np.concatenate(model.upper)
    lhs = _check(a, x, lower, upper)
    var_names = model.variable_names()
    con_names = np.concatenate(model.names)
    equal = lower == upper
    info = pd.DataFrame(
        {"sense": np.where(equal, "==", "<="), "lhs": lhs, "rhs": np.where(equal, lower, upper)},
        index=pd.Index(con_names, name="constraint"),
    )
    res = LPResult(
        name="balancing_plan",
        status="optimal",
        objective=float(model.cost @ x),
        values=pd.Series(x, index=var_names, dtype=float),
        shadow_prices=pd.Series(dual, index=con_names, dtype=float),
        reduced_costs=pd.Series(dj, index=var_names, dtype=float),
        slacks=pd.Series(np.where(equal, 0.0, np.maximum(upper - lhs, 0.0)), index=con_names),
        solver="highs",
        constraint_info=info,
    )
    return _read(model, x, lhs, dual, res)


def _read(model: _Model, x, lhs, dual, res: LPResult) -> dict:
    """The solution as the tidy tables of a ``BalancingPlan``."""
    pp, T, d, s = model.pp, model.T, model.data.demand, model.ship
    base = pd.DataFrame(
        {
            "product": pp["product"].to_numpy().repeat(T),
            "plant": pp["plant"].to_numpy().repeat(T),
            # a list, as the PuLP path builds it: pandas infers the same dtype
            "period": np.tile(np.array(model.periods, dtype=object), model.K).tolist(),
        }
    )
    production = base.assign(quantity=x[model.x_col])
    inventory = base.assign(quantity=x[model.x_col + 1])
    ship_q = x[s["col"].to_numpy()]
    shipments = pd.DataFrame(
        {
            "product": s["product"].to_numpy(),
            "plant": s["plant"].to_numpy(),
            "market": s["market"].to_numpy(),
            "period": d["period"].to_numpy()[s["r"].to_numpy()].tolist(),
            "quantity": ship_q,
        }
    )
    shipments = shipments[shipments["quantity"] > _TOL].reset_index(drop=True)
    sales = d[["product", "market", "period", "demand"]].copy()
    sales["unmet"] = x[model.u_col]
    sales["served"] = sales["demand"] - sales["unmet"]
    sales["fill_rate"] = np.where(
        sales["demand"] > 0, sales["served"] / sales["demand"].where(sales["demand"] > 0, 1), 1.0
    )
    sales = sales[["product", "market", "period", "demand", "served", "unmet", "fill_rate"]]
    materials = pd.DataFrame(
        [(c, t, avail, lhs[row], -dual[row] + 0.0) for c, t, row, avail in model.material_rows],
        columns=["component", "period", "available", "used", "shadow_price"],
    )
    cap = pd.DataFrame(
        [
            (pl, w, t, hours, 0.0 if row is None else lhs[row], 0.0 if row is None else -dual[row])
            for pl, w, t, hours, row in model.cap_rows
        ],
        columns=["plant", "work_centre", "period", "hours", "load_hours", "shadow_price"],
    )
    cap["shadow_price"] = cap["shadow_price"] + 0.0
    cap["utilisation"] = np.where(
        cap["hours"] > 0,
        cap["load_hours"] / cap["hours"].where(cap["hours"] > 0, 1),
        np.where(cap["load_hours"] > 0, np.inf, 0.0),
    )
    cap = cap[
        ["plant", "work_centre", "period", "hours", "load_hours", "utilisation", "shadow_price"]
    ]
    cost = model.cost
    costs = {
        "production": float(cost[model.x_col] @ x[model.x_col]),
        "transport": float(cost[s["col"].to_numpy()] @ ship_q),
        "holding": float(cost[model.x_col + 1] @ x[model.x_col + 1]),
        "lost_sales": float(cost[model.u_col] @ x[model.u_col]),
        "fixed": float(model.data.inputs.fixed_cost),
    }
    return {
        "production": production,
        "shipments": shipments,
        "inventory": inventory,
        "sales": sales.reset_index(drop=True),
        "capacity": cap,
        "materials": materials,
        "costs": costs,  # balancing_plan adds the total, revenue and profit
        "lp": res,
    }
