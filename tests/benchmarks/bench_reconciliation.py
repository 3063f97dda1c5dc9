"""Benchmark: forecast reconciliation on synthetic hierarchies (run by hand; prints, no asserts).

    cd /work/main && .venv/bin/python tests/benchmarks/bench_reconciliation.py [runs]

Times ``sopcourse.reconciliation.reconcile_forecasts`` for every method, and the
non-negative versions of OLS and WLS, on three sizes of total / families / SKUs hierarchy
over an 18-month horizon, with base forecasts that do not add up and small SKUs whose
reconciled forecasts go negative (so the non-negative solver really runs). Each call is
repeated ``runs`` times (default 5); the median and the minimum are printed.
"""

import statistics
import sys
import time

import numpy as np
import pandas as pd

from sopcourse.reconciliation import RECONCILIATION_METHODS, reconcile_forecasts

SIZES = [(1, 10), (20, 25), (50, 40)]  # (families, SKUs per family)
MONTHS = 18


def synthetic(families: int, per_family: int, seed: int = 0):
    """A hierarchy table and tidy base forecasts of every node (incoherent on purpose)."""
    rng = np.random.default_rng(seed)
    hierarchy = pd.DataFrame(
        {
            "family": np.repeat([f"F{f}" for f in range(families)], per_family),
            "sku": [f"F{f}-S{s}" for f in range(families) for s in range(per_family)],
        }
    )
    months = [str(p) for p in pd.period_range("2026-01", periods=MONTHS, freq="M")]
    size = rng.lognormal(2.0, 1.2, len(hierarchy))  # a few large SKUs, many small ones
    sku = np.maximum(size[:, None] * rng.normal(1, 0.3, (len(hierarchy), MONTHS)), 0)
    fam = hierarchy.groupby("family", sort=False).ngroup().to_numpy()
    fam_sum = np.zeros((families, MONTHS))
    np.add.at(fam_sum, fam, sku)
    fam_base = fam_sum * rng.normal(0.9, 0.1, fam_sum.shape)
    total_base = fam_sum.sum(axis=0) * rng.normal(0.85, 0.05, MONTHS)
    nodes = ["total", *hierarchy["family"].unique(), *hierarchy["sku"]]
    values = np.vstack([total_base, fam_base, sku])
    base = pd.DataFrame(
        {
            "node": np.tile(np.array(nodes, dtype=object), MONTHS),
            "month": np.repeat(months, len(nodes)),
            "units": values.T.ravel(),
        }
    )
    return hierarchy, base


def time_call(runs: int, **kwargs) -> tuple[float, float, pd.DataFrame]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = reconcile_forecasts(**kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), out


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    calls = [(m, False) for m in RECONCILIATION_METHODS] + [
        ("ols", True),
        ("wls_struct", True),
    ]
    print(f"{'hierarchy':28s} {'method':22s} {'median ms':>10s} {'min ms':>8s} {'negatives':>9s}")
    for families, per_family in SIZES:
        hierarchy, base = synthetic(families, per_family)
        label = f"{families} fam x {per_family} SKUs x {MONTHS} mo"
        for method, nonnegative in calls:
            median, best, out = time_call(
                runs,
                base=base,
                hierarchy=hierarchy,
                method=method,
                nonnegative=nonnegative,
                middle="family",
            )
            name = method + (" nonnegative" if nonnegative else "")
            negatives = int((out["reconciled"] < 0).sum())
            print(f"{label:28s} {name:22s} {median * 1e3:10.1f} {best * 1e3:8.1f} {negatives:9d}")


if __name__ == "__main__":
    main()
