"""Forecast reconciliation across the product hierarchy: bottom-up, top-down by forecast
proportions, middle-out, and the optimal (least-squares) reconciliations OLS and WLS with
structural scaling, with an exact non-negative option.

Every node of the hierarchy (the total, its families and their items) gets its own base
forecast :math:`\\hat{\\boldsymbol y}_h`; the base forecasts rarely add up. Reconciliation
maps them to coherent forecasts (the items add up to their family and the families to the
total) through the summing matrix :math:`\\boldsymbol S` and a mapping matrix
:math:`\\boldsymbol G`:

.. math:: \\tilde{\\boldsymbol y}_h = \\boldsymbol S \\boldsymbol G \\hat{\\boldsymbol y}_h .

Conventions
-----------
* Base forecasts are **tidy**, as in :mod:`sopcourse.horizon`: one row per node and period,
  with a ``node`` column holding the node's name (``"total"``, a family, an item), a
  period column and a value column (``units`` by default). Column names are arguments.
* The hierarchy is a table with one row per item: the item column and, for three levels,
  the middle column (e.g. ``sku`` and ``family``); for two levels (a total and its items) a
  plain list of items also works. Node names must be unique across levels.
* Nodes are ordered total, families, items (each family's items together), so that
  :math:`\\boldsymbol S` ends in the identity :math:`\\boldsymbol I_m` of the :math:`m`
  items, as in Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed.
  (FPP3, OTexts 2021), section 11.3, equation (11.5).
* Periods are kept as given (months, weeks, ...) and sorted.

Sources: FPP3 sections 11.2 (single level approaches, forecast proportions after
Athanasopoulos, Ahmed & Hyndman 2009, *International Journal of Forecasting* 25, 146-166)
and 11.3 (forecast reconciliation, OLS, WLS with structural scaling, MinT after
Wickramasuriya, Athanasopoulos & Hyndman 2019, *JASA* 114, 804-819); the non-negative
version solves the problem of Wickramasuriya, Turlach & Hyndman (2020), *Statistics and
Computing* 30, 1167-1182, for a diagonal weight matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from ._checks import check_numbers, require_columns
from .horizon import historical_proportions

__all__ = [
    "RECONCILIATION_METHODS",
    "summing_matrix",
    "mapping_matrix",
    "reconcile_forecasts",
    "coherence_gaps",
]

#: The methods of :func:`reconcile_forecasts`, with what each one keeps of the base forecasts.
RECONCILIATION_METHODS = {
    "bottom_up": "the item forecasts, added up to the families and the total",
    "top_down": "the total forecast, split down by proportions (of the base forecasts, "
    "or of history)",
    "middle_out": "the family forecasts, split down to items by forecast proportions and "
    "added up to the total",
    "ols": "every node, equally weighted: the orthogonal projection onto coherent forecasts",
    "wls_struct": "every node, weighted by 1 / (number of items under it)",
}
_MAPPING_METHODS = ("bottom_up", "ols", "wls_struct")
_PROPORTIONS = ("forecast", "average_of_proportions", "proportion_of_averages")
_TOL = 1e-9


# --------------------------------------------------------------------------- hierarchy
@dataclass(frozen=True)
class _Hierarchy:
    nodes: list  # total, families, items
    levels: list  # the level of each node
    items: list
    families: list  # empty for two levels
    family_of_item: np.ndarray  # index into families, per item (empty for two levels)
    A: np.ndarray  # a x m: the aggregation rows of S (total, families)

    @property
    def n_aggregates(self) -> int:
        return len(self.nodes) - len(self.items)

    @property
    def S(self) -> np.ndarray:
        return np.vstack([self.A, np.eye(len(self.items))])


def _labels_ok(values, what: str) -> None:
    if pd.isna(pd.Series(values, dtype=object)).any():
        raise ValueError(f"{what} has missing names (NaN or None): name every node.")


def _read_hierarchy(hierarchy, item: str, middle: str | None, total: str) -> _Hierarchy:
    """The nodes, levels and summing matrix of a total / (families /) items hierarchy."""
    if isinstance(hierarchy, pd.DataFrame):
        require_columns(hierarchy, [*([middle] if middle else []), item], "hierarchy")
        table = hierarchy[[*([middle] if middle else []), item]].drop_duplicates()
    elif middle is None and isinstance(hierarchy, Sequence | pd.Index | pd.Series | np.ndarray):
        if isinstance(hierarchy, str):
            raise ValueError("hierarchy must list the items, e.g. ['a', 'b'], not one string.")
        table = pd.DataFrame({item: list(hierarchy)}).drop_duplicates()
    else:
        raise ValueError(
            "hierarchy must be a DataFrame with one row per item "
            f"(columns {[c for c in (middle, item) if c]}), or, for two levels, a list of items."
        )
    if table.empty:
        raise ValueError("hierarchy is empty: list at least one item.")
    _labels_ok(table[item], f"hierarchy[{item!r}]")
    items = list(pd.unique(table[item]))
    families: list = []
    family_of_item = np.zeros(0, dtype=int)
    if middle:
        _labels_ok(table[middle], f"hierarchy[{middle!r}]")
        twice = table[item][table[item].duplicated()].unique()
        if len(twice):
            raise ValueError(
                f"items {list(twice)[:5]} sit in more than one {middle}: a hierarchy gives "
                f"every {item} exactly one {middle}; fix the table."
            )
        families = list(pd.unique(table[middle]))
        order = {f: k for k, f in enumerate(families)}
        table = table.assign(_k=table[middle].map(order)).sort_values("_k", kind="stable")
        items = list(table[item])
        family_of_item = table["_k"].to_numpy(int)
    labels = [total, *families, *items]
    if len(set(labels)) != len(labels):
        seen, clash = set(), []
        for label in labels:
            if label in seen:
                clash.append(label)
            seen.add(label)
        raise ValueError(
            f"node names {clash[:5]} are used at two levels (or twice); every node needs its "
            f"own name: rename them (e.g. a family and an item) or pass another total=."
        )
    m = len(items)
    A = np.zeros((1 + len(families), m))
    A[0] = 1.0
    if families:
        A[1 + family_of_item, np.arange(m)] = 1.0
    levels = ["total"] + [middle] * len(families) + [item] * m
    return _Hierarchy(labels, levels, items, families, family_of_item, A)


def summing_matrix(
    hierarchy, *, item: str = "sku", middle: str | None = None, total: str = "total"
) -> pd.DataFrame:
    """The summing matrix :math:`\\boldsymbol S` of a product hierarchy: which items each
    node adds up.

    With :math:`\\boldsymbol b_t` the :math:`m` item values, every node of the hierarchy is
    :math:`\\boldsymbol y_t = \\boldsymbol S \\boldsymbol b_t` (FPP3 section 11.3, equation
    11.5): the first row (the total) is all ones, one row per family marks its items, and
    the last :math:`m` rows are the identity :math:`\\boldsymbol I_m`.

    Parameters
    ----------
    hierarchy : pandas.DataFrame or list
        One row per item with the ``item`` (and ``middle``) column; for two levels, a list
        of items.
    item, middle : str
        Column names of the items (e.g. ``"sku"``) and of the middle level (e.g.
        ``"family"``; ``None`` for a total and its items only).
    total : str
        Name of the total node.

    Returns
    -------
    pandas.DataFrame
        :math:`n \\times m`: index the nodes (total, families, items), columns the items.

    Examples
    --------
    >>> h = pd.DataFrame({"family": ["A", "A", "B"], "sku": ["AA", "AB", "BA"]})
    >>> summing_matrix(h, middle="family").astype(int)  # doctest: +NORMALIZE_WHITESPACE
    sku    AA  AB  BA
    node
    total   1   1   1
    A       1   1   0
    B       0   0   1
    AA      1   0   0
    AB      0   1   0
    BA      0   0   1
    """
    tree = _read_hierarchy(hierarchy, item, middle, total)
    return pd.DataFrame(
        tree.S, index=pd.Index(tree.nodes, name="node"), columns=pd.Index(tree.items, name=item)
    )


def _check_summing_matrix(S) -> np.ndarray:
    arr = np.asarray(S, dtype=float) if not isinstance(S, pd.DataFrame) else S.to_numpy(float)
    if arr.ndim != 2 or arr.shape[0] <= arr.shape[1] or arr.shape[1] == 0:
        raise ValueError(
            f"S must be an n x m summing matrix with more nodes than items (n > m >= 1); "
            f"got shape {arr.shape}. Build it with summing_matrix(hierarchy)."
        )
    m = arr.shape[1]
    if not np.isin(arr, (0.0, 1.0)).all() or not np.array_equal(arr[-m:], np.eye(m)):
        raise ValueError(
            "S must hold only 0 and 1 and end in the identity matrix (the items, one row "
            "each, in the order of its columns); build it with summing_matrix(hierarchy)."
        )
    return arr


def _weights(A: np.ndarray, method: str) -> np.ndarray:
    """The diagonal of W from the aggregation rows ``A`` of S: ones (OLS) or the number of
    items under each node, :math:`S \\boldsymbol 1` (WLS with structural scaling)."""
    a, m = A.shape
    return np.ones(a + m) if method == "ols" else np.concatenate([A.sum(axis=1), np.ones(m)])


def mapping_matrix(S, method: str) -> pd.DataFrame:
    """The mapping matrix :math:`\\boldsymbol G` of a reconciliation method:
    :math:`\\tilde{\\boldsymbol y} = \\boldsymbol S \\boldsymbol G \\hat{\\boldsymbol y}`.

    * ``"bottom_up"``: :math:`\\boldsymbol G = [\\boldsymbol 0_{m \\times (n-m)} \\mid
      \\boldsymbol I_m]` (FPP3 section 11.3; FPP2 section 10.6 prints it for the hierarchy
      of its Figure 10.1);
    * ``"ols"``: :math:`\\boldsymbol G = (\\boldsymbol S'\\boldsymbol S)^{-1}\\boldsymbol S'`,
      so :math:`\\boldsymbol S \\boldsymbol G` is the orthogonal projection onto the
      coherent forecasts;
    * ``"wls_struct"``: :math:`\\boldsymbol G = (\\boldsymbol S'\\boldsymbol W^{-1}
      \\boldsymbol S)^{-1}\\boldsymbol S'\\boldsymbol W^{-1}` with the structural scaling
      :math:`\\boldsymbol W = \\operatorname{diag}(\\boldsymbol S \\boldsymbol 1)`: each
      node's variance is taken proportional to the number of items under it.

    All three are unbiased, :math:`\\boldsymbol S \\boldsymbol G \\boldsymbol S =
    \\boldsymbol S` (FPP3 section 11.3, after Wickramasuriya et al. 2019): coherent base
    forecasts come back unchanged. Top-down by *forecast* proportions has no fixed
    :math:`\\boldsymbol G` (the proportions are the forecasts themselves): use
    :func:`reconcile_forecasts`.

    Parameters
    ----------
    S : pandas.DataFrame or array-like
        A summing matrix, as from :func:`summing_matrix`.
    method : {"bottom_up", "ols", "wls_struct"}

    Returns
    -------
    pandas.DataFrame
        :math:`m \\times n`: index the items (columns of ``S``), columns the nodes.

    Examples
    --------
    >>> S = summing_matrix(["a", "b"])
    >>> mapping_matrix(S, "ols").round(4)  # doctest: +NORMALIZE_WHITESPACE
    node   total       a       b
    sku
    a     0.3333  0.6667 -0.3333
    b     0.3333 -0.3333  0.6667
    >>> mapping_matrix(S, "wls_struct").round(4)  # doctest: +NORMALIZE_WHITESPACE
    node  total     a     b
    sku
    a      0.25  0.75 -0.25
    b      0.25 -0.25  0.75
    """
    if method not in _MAPPING_METHODS:
        raise ValueError(
            f"method must be one of {_MAPPING_METHODS}, got {method!r} (top-down by forecast "
            "proportions has no fixed G: use reconcile_forecasts)."
        )
    arr = _check_summing_matrix(S)
    n, m = arr.shape
    if method == "bottom_up":
        G = np.hstack([np.zeros((m, n - m)), np.eye(m)])
    else:
        w_inv = 1.0 / _weights(arr[: n - m], method)
        StWi = arr.T * w_inv
        G = np.linalg.solve(StWi @ arr, StWi)
    index = S.columns if isinstance(S, pd.DataFrame) else pd.RangeIndex(m)
    columns = S.index if isinstance(S, pd.DataFrame) else pd.RangeIndex(n)
    return pd.DataFrame(G, index=index, columns=columns)


# --------------------------------------------------------------------------- the base forecasts
def _wide_base(base: pd.DataFrame, tree: _Hierarchy, node: str, period: str, value: str):
    """Base forecasts as an n x T array (NaN where a node has no forecast), and the periods."""
    require_columns(base, [node, period, value], "base")
    check_numbers(base[value], f"base[{value!r}]")
    unknown = sorted(set(base[node]) - set(tree.nodes), key=str)
    if unknown:
        raise ValueError(
            f"base has forecasts for nodes {unknown[:5]} that are not in the hierarchy "
            f"(its nodes: {tree.nodes[:6]}{' ...' if len(tree.nodes) > 6 else ''}); add them "
            "to the hierarchy, fix their names, or drop those rows."
        )
    twice = base.duplicated([node, period])
    if twice.any():
        first = base.loc[twice, [node, period]].iloc[0].tolist()
        raise ValueError(
            f"base has {int(twice.sum())} repeated (node, period) row(s), first {first}: "
            "keep one base forecast per node and period (add them up first if they are parts)."
        )
    wide = base.pivot(index=node, columns=period, values=value)
    try:
        periods = sorted(wide.columns)
    except TypeError:  # mixed types: keep the order of appearance
        periods = list(pd.unique(base[period]))
    wide = wide.reindex(index=tree.nodes, columns=periods)
    return wide.to_numpy(float), periods


def _require_nodes(Y: np.ndarray, tree: _Hierarchy, rows, periods, method: str) -> None:
    missing = np.isnan(Y[rows])
    if missing.any():
        r, c = np.argwhere(missing)[0]
        name, when = tree.nodes[rows[r]], periods[c]
        raise ValueError(
            f"method={method!r} needs a base forecast for every one of its {len(rows)} nodes "
            f"in every period; {int(missing.sum())} are missing, first node {name!r} in "
            f"{when!r}. Add them to base (or choose a method that uses fewer levels)."
        )


def _require_nonnegative(Y: np.ndarray, tree: _Hierarchy, rows, periods, method: str) -> None:
    negative = Y[rows] < 0
    if negative.any():
        r, c = np.argwhere(negative)[0]
        raise ValueError(
            f"method={method!r} splits forecasts by proportions, so its base forecasts must "
            f"be zero or more; node {tree.nodes[rows[r]]!r} in {periods[c]!r} has "
            f"{float(Y[rows[r], c])!r}. Clip them at zero first, or use method='wls_struct' or 'ols' "
            "with nonnegative=True."
        )


# --------------------------------------------------------------------------- the methods
def _split(parents: np.ndarray, children: np.ndarray, parent_of_child: np.ndarray):
    """Split each parent's value over its children in proportion to the children's base
    forecasts, per period; children whose base forecasts add up to zero share equally."""
    k = parents.shape[0]
    sums = np.zeros((k, children.shape[1]))
    np.add.at(sums, parent_of_child, children)
    counts = np.bincount(parent_of_child, minlength=k).astype(float)
    zero = sums[parent_of_child] <= _TOL
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(
            zero, 1.0 / counts[parent_of_child, None], children / sums[parent_of_child]
        )
    return parents[parent_of_child] * shares


def _top_down(Y, tree: _Hierarchy, periods, proportions: str, history, history_args):
    a = tree.n_aggregates
    if proportions == "forecast":
        rows = list(range(len(tree.nodes)))
        _require_nodes(Y, tree, rows, periods, "top_down")
        _require_nonnegative(Y, tree, rows, periods, "top_down")
        if tree.families:
            nf = len(tree.families)
            fam = _split(Y[:1], Y[1 : 1 + nf], np.zeros(nf, dtype=int))
            return _split(fam, Y[a:], tree.family_of_item)
        return _split(Y[:1], Y[a:], np.zeros(len(tree.items), dtype=int))
    if history is None:
        raise ValueError(
            f"proportions={proportions!r} are historical: pass history= (tidy item history "
            "with the item, period and value columns), or use proportions='forecast'."
        )
    _require_nodes(Y, tree, [0], periods, "top_down")
    _require_nonnegative(Y, tree, [0], periods, "top_down")
    item, h_period, h_value, last = history_args
    shares = historical_proportions(
        history, proportions, item=item, period=h_period, value=h_value, last_periods=last
    )
    missing = [i for i in tree.items if i not in shares.index]
    extra = [i for i in shares.index if i not in set(tree.items)]
    if missing or extra:
        raise ValueError(
            f"history and hierarchy list different items (no history for {missing[:5]}; "
            f"not in the hierarchy: {extra[:5]}); give both the same items."
        )
    p = shares.reindex(tree.items).to_numpy(float)
    return np.outer(p, Y[0])


def _middle_out(Y, tree: _Hierarchy, periods):
    if not tree.families:
        raise ValueError(
            "method='middle_out' needs a middle level (e.g. families): pass middle= and a "
            "hierarchy with that column, or use 'top_down' for a total and its items."
        )
    a = tree.n_aggregates
    rows = list(range(1, len(tree.nodes)))
    _require_nodes(Y, tree, rows, periods, "middle_out")
    _require_nonnegative(Y, tree, rows, periods, "middle_out")
    return _split(Y[1:a], Y[a:], tree.family_of_item)


def _least_squares(Y: np.ndarray, A: np.ndarray, method: str, nonnegative: bool):
    """Bottom-level forecasts of OLS / WLS reconciliation, exactly non-negative if asked.

    Computed in the projection form (Wickramasuriya et al. 2019, lemma 1), which for a
    diagonal :math:`W` needs only an :math:`a \\times a` solve (:math:`a` aggregates):
    :math:`\\tilde b = \\hat b + W_b A' u`, :math:`u = (W_a + A W_b A')^{-1} (\\hat y_a -
    A \\hat b)`. It equals :math:`G \\hat y` with :math:`G` of :func:`mapping_matrix`.
    """
    a, m = A.shape
    w = _weights(A, method)
    wa, wb = w[:a], w[a:]
    U = np.linalg.solve(np.diag(wa) + (A * wb) @ A.T, Y[:a] - A @ Y[a:])
    B = Y[a:] + wb[:, None] * (A.T @ U)
    if nonnegative:
        for t in np.flatnonzero((B < 0).any(axis=0)):
            B[:, t] = _nonnegative_period(Y[:, t], A, w, U[:, t])
    return B


def _nonnegative_period(y: np.ndarray, A: np.ndarray, w: np.ndarray, u: np.ndarray, steps=100):
    """:math:`\\min_{b \\ge 0} (y - S b)' W^{-1} (y - S b)` for one period, exactly.

    Its KKT conditions read :math:`b_j = \\max(\\hat y_j + w_j (A'u)_j, 0)` with
    :math:`u = W_a^{-1}(\\hat y_a - A b)`; for a fixed set :math:`P` of positive items
    :math:`u` solves :math:`(W_a + A_P W_P A_P') u = \\hat y_a - A_P \\hat y_P`. Iterate
    on :math:`P` (a semi-smooth Newton step on the :math:`a` multipliers) until it stops
    changing: then every KKT condition holds and, the problem being convex, the answer is
    the global optimum. Should it not settle, ``scipy.optimize.nnls`` solves it instead.
    """
    a, m = A.shape
    wa, wb, ya, yb = w[:a], w[a:], y[:a], y[a:]
    positive = None
    for _ in range(steps):
        z = yb + wb * (A.T @ u)
        now = z > 0
        if positive is not None and np.array_equal(now, positive):
            return np.where(positive, z, 0.0)
        positive = now
        AP, wP = A[:, positive], wb[positive]
        u = np.linalg.solve(np.diag(wa) + (AP * wP) @ AP.T, ya - AP @ yb[positive])
    scale = 1.0 / np.sqrt(w)
    S = np.vstack([A, np.eye(m)])
    return nnls(S * scale[:, None], y * scale, maxiter=50 * m)[0]


# --------------------------------------------------------------------------- the table
def _check_options(method: str, proportions: str, nonnegative) -> None:
    if method not in RECONCILIATION_METHODS:
        raise ValueError(f"method must be one of {list(RECONCILIATION_METHODS)}, got {method!r}.")
    if proportions not in _PROPORTIONS:
        raise ValueError(f"proportions must be one of {_PROPORTIONS}, got {proportions!r}.")
    if not isinstance(nonnegative, bool):
        raise ValueError(f"nonnegative must be True or False, got {nonnegative!r}.")


def _tidy(nodes, levels, periods, node: str, period: str, columns: dict) -> pd.DataFrame:
    """One row per node and period (periods outer) from node x period arrays."""
    n, T = len(nodes), len(periods)
    table = {
        node: np.tile(np.array(nodes, dtype=object), T),
        "level": np.tile(np.array(levels, dtype=object), T),
        period: np.repeat(np.array(periods, dtype=object), n),
    }
    return pd.DataFrame(table | {name: arr.T.ravel() for name, arr in columns.items()})


def reconcile_forecasts(
    base: pd.DataFrame,
    hierarchy,
    method: str,
    *,
    nonnegative: bool = False,
    proportions: str = "forecast",
    history: pd.DataFrame | None = None,
    last_periods: int | None = None,
    node: str = "node",
    item: str = "sku",
    middle: str | None = None,
    period: str = "month",
    value: str = "units",
    total: str = "total",
) -> pd.DataFrame:
    """Reconcile base forecasts of every node of a product hierarchy into coherent ones.

    With :math:`\\hat y` the base forecast of the total, :math:`\\hat y_g` of family
    :math:`g`, :math:`\\hat y_j` of item :math:`j`, per period (FPP3 sections 11.2-11.3):

    * ``"bottom_up"``: :math:`\\tilde y_j = \\hat y_j`, added up.
    * ``"top_down"`` with ``proportions="forecast"`` (Athanasopoulos, Ahmed & Hyndman
      2009): each node gets its parent's reconciled forecast times its share of its
      siblings' base forecasts, :math:`\\tilde y_g = \\hat y\\, \\hat y_g / \\sum_{g'}
      \\hat y_{g'}`, :math:`\\tilde y_j = \\tilde y_g\\, \\hat y_j / \\sum_{j' \\in g}
      \\hat y_{j'}`, i.e. :math:`p_j = \\prod_{\\ell=0}^{K-1} \\hat y^{(\\ell)}_j /
      \\hat S^{(\\ell+1)}_j`. Siblings whose base forecasts add up to zero share equally
      (as Nixtla ``TopDown(method="forecast_proportions")`` does).
      With ``proportions="average_of_proportions"`` or ``"proportion_of_averages"`` the
      total is split by the historical shares of :func:`sopcourse.historical_proportions`
      (``history`` needed), :math:`\\tilde y_j = p_j \\hat y`.
    * ``"middle_out"``: the families keep their base forecasts, split down to items by
      forecast proportions and added up to the total.
    * ``"ols"`` / ``"wls_struct"``: :math:`\\tilde{\\boldsymbol y} = \\boldsymbol S
      \\boldsymbol G \\hat{\\boldsymbol y}` with :math:`\\boldsymbol G = (\\boldsymbol S'
      \\boldsymbol W^{-1}\\boldsymbol S)^{-1}\\boldsymbol S'\\boldsymbol W^{-1}`,
      :math:`\\boldsymbol W = \\boldsymbol I` or :math:`\\operatorname{diag}(\\boldsymbol S
      \\boldsymbol 1)` (see :func:`mapping_matrix`): the coherent forecasts nearest to all
      base forecasts in the :math:`\\boldsymbol W^{-1}` metric.

    Non-negative results (``nonnegative=True``) solve the same least-squares problem with
    the item forecasts constrained to be zero or more, :math:`\\min_{\\boldsymbol b \\ge 0}
    (\\hat{\\boldsymbol y} - \\boldsymbol S \\boldsymbol b)' \\boldsymbol W^{-1}
    (\\hat{\\boldsymbol y} - \\boldsymbol S \\boldsymbol b)` (Wickramasuriya, Turlach &
    Hyndman 2020), in the periods where the unconstrained solution has a negative item:
    an active-set iteration on its optimality (KKT) conditions that stops only when they
    all hold, with ``scipy.optimize.nnls`` as the fallback. It is exact for that metric,
    not a heuristic: setting negatives to zero and adding up is *not* the nearest coherent
    non-negative forecast (it keeps the other items' adjustments as they were).
    For ``bottom_up`` the metric only sees the items, and the exact answer *is* the item
    forecasts clipped at zero. The top-down and middle-out methods refuse negative base
    forecasts (proportions of negatives mean nothing) and so never return negatives.

    Parameters
    ----------
    base : pandas.DataFrame
        Tidy base forecasts: ``node``, ``period`` and ``value`` columns, one row per node
        and period. Each method needs only the nodes it uses (``bottom_up`` the items,
        ``top_down`` by history the total, ``middle_out`` the families and items; the
        others every node).
    hierarchy : pandas.DataFrame or list
        See :func:`summing_matrix`.
    method : {"bottom_up", "top_down", "middle_out", "ols", "wls_struct"}
    nonnegative : bool
        Constrain the reconciled forecasts to be zero or more (see above).
    proportions : {"forecast", "average_of_proportions", "proportion_of_averages"}
        The proportions of ``top_down``.
    history : pandas.DataFrame, optional
        Tidy item history (``item``, ``period``, ``value``) for historical proportions.
    last_periods : int, optional
        Use only the last T periods of ``history``.
    node, item, middle, period, value : str
        Column names (``middle=None``: a total and its items only).
    total : str
        Name of the total node in ``base``.

    Returns
    -------
    pandas.DataFrame
        One row per node and period: ``node``, ``level`` (``"total"``, ``middle``,
        ``item``), ``period``, ``base`` (NaN where none was given) and ``reconciled``.

    Examples
    --------
    Base forecasts that do not add up (40 + 50 is not 100):

    >>> base = pd.DataFrame({"node": ["total", "a", "b"], "month": ["2025-01"] * 3,
    ...                      "units": [100.0, 40.0, 50.0]})
    >>> reconcile_forecasts(base, ["a", "b"], "wls_struct")
        node  level    month   base  reconciled
    0  total  total  2025-01  100.0        95.0
    1      a    sku  2025-01   40.0        42.5
    2      b    sku  2025-01   50.0        52.5
    >>> reconcile_forecasts(base, ["a", "b"], "top_down")["reconciled"].round(2).tolist()
    [100.0, 44.44, 55.56]
    """
    _check_options(method, proportions, nonnegative)
    tree = _read_hierarchy(hierarchy, item, middle, total)
    Y, periods = _wide_base(base, tree, node, period, value)
    a = tree.n_aggregates
    if method == "bottom_up":
        _require_nodes(Y, tree, list(range(a, len(tree.nodes))), periods, method)
        B = np.maximum(Y[a:], 0.0) if nonnegative else Y[a:]
    elif method == "top_down":
        history_args = (item, period, value, last_periods)
        B = _top_down(Y, tree, periods, proportions, history, history_args)
    elif method == "middle_out":
        B = _middle_out(Y, tree, periods)
    else:
        _require_nodes(Y, tree, list(range(len(tree.nodes))), periods, method)
        B = _least_squares(Y, tree.A, method, nonnegative)
    columns = {"base": Y, "reconciled": np.vstack([tree.A @ B, B])}
    return _tidy(tree.nodes, tree.levels, periods, node, period, columns)


def coherence_gaps(
    forecasts: pd.DataFrame,
    hierarchy,
    *,
    node: str = "node",
    item: str = "sku",
    middle: str | None = None,
    period: str = "month",
    value: str = "units",
    total: str = "total",
) -> pd.DataFrame:
    """How far each parent's forecast is from the sum of its children's:
    :math:`e_{p,t} = \\hat y_{p,t} - \\sum_{c \\in p} \\hat y_{c,t}`.

    Coherent forecasts have every gap zero (up to rounding). Use it on base forecasts to
    see the disagreement reconciliation removes, or on the output of
    :func:`reconcile_forecasts` with ``value="reconciled"`` to check it.

    Parameters
    ----------
    forecasts : pandas.DataFrame
        Tidy forecasts of every node (``node``, ``period``, ``value``).
    hierarchy, node, item, middle, period, value, total
        See :func:`reconcile_forecasts`.

    Returns
    -------
    pandas.DataFrame
        One row per parent (the total, each family) and period: ``node``, ``level``,
        ``period``, ``forecast``, ``sum_of_children`` and ``gap``.

    Examples
    --------
    >>> base = pd.DataFrame({"node": ["total", "a", "b"], "month": ["2025-01"] * 3,
    ...                      "units": [100.0, 40.0, 50.0]})
    >>> coherence_gaps(base, ["a", "b"])
        node  level    month  forecast  sum_of_children   gap
    0  total  total  2025-01     100.0             90.0  10.0
    """
    tree = _read_hierarchy(hierarchy, item, middle, total)
    Y, periods = _wide_base(forecasts, tree, node, period, value)
    _require_nodes(Y, tree, list(range(len(tree.nodes))), periods, "coherence_gaps")
    a = tree.n_aggregates
    if tree.families:  # the total's children are the families; a family's are its items
        children = np.vstack([Y[1:a].sum(axis=0, keepdims=True), tree.A[1:] @ Y[a:]])
    else:
        children = Y[a:].sum(axis=0, keepdims=True)
    columns = {"forecast": Y[:a], "sum_of_children": children, "gap": Y[:a] - children}
    return _tidy(tree.nodes[:a], tree.levels[:a], periods, node, period, columns)
