"""The one place where linear programs are built and solved.

Every model in the course (aggregate production plan, product mix, allocation,
the supply/demand balancing plan) is described with :class:`LinearProgram`, a small
solver-neutral builder: variables by name, constraints and objective as
``{variable name: coefficient}`` mappings. Only this module imports PuLP, so the move
to PuLP 4 (new modelling API, Python 3.12+) changes this file and nothing else.

Sign conventions (the same whatever the solver; CBC and HiGHS report opposite signs
for maximisation problems, and this module undoes that):

* ``shadow_price`` of a constraint is the change in the objective per unit increase of
  its right-hand side, :math:`\\partial z / \\partial b_i`. In a profit-maximising model a
  binding ``<=`` capacity constraint has a positive shadow price: "one more welding hour
  is worth 12.50 of profit".
* ``reduced_cost`` of a variable is the change in the objective per unit forced into
  the solution from its bound, :math:`\\partial z / \\partial x_j`; in a maximisation a
  product left out of the mix has a negative reduced cost (making one unit loses money).
* ``slack`` is the unused part of a constraint, always >= 0 at a feasible point:
  ``rhs - lhs`` for ``<=``, ``lhs - rhs`` for ``>=``, 0 for ``==``.

Sensitivity ranges (``solve(ranging=True)``, HiGHS only) are read from HiGHS's own
ranging routine (``Highs.getRanging``) on the optimal basis, through the model PuLP
built, and translated back to the model's sense:

* objective ranges: the interval of each objective coefficient :math:`c_j` over which
  the optimal plan (the basis, hence every value) stays the same;
* right-hand-side ranges: the interval of each :math:`b_i` over which the shadow price
  stays the same (the plan moves, but the objective changes by exactly shadow price x
  change). For a constraint with slack (a basic row) the range is computed directly:
  ``[lhs, +inf)`` for ``<=``, ``(-inf, lhs]`` for ``>=``, since HiGHS reports the
  row's activity range there, not its bound's.

The ranges hold one change at a time (the classical "100 % rule" caveat applies when
several numbers move together); the tests check them against re-solving the model.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import pulp

__all__ = [
    "LinearProgram",
    "LPResult",
    "InfeasibleModelError",
    "UnboundedModelError",
    "available_solvers",
]

_SENSES = {"max": pulp.LpMaximize, "min": pulp.LpMinimize}
# A solved plan may miss a constraint by this share of the size of its terms (plus an
# absolute 1e-9 for constraints whose terms are all about zero), no more.
_REL_TOL = 1e-6
_ABS_TOL = 1e-9
_CONSTRAINT_SENSES = ("<=", ">=", "==")


class InfeasibleModelError(ValueError):
    """No plan satisfies every constraint; the message names the constraints to relax."""


class UnboundedModelError(ValueError):
    """The objective can grow without limit; the message names the variables to bound."""


def available_solvers() -> list[str]:
    """Return the LP solvers this installation can use, e.g. ``['highs', 'cbc']``.

    >>> 'highs' in available_solvers()
    True
    """
    found = pulp.listSolvers(onlyAvailable=True)
    names = []
    if "HiGHS" in found:
        names.append("highs")
    if "PULP_CBC_CMD" in found:
        names.append("cbc")
    return names


@dataclass
class LPResult:
    """What a solved model returns.

    Attributes
    ----------
    name : str
        The model's name.
    objective_ranges, rhs_ranges : pandas.DataFrame or None
        Sensitivity ranges when solved with ``ranging=True`` (else ``None``):
        ``objective_ranges`` indexed by variable with ``coefficient``, ``lower``,
        ``upper``; ``rhs_ranges`` indexed by constraint with ``rhs``, ``lower``,
        ``upper`` (``-inf`` / ``inf`` where there is no limit).
    status : str
        ``"optimal"`` (other outcomes raise an error instead of returning).
    objective : float
        The optimal objective value :math:`z^*`.
    values : pandas.Series
        Optimal value of each variable, indexed by variable name.
    shadow_prices : pandas.Series
        :math:`\\partial z / \\partial b_i` for each constraint, indexed by constraint name.
    reduced_costs : pandas.Series
        :math:`\\partial z / \\partial x_j` for each variable.
    slacks : pandas.Series
        Unused part of each constraint (>= 0).
    solver : str
        The solver that produced the result.
    """

    name: str
    status: str
    objective: float
    values: pd.Series
    shadow_prices: pd.Series
    reduced_costs: pd.Series
    slacks: pd.Series
    solver: str
    constraint_info: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    objective_ranges: pd.DataFrame | None = field(repr=False, default=None)
    rhs_ranges: pd.DataFrame | None = field(repr=False, default=None)

    def constraints(self) -> pd.DataFrame:
        """Table of constraints: sense, lhs, rhs, slack, shadow price and ``binding``."""
        table = self.constraint_info.copy()
        table["slack"] = self.slacks
        table["shadow_price"] = self.shadow_prices
        table["binding"] = table["slack"].abs() <= 1e-7 * (1 + table["rhs"].abs())
        return table

    def variables(self) -> pd.DataFrame:
        """Table of variables: value and reduced cost."""
        return pd.DataFrame({"value": self.values, "reduced_cost": self.reduced_costs})


class LinearProgram:
    """A linear program described by names and coefficients, solved with HiGHS.

    Parameters
    ----------
    name : str
        Used in messages and results.
    sense : {"max", "min"}
        Maximise or minimise the objective.

    Examples
    --------
    Two bikes share 40 welding hours and 60 painting hours (margin 30 and 50 a bike):

    >>> lp = LinearProgram("mix", sense="max")
    >>> lp.add_variable("road"); lp.add_variable("city")
    'road'
    'city'
    >>> lp.add_constraint("welding", {"road": 1, "city": 2}, "<=", 40)
    >>> lp.add_constraint("painting", {"road": 3, "city": 2}, "<=", 60)
    >>> lp.set_objective({"road": 30, "city": 50})
    >>> res = lp.solve()
    >>> res.status, round(res.objective, 2)
    ('optimal', 1050.0)
    >>> res.values.round(2).to_dict()
    {'road': 10.0, 'city': 15.0}
    >>> res.shadow_prices.round(2).to_dict()   # profit per extra hour
    {'welding': 22.5, 'painting': 2.5}

    With ``ranging=True`` the result also carries the sensitivity ranges:

    >>> ranged = lp.solve(ranging=True)
    >>> ranged.rhs_ranges.loc["welding", ["lower", "upper"]].tolist()
    [20.0, 60.0]
    >>> ranged.objective_ranges.loc["road", ["lower", "upper"]].tolist()
    [25.0, 75.0]
    """

    def __init__(self, name: str, sense: str = "max"):
        if sense not in _SENSES:
            raise ValueError(f"sense must be 'max' or 'min', not {sense!r}.")
        self.name = name
        self.sense = sense
        self._vars: dict[str, dict] = {}
        self._cons: dict[str, dict] = {}
        self._objective: dict[str, float] = {}
        self._objective_constant = 0.0

    # -- building -------------------------------------------------------------------
    def add_variable(
        self,
        name: str,
        lower: float | None = 0.0,
        upper: float | None = None,
        integer: bool = False,
    ) -> str:
        """Add a variable ``lower <= x <= upper`` (``None`` means unbounded) and return its name."""
        if name in self._vars:
            raise ValueError(f"Model {self.name!r} already has a variable named {name!r}.")
        if lower is not None and upper is not None and lower > upper:
            raise ValueError(
                f"Variable {name!r}: lower bound {lower} is above upper bound {upper}."
            )
        for bound in (lower, upper):
            if bound is not None and not math.isfinite(bound):
                raise ValueError(f"Variable {name!r}: bounds must be finite numbers or None.")
        self._vars[name] = {"lower": lower, "upper": upper, "integer": integer}
        return name

    def add_variables(self, names: Iterable[str], **kwargs) -> list[str]:
        """Add several variables with the same bounds; return their names."""
        return [self.add_variable(n, **kwargs) for n in names]

    def _check_terms(self, where: str, coefficients: Mapping[str, float]) -> dict[str, float]:
        terms = {}
        for var, coef in coefficients.items():
            if var not in self._vars:
                raise ValueError(
                    f"{where} uses variable {var!r}, which the model {self.name!r} does not "
                    "have: add it with add_variable() first."
                )
            coef = float(coef)
            if not math.isfinite(coef):
                raise ValueError(f"{where}: the coefficient of {var!r} is {coef}, not a number.")
            if coef != 0.0:
                terms[var] = terms.get(var, 0.0) + coef
        return terms

    def add_constraint(
        self, name: str, coefficients: Mapping[str, float], sense: str, rhs: float
    ) -> None:
        """Add ``sum(coef * var) <sense> rhs`` with ``sense`` one of ``<=``, ``>=``, ``==``."""
        if name in self._cons:
            raise ValueError(f"Model {self.name!r} already has a constraint named {name!r}.")
        if sense not in _CONSTRAINT_SENSES:
            raise ValueError(
                f"Constraint {name!r}: sense must be '<=', '>=' or '==', not {sense!r}."
            )
        rhs = float(rhs)
        if not math.isfinite(rhs):
            raise ValueError(f"Constraint {name!r}: right-hand side is {rhs}, not a finite number.")
        terms = self._check_terms(f"Constraint {name!r}", coefficients)
        self._cons[name] = {"terms": terms, "sense": sense, "rhs": rhs}

    def set_objective(self, coefficients: Mapping[str, float], constant: float = 0.0) -> None:
        """Set the objective ``constant + sum(coef * var)`` (maximised or minimised)."""
        self._objective = self._check_terms("The objective", coefficients)
        self._objective_constant = float(constant)

    @property
    def variable_names(self) -> list[str]:
        return list(self._vars)

    @property
    def constraint_names(self) -> list[str]:
        return list(self._cons)

    # -- solving --------------------------------------------------------------------
    def _build(self, elastic: bool = False):
        sense = pulp.LpMinimize if elastic else _SENSES[self.sense]
        prob = pulp.LpProblem(_safe(self.name), sense)
        pv = {}
        for i, (name, spec) in enumerate(self._vars.items()):
            pv[name] = prob.add_variable(
                f"x{i}",
                lowBound=spec["lower"],
                upBound=spec["upper"],
                cat=pulp.LpInteger if spec["integer"] else pulp.LpContinuous,
            )
        pc = {}
        penalties = []
        for j, (name, spec) in enumerate(self._cons.items()):
            expr = pulp.LpAffineExpression([(pv[v], c) for v, c in spec["terms"].items()])
            if elastic:
                up = prob.add_variable(f"eu{j}", lowBound=0)
                down = prob.add_variable(f"ed{j}", lowBound=0)
                expr = expr + down - up
                penalties += [(up, 1.0), (down, 1.0)]
            if spec["sense"] == "<=":
                c = expr <= spec["rhs"]
            elif spec["sense"] == ">=":
                c = expr >= spec["rhs"]
            else:
                c = expr == spec["rhs"]
            prob.addConstraint(c, f"c{j}")
            pc[name] = (f"c{j}", up, down) if elastic else f"c{j}"
        if elastic:
            prob.setObjective(pulp.LpAffineExpression(penalties))
        else:
            prob.setObjective(
                pulp.LpAffineExpression(
                    [(pv[v], c) for v, c in self._objective.items()],
                    constant=self._objective_constant,
                )
            )
        return prob, pv, pc

    def solve(
        self, solver: str = "highs", time_limit: float | None = None, ranging: bool = False
    ) -> LPResult:
        """Solve the model and return an :class:`LPResult`.

        ``ranging=True`` also reads the sensitivity ranges (HiGHS only, continuous
        models only); see the module docstring for their meaning.

        Raises
        ------
        InfeasibleModelError
            No plan meets every constraint; the message lists the constraints that an
            elastic re-solve had to violate (the likely culprits).
        UnboundedModelError
            The objective has no limit; the message lists variables to bound.
        """
        if not self._vars:
            raise ValueError(f"Model {self.name!r} has no variables: add some before solving.")
        if ranging and solver != "highs":
            raise ValueError(
                "Sensitivity ranges are read from HiGHS: solve with solver='highs' to get them."
            )
        if ranging and any(spec["integer"] for spec in self._vars.values()):
            raise ValueError(
                f"Model {self.name!r} has integer variables; sensitivity ranges exist only for "
                "linear programs. Solve the continuous relaxation to read them."
            )
        prob, pv, pc = self._build()
        backend = _solver(solver, time_limit)
        if not backend.available():
            raise ValueError(
                f"The LP solver {solver!r} is not installed here, so model {self.name!r} "
                f"cannot be solved. Available here: {available_solvers() or 'none'}: pass "
                "one of those as solver=..., or install the course environment again "
                "(HiGHS comes with the highspy package)."
            )
        with _quiet():
            prob.solve(backend)
        status = pulp.LpStatus[prob.status]
        if status == "Infeasible":
            raise InfeasibleModelError(self._explain_infeasible(solver))
        if status == "Unbounded":
            raise UnboundedModelError(self._explain_unbounded())
        if status == "Not Solved":
            limit = f"the time limit of {time_limit:g} s" if time_limit else "a limit"
            raise ValueError(
                f"The solver stopped on model {self.name!r} before it found an optimal plan "
                f"({limit} was reached; status 'Not Solved'): give it more time "
                "(time_limit=None), or solve a smaller or continuous version of the model."
            )
        if status != "Optimal":
            raise ValueError(
                f"The solver could not solve model {self.name!r} (status {status!r}). "
                "Check the data for very large or missing numbers, or give it more time."
            )
        # HiGHS, through PuLP, reports duals of a maximisation with the opposite sign to CBC.
        flip = -1.0 if (solver == "highs" and self.sense == "max") else 1.0
        # a variable that is in no constraint and not in the objective never reaches the
        # solver (PuLP leaves it None): any value within its bounds is optimal, take the
        # one nearest 0
        plain = {
            n: _num(v.varValue) if v.varValue is not None else self._free_value(n)
            for n, v in pv.items()
        }  # dict: fast lookups below
        self._check_plan(plain)
        values = pd.Series(plain, dtype=float)
        reduced = pd.Series({n: flip * _num(v.dj) for n, v in pv.items()}, dtype=float)
        duals, slacks, info = {}, {}, []
        for name, spec in self._cons.items():
            lhs = sum(c * plain[v] for v, c in spec["terms"].items())
            con = prob.get_constraint_by_name(pc[name])
            duals[name] = flip * _num(con.pi)
            if spec["sense"] == "<=":
                slacks[name] = max(spec["rhs"] - lhs, 0.0)
            elif spec["sense"] == ">=":
                slacks[name] = max(lhs - spec["rhs"], 0.0)
            else:
                slacks[name] = 0.0
            info.append(
                {"constraint": name, "sense": spec["sense"], "lhs": lhs, "rhs": spec["rhs"]}
            )
        info_df = pd.DataFrame(info, columns=["constraint", "sense", "lhs", "rhs"])
        info_df = info_df.set_index("constraint")
        objective_ranges = rhs_ranges = None
        if ranging:
            objective_ranges, rhs_ranges = self._read_ranging(prob, pv, pc, info_df)
        return LPResult(
            name=self.name,
            status="optimal",
            objective=float(pulp.value(prob.objective) or 0.0),
            values=values,
            shadow_prices=pd.Series(duals, dtype=float),
            reduced_costs=reduced,
            slacks=pd.Series(slacks, dtype=float),
            solver=solver,
            constraint_info=info_df,
            objective_ranges=objective_ranges,
            rhs_ranges=rhs_ranges,
        )

    def _free_value(self, name: str) -> float:
        lower, upper = self._vars[name]["lower"], self._vars[name]["upper"]
        value = 0.0 if lower is None else max(0.0, lower)
        return value if upper is None else min(value, upper)

    def _check_plan(self, plain: dict) -> None:
        """The plan must meet every bound and constraint to within a tolerance relative to
        the size of the terms: a solver that drops tiny coefficients (HiGHS ignores
        |a| <= 1e-9) or rounds huge ones can call a plan optimal that is not feasible."""
        worst = None
        for name, spec in self._cons.items():
            terms = [c * plain[v] for v, c in spec["terms"].items()]
            lhs, rhs = sum(terms), spec["rhs"]
            scale = abs(rhs) + sum(abs(t) for t in terms)
            gap = {"<=": lhs - rhs, ">=": rhs - lhs, "==": abs(lhs - rhs)}[spec["sense"]]
            excess = gap / (scale + 1e-300)
            if gap > _REL_TOL * scale + _ABS_TOL and (worst is None or excess > worst[0]):
                worst = (excess, f"constraint {name!r} by {gap:.3g} (its terms are {scale:.3g})")
        for name, spec in self._vars.items():
            x = plain[name]
            for gap, bound in (
                (_gap_below(x, spec["lower"]), spec["lower"]),
                (_gap_above(x, spec["upper"]), spec["upper"]),
            ):
                if bound is None:
                    continue
                scale = abs(bound) + abs(x)
                if gap > _REL_TOL * scale + _ABS_TOL and worst is None:
                    worst = (gap / scale, f"the bound of variable {name!r} by {gap:.3g}")
        if worst is None:
            return
        sizes = [abs(c) for spec in self._cons.values() for c in spec["terms"].values() if c]
        sizes += [abs(c) for c in self._objective.values() if c]
        span = f" (coefficients from {min(sizes):.1e} to {max(sizes):.1e})" if sizes else ""
        raise ValueError(
            f"The solver's plan for model {self.name!r} breaks {worst[1]}: the numbers of the "
            f"model span too many orders of magnitude for floating point{span}. Rescale the "
            "data (e.g. thousands of units, hours instead of seconds) so that the "
            "coefficients lie within a few powers of ten of each other."
        )

    def _read_ranging(self, prob, pv, pc, info: pd.DataFrame):
        """Objective-coefficient and right-hand-side ranges from HiGHS's ranging routine."""
        import highspy  # installed with PuLP's HiGHS interface

        model = prob.solverModel
        status, ranging = model.getRanging()
        if status != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS could not compute sensitivity ranges for model {self.name!r}.")
        basis = model.getBasis()
        sign = -1.0 if self.sense == "max" else 1.0  # PuLP hands HiGHS -c for a maximisation
        rows = []
        for name, var in pv.items():
            j = var.index
            low = ranging.col_cost_dn.value_[j] * sign
            high = ranging.col_cost_up.value_[j] * sign
            low, high = min(low, high) + 0.0, max(low, high) + 0.0
            rows.append(
                {
                    "variable": name,
                    "coefficient": self._objective.get(name, 0.0),
                    "lower": low,
                    "upper": high,
                }
            )
        objective_ranges = pd.DataFrame(rows).set_index("variable")
        rows = []
        for name, spec in self._cons.items():
            i = prob.get_constraint_by_name(pc[name]).index
            lhs = info.loc[name, "lhs"]
            if basis.row_status[i] == highspy.HighsBasisStatus.kBasic:
                low, high = {
                    "<=": (lhs, math.inf),
                    ">=": (-math.inf, lhs),
                    "==": (lhs, lhs),
                }[spec["sense"]]
            else:
                low = ranging.row_bound_dn.value_[i]
                high = ranging.row_bound_up.value_[i]
            rows.append(
                {"constraint": name, "rhs": spec["rhs"], "lower": low + 0.0, "upper": high + 0.0}
            )
        rhs_ranges = pd.DataFrame(rows).set_index("constraint")
        return objective_ranges, rhs_ranges

    def _explain_infeasible(self, solver: str) -> str:
        prob, _, pc = self._build(elastic=True)
        with _quiet():
            prob.solve(_solver(solver, None))
        culprits = []
        for name, (_, up, down) in pc.items():
            gap = _num(up.varValue) + _num(down.varValue)
            if gap > 1e-7:
                culprits.append(f"{name} (short by {gap:,.4g})")
        listed = ", ".join(culprits[:8]) + (" ..." if len(culprits) > 8 else "")
        return (
            f"Model {self.name!r} is infeasible: no plan satisfies every constraint. "
            f"The smallest total relaxation needs these constraints loosened: {listed or 'unknown'}. "
            "Check that minimum quantities (demand floors, minimum fill rates) do not exceed "
            "capacity or material supply, and that bounds are not contradictory."
        )

    def _explain_unbounded(self) -> str:
        """Name the variables that improve the objective and nothing stops.

        A variable that improves the objective by growing (shrinking) is stopped by an
        upper (lower) bound, or by a constraint in which it pushes against the limit;
        those with neither are the likely cause. If every variable is stopped on its own,
        the unboundedness comes from a combination and all improving variables are named.
        """
        sign = 1.0 if self.sense == "max" else -1.0
        improving, unstopped = [], []
        for v, c in self._objective.items():
            direction = sign * c  # > 0: the objective improves as v grows
            if direction == 0:
                continue
            improving.append(v)
            bound = self._vars[v]["upper" if direction > 0 else "lower"]
            stopped = bound is not None
            for spec in self._cons.values():
                a = spec["terms"].get(v, 0.0) * (1 if direction > 0 else -1)
                if (spec["sense"] == "==" and a != 0) or (
                    (spec["sense"] == "<=" and a > 0) or (spec["sense"] == ">=" and a < 0)
                ):
                    stopped = True
                    break
            if not stopped:
                unstopped.append(v)
        names = unstopped or improving
        listed = ", ".join(names[:8]) + (" ..." if len(names) > 8 else "")
        what = (
            "Variables that improve it with no bound and no constraint to stop them"
            if unstopped
            else "Variables that improve it (together they escape every constraint)"
        )
        return (
            f"Model {self.name!r} is unbounded: the objective can improve without limit. "
            f"{what}: {listed or 'unknown'}. "
            "Add a demand limit or a capacity constraint that covers them."
        )


def _solver(name: str, time_limit: float | None):
    if name == "highs":
        return pulp.HiGHS(msg=False, timeLimit=time_limit)
    if name == "cbc":
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
    raise ValueError(f"Unknown solver {name!r}: use 'highs' (the default) or 'cbc'.")


@contextlib.contextmanager
def _quiet():
    """Silence the banner HiGHS writes straight to file descriptor 1 (not sys.stdout)."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):  # no real stdout (some embedded kernels)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _gap_below(x: float, lower: float | None) -> float:
    return 0.0 if lower is None else lower - x


def _gap_above(x: float, upper: float | None) -> float:
    return 0.0 if upper is None else x - upper


def _num(x) -> float:
    return 0.0 if x is None else float(x)


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name) or "model"
