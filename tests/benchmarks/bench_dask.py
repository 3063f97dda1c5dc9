"""Benchmark: throughput of grading and forecasting on Dask (1 and 2 workers) vs. locally.

Run from the repository root (not collected by pytest)::

    .venv/bin/python tests/benchmarks/bench_dask.py                       # hw3, 20 submissions
    .venv/bin/python tests/benchmarks/bench_dask.py --n 40 --series 2000

Rows, each on the same submissions (a class mix of hw3, see bench_grading.py) and the
same series (Tallridge's SKU x region sales, repeated with noise to ``--series``):

* local: ``grade_folder(jobs=2)`` / ``forecast_all(n_jobs=2)``, this machine's pool;
* dask, 1 worker and 2 workers: a ``LocalCluster`` of worker processes with one thread
  each, through ``scheduler=`` / ``client=``. Cluster start-up is timed apart (a real
  cluster is started once for many runs).

Prints submissions per minute and series per second. On one 2-core machine Dask cannot
beat the local pool: the figure shows its overhead; on several machines it adds workers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from bench_grading import real_submissions  # noqa: E402

import sopcourse as sop  # noqa: E402
from sopcourse.grading.grade import grade_folder  # noqa: E402


def series(n: int) -> pd.DataFrame:
    """n monthly series: Tallridge's SKU x region sales, copied with multiplicative noise."""
    sales = sop.load_company().sales[["sku", "region", "month", "ordered_units"]]
    base = sales.assign(key=sales["sku"].astype(str) + "/" + sales["region"].astype(str))
    keys = base["key"].unique()
    rng = np.random.default_rng(1)
    frames = []
    for i in range(-(-n // len(keys))):
        noise = rng.lognormal(0, 0.2, len(base))
        frames.append(
            base.assign(
                key=base["key"] + f"#{i}", ordered_units=np.round(base["ordered_units"] * noise)
            )
        )
    out = pd.concat(frames, ignore_index=True)
    keep = out["key"].unique()[:n]
    return out[out["key"].isin(keep)]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv=None) -> int:
    import distributed

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assignment", default=str(REPO / "assignments" / "hw3" / "hw3.ipynb"))
    ap.add_argument("--n", type=int, default=20, help="submissions (20)")
    ap.add_argument("--series", type=int, default=1000, help="series to forecast (1000)")
    args = ap.parse_args(argv)
    source = Path(args.assignment)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        real_submissions(source, args.n, tmp / "subs")
        sales = series(args.series)
        kw = {"key": "key", "horizon": 18, "value": "ordered_units"}
        rows = []
        t = timed(lambda: grade_folder(source, tmp / "subs", tmp / "local", jobs=2, progress=None))
        f = timed(lambda: sop.forecast_all(sales, n_jobs=2, **kw))
        rows.append(("local pool, 2 processes", None, t, f))
        for workers in (1, 2):
            start = time.perf_counter()
            cluster = distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                dashboard_address=":0",
                local_directory=str(tmp / f"dask{workers}"),
            )
            client = distributed.Client(cluster)
            client.wait_for_workers(workers)
            up = time.perf_counter() - start
            out = tmp / f"dask{workers}-out"
            t = timed(
                lambda c=client, o=out: grade_folder(
                    source, tmp / "subs", o, scheduler=c, progress=None
                )
            )
            f = timed(lambda c=client: sop.forecast_all(sales, client=c, **kw))
            rows.append((f"dask, {workers} worker(s)", up, t, f))
            client.close()
            cluster.close()
    print(f"{source.name}: {args.n} submissions; {args.series} series x 18 months")
    print(
        f"{'':26s} {'start-up s':>10s} {'grading s':>10s} {'subs/min':>9s} "
        f"{'forecast s':>10s} {'series/s':>9s}"
    )
    for name, up, t, f in rows:
        print(
            f"{name:26s} {'' if up is None else f'{up:10.1f}':>10s} {t:10.1f} "
            f"{60 * args.n / t:9.1f} {f:10.1f} {args.series / f:9.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
