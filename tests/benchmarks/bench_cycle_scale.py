"""Benchmark: the S&OP cycle at company scale (run by hand; prints, no asserts).

    cd /work/main && MPLBACKEND=agg .venv/bin/python tests/benchmarks/bench_cycle_scale.py [1 10 100]

For each scale (default 1, 10, 100: Tallridge's catalogue with that many variants of
every SKU, ``generate(0, scale=k)``), a fresh process generates the company and runs
``sopcourse.cycle.run_cycle`` on it with the defaults (every series, 18 months, both
plants), then prints SKUs, SKU-market series forecast, the balancing LP's variables,
constraints and builder, seconds per step and in total, the process's peak resident
memory (``ru_maxrss``: imports, data and the cycle), the seconds to write the review
pack, and the size and seconds of the same supply review planned by family
(``PlanningInputs.by_family()``, outside the cycle total). The target of issue 20: 100x
in under 5 minutes and 8 GiB on a 2-core machine.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one(scale: int) -> dict:
    start = time.perf_counter()
    from sopcourse.balancing import balancing_plan
    from sopcourse.cycle import run_cycle
    from sopcourse.datasets import load_company

    imports = time.perf_counter() - start
    start = time.perf_counter()
    company = load_company(seed=0, scale=scale)
    generate = time.perf_counter() - start
    result = run_cycle(company)
    lp = result.plan.lp
    big = len(lp.values) > 20_000
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result.write(Path(tmp) / "review.html")
        pack = time.perf_counter() - start
    start = time.perf_counter()
    family = balancing_plan(result.planning_inputs.by_family())
    family_seconds = time.perf_counter() - start
    return {
        "scale": scale,
        "skus": int(company.products["sku"].nunique()),
        "series": int(result.statistical.groupby(["sku", "region"]).ngroups),
        "lp_variables": len(lp.values),
        "lp_constraints": len(lp.slacks),
        "builder": "matrix" if big else "pulp",
        "family_lp": f"{len(family.lp.values)}x{len(family.lp.slacks)}",
        "family plan": family_seconds,
        "review pack": pack,
        "imports": imports,
        "generate": generate,
        **result.timings.to_dict(),
        "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]))))
        return
    scales = [int(a) for a in sys.argv[1:]] or [1, 10, 100]
    env = {**os.environ, "MPLBACKEND": "agg"}
    rows = []
    for k in scales:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(k)],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        wall = time.perf_counter() - start
        if done.returncode:
            print(f"scale {k}: exit code {done.returncode}\n{done.stderr[-2000:]}")
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        row["process wall"] = wall
        rows.append(row)
    if not rows:
        return
    steps = [
        "imports",
        "generate",
        "data gathering",
        "demand review",
        "supply review",
        "financial reconciliation",
        "executive review",
    ]
    print(f"{'':30s}" + "".join(f"{'x' + str(r['scale']):>12s}" for r in rows))
    for key in ["skus", "series", "lp_variables", "lp_constraints", "builder", "family_lp"]:
        print(f"{key:30s}" + "".join(f"{str(r[key]):>12s}" for r in rows))
    for key in steps:
        print(f"{key + ' (s)':30s}" + "".join(f"{r[key]:12.2f}" for r in rows))
    total = [sum(r[k] for k in steps[1:]) for r in rows]
    print(f"{'cycle total (s)':30s}" + "".join(f"{t:12.2f}" for t in total))
    print(f"{'process wall (s)':30s}" + "".join(f"{r['process wall']:12.2f}" for r in rows))
    print(f"{'review pack, HTML (s)':30s}" + "".join(f"{r['review pack']:12.2f}" for r in rows))
    print(f"{'family-level plan (s)':30s}" + "".join(f"{r['family plan']:12.2f}" for r in rows))
    print(f"{'peak RSS (GiB)':30s}" + "".join(f"{r['peak_rss_gib']:12.2f}" for r in rows))
    print(f"cores: {os.cpu_count()}; target 100x: < 300 s and < 8 GiB")


if __name__ == "__main__":
    main()
