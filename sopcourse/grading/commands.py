"""Sub-commands of ``sopcourse`` for instructors: release, grade, validate, similarity."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _friendly(handler):
    """Report bad input (a missing file, a malformed source) as a message and exit code 2."""

    def run(args) -> int:
        try:
            return handler(args)
        except (ValueError, OSError) as exc:  # SandboxUnavailable is an OSError
            print(f"sopcourse {args.command}: {exc}", file=sys.stderr)
            return 2

    run.__name__ = handler.__name__
    return run


@_friendly
def _release(args) -> int:
    from .release import check_in_sync, release

    bad = 0
    for source in args.sources:
        if args.check:
            ok, msg = check_in_sync(source)
            print(f"{source}: {msg}")
            bad += not ok
        else:
            print(f"wrote {release(source)}")
    return 1 if bad else 0


def _limits(args):
    from .sandbox import Limits

    return Limits(
        cell_seconds=args.cell_timeout,
        notebook_seconds=args.timeout,
        memory_bytes=int(args.memory_mb * 1_000_000),
    )


@_friendly
def _grade(args) -> int:
    from .grade import grade_folder, parse_shard

    regrade = "all" if args.regrade_all else (args.regrade or None)
    records = grade_folder(
        args.source,
        args.submissions,
        args.out,
        seed=args.seed,
        jobs=args.jobs,
        regrade=regrade,
        shard=parse_shard(args.shard) if args.shard else None,
        limits=_limits(args),
        sandbox_mode=args.sandbox,
        scheduler=args.scheduler,
    )
    print(f"{len(records)} submissions in {Path(args.out) / 'gradebook.csv'}")
    return 0


@_friendly
def _merge_rubric(args) -> int:
    from .gradebook import merge_rubric

    n = merge_rubric(args.source, args.out, args.rubric)
    print(f"merged {n} hand-graded answers into {Path(args.out) / 'gradebook.csv'}")
    return 0


@_friendly
def _merge_shards(args) -> int:
    from .gradebook import merge_outputs

    records = merge_outputs(args.source, args.shards, args.out)
    print(f"{len(records)} submissions in {Path(args.out) / 'gradebook.csv'}")
    return 0


@_friendly
def _validate(args) -> int:
    from .validate import validate

    report = validate(args.source, seeds=args.seeds, limits=_limits(args))
    for line in report["lines"]:
        print(line)
    return 0 if report["ok"] else 1


@_friendly
def _similarity(args) -> int:
    from .grade import find_submissions
    from .similarity import answer_code, similarity_report
    from .source import parse_assignment, read_json_notebook

    assignment = parse_assignment(args.source)
    codes = {}
    for student, path in find_submissions(args.submissions).items():
        nb, _ = read_json_notebook(path)
        if nb is not None:
            codes[student] = answer_code(assignment, nb)
    pairs = similarity_report(codes, k=args.k, window=args.window, top=args.top)
    if args.json:
        print(json.dumps(pairs, indent=1))
        return 0
    for p in pairs:
        print(f"{p['similarity']:.2f}  {p['a']} ~ {p['b']}")
        a_lines, b_lines = codes[p["a"]].splitlines(), codes[p["b"]].splitlines()
        for ln in p["lines_a"][:5]:
            print(f"    {p['a']}:{ln}: {a_lines[ln - 1].strip()[:90]}")
        for ln in p["lines_b"][:5]:
            print(f"    {p['b']}:{ln}: {b_lines[ln - 1].strip()[:90]}")
    if not pairs:
        print("no similar pairs found", file=sys.stderr)
    return 0


def _limit_args(p):
    p.add_argument("--cell-timeout", type=float, default=60, help="seconds per cell (60)")
    p.add_argument("--timeout", type=float, default=600, help="seconds per notebook (600)")
    p.add_argument("--memory-mb", type=float, default=1500, help="memory per notebook (1500)")


def register_cli(subparsers) -> None:
    """Add the grading sub-commands to the ``sopcourse`` command."""
    p = subparsers.add_parser("release", help="write student editions of source notebooks")
    p.add_argument("sources", nargs="+", help="source notebooks")
    p.add_argument("--check", action="store_true", help="only check they are up to date")
    p.set_defaults(func=_release)

    p = subparsers.add_parser("grade", help="grade a folder of submissions")
    p.add_argument("source", help="the source notebook")
    p.add_argument("submissions", help="folder with one notebook (or folder) per student")
    p.add_argument("-o", "--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=None, help="data variant (keep it private)")
    p.add_argument("-j", "--jobs", type=int, default=2, help="parallel workers (2)")
    p.add_argument("--regrade", action="append", metavar="STUDENT", help="grade STUDENT again")
    p.add_argument("--regrade-all", action="store_true", help="grade everyone again")
    p.add_argument("--shard", help="grade shard K of N, e.g. 3/8")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="grade on the workers of this Dask scheduler (tcp://host:8786; needs "
        "pip install 'sopcourse[dask]' here and on every worker); -j is then ignored",
    )
    p.add_argument(
        "--sandbox",
        choices=["best-effort", "strict"],
        default="best-effort",
        help="strict: refuse to grade without the allow-list sandbox (bubblewrap); "
        "best-effort (default): fall back to the namespace sandbox and say so",
    )
    _limit_args(p)
    p.set_defaults(func=_grade)

    p = subparsers.add_parser(
        "merge-rubric", help="merge hand-graded rubric.csv into the gradebook"
    )
    p.add_argument("source")
    p.add_argument("out", help="the grade output folder")
    p.add_argument("--rubric", help="the filled-in rubric CSV (default OUT/rubric.csv)")
    p.set_defaults(func=_merge_rubric)

    p = subparsers.add_parser("merge-shards", help="merge the output folders of grade --shard")
    p.add_argument("source")
    p.add_argument("shards", nargs="+", help="output folders of the shards")
    p.add_argument("-o", "--out", required=True)
    p.set_defaults(func=_merge_shards)

    p = subparsers.add_parser("validate", help="check a source notebook with the real grader")
    p.add_argument("source")
    p.add_argument("--seeds", type=int, nargs="+", default=[11, 23, 47], help="variants to try")
    _limit_args(p)
    p.set_defaults(func=_validate)

    p = subparsers.add_parser("similarity", help="report suspiciously similar submissions")
    p.add_argument("source")
    p.add_argument("submissions")
    p.add_argument("-k", type=int, default=8, help="k-gram length in tokens (8)")
    p.add_argument("--window", type=int, default=4, help="winnowing window (4)")
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_similarity)
