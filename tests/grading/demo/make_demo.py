"""Write the demo source notebook ``demo.ipynb`` (run once by hand; the notebook is committed).

Kept so the demo can be reviewed as plain Python; the committed notebook is the source
of truth for the tests (``python tests/grading/demo/make_demo.py`` rewrites it).
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent


def cell(kind, source, cell_id, **meta):
    c = (new_code_cell if kind == "code" else new_markdown_cell)(source)
    c["id"] = cell_id
    if meta:
        c.metadata["sopcourse"] = meta
    return c


def build():
    cells = [
        cell(
            "md",
            "# Demo assignment: bicycle sales\n\nA small graded notebook for the grading tests.",
            "title",
        ),
        cell(
            "code",
            "import pandas as pd\n\nfrom sopcourse.grading import SelfCheck, demo_sales, expect\n\n"
            'grader = SelfCheck("demo")\nsales = demo_sales()\nsales.head()',
            "setup",
        ),
        cell(
            "md",
            "**Q1 (2 points).** How many units were sold in the year? Store an `int` in `total_units`.",
            "q1-text",
        ),
        cell(
            "code",
            '### BEGIN SOLUTION\ntotal_units = int(sales["units"].sum())\n### END SOLUTION\ntotal_units',
            "q1-answer",
            question="q1",
            points=2,
            answers={"total_units": {"type": "number", "rtol": 0, "atol": 0.5}},
        ),
        cell(
            "code",
            "def check_q1(total_units):\n"
            '    expect(isinstance(total_units, int), "Give one whole number, e.g. with int(...).")\n'
            '    expect(total_units > 1000, "That is too few: did you sum the units column over all rows?")\n\n\n'
            'grader.check("q1", check_q1, total_units=total_units)',
            "q1-check",
            check="q1",
        ),
        cell(
            "code",
            'expect(total_units > 0, "units sold are positive")\n'
            'expect(total_units == grader.expected["total_units"], "the total differs")',
            "q1-hidden",
            hidden="q1",
            message="Sum all rows of the units column, for every family and month.",
        ),
        cell(
            "md",
            "**Q2 (3 points).** Units per family: a DataFrame indexed by `family` with one column `units`, families in alphabetical order.",
            "q2-text",
        ),
        cell(
            "code",
            '### BEGIN SOLUTION\nunits_by_family = sales.groupby("family")[["units"]].sum()\n### END SOLUTION\nunits_by_family',
            "q2-answer",
            question="q2",
            points=3,
            answers={"units_by_family": {"type": "table"}},
        ),
        cell(
            "code",
            "def check_q2(units_by_family):\n"
            '    expect(isinstance(units_by_family, pd.DataFrame), "Make a DataFrame (use [[\\"units\\"]]).")\n'
            '    expect(list(units_by_family.columns) == ["units"], "Keep one column, units.")\n'
            '    expect(len(units_by_family) == 3, "There are three families.")\n\n\n'
            'grader.check("q2", check_q2, units_by_family=units_by_family)',
            "q2-check",
            check="q2",
        ),
        cell(
            "code",
            'assert (units_by_family["units"] >= 0).all()',
            "q2-hidden",
            hidden="q2",
            message="Units cannot be negative.",
        ),
        cell(
            "md",
            '**Q3 (2 points).** Which family earned the most revenue (units times price)? One of `"road"`, `"city"`, `"cargo"`.',
            "q3-text",
        ),
        cell(
            "code",
            '### BEGIN SOLUTION\nrevenue = sales.assign(revenue=sales["units"] * sales["price"])\n'
            'best_family = revenue.groupby("family")["revenue"].sum().idxmax()\n### END SOLUTION\nbest_family',
            "q3-answer",
            question="q3",
            points=2,
            answers={"best_family": {"type": "choice", "options": ["road", "city", "cargo"]}},
        ),
        cell(
            "code",
            "def check_q3(best_family):\n"
            '    expect(best_family in ("road", "city", "cargo"), "Answer with one family name.")\n\n\n'
            'grader.check("q3", check_q3, best_family=best_family)',
            "q3-check",
            check="q3",
        ),
        cell(
            "md",
            "**Q4 (2 points).** December's assembly has 900 hours. A road bike takes 3 h, a "
            "city bike 1 h; margins are 30% of price; sell at most the December units of each. "
            'Find the margin-maximising plan as `mix = {"objective": ..., "plan": {"road": ..., "city": ...}}`.',
            "q4-text",
        ),
        cell(
            "code",
            'dec = sales[sales["month"] == "2025-12"].set_index("family")\n'
            'margin = {f: 0.3 * float(dec.loc[f, "price"]) for f in ("road", "city")}\n'
            "mix_model = {\n"
            '    "sense": "max",\n'
            '    "objective": margin,\n'
            '    "constraints": [\n'
            '        {"coefs": {"road": 3, "city": 1}, "op": "<=", "rhs": 900},\n'
            '        {"coefs": {"road": 1}, "op": "<=", "rhs": int(dec.loc["road", "units"])},\n'
            '        {"coefs": {"city": 1}, "op": "<=", "rhs": int(dec.loc["city", "units"])},\n'
            "    ],\n"
            "}",
            "q4-model",
        ),
        cell(
            "code",
            "### BEGIN SOLUTION\nimport sopcourse as sop\n\n"
            'lp = sop.LinearProgram("mix", sense="max")\n'
            'for f in ("road", "city"):\n    lp.add_variable(f)\n'
            'for k, con in enumerate(mix_model["constraints"]):\n'
            '    lp.add_constraint(f"c{k}", con["coefs"], con["op"], con["rhs"])\n'
            'lp.set_objective(mix_model["objective"])\nres = lp.solve("highs")\n'
            'mix = {"objective": res.objective, "plan": {f: float(res.values[f]) for f in ("road", "city")}}\n'
            "### END SOLUTION\nmix",
            "q4-answer",
            question="q4",
            points=2,
            answers={"mix": {"type": "lp", "model": "mix_model", "rtol": 1e-6}},
        ),
        cell(
            "md",
            "**Q5 (1 point).** In two sentences: why plan the product mix on margin, not on units?\n\n"
            "<!-- BEGIN SOLUTION -->\nUnits ignore how much each bike earns; capacity is scarce, "
            "so each hour should go where it earns the most margin.\n<!-- END SOLUTION -->",
            "q5-answer",
            question="q5",
            points=1,
            type="text",
            rubric="1 point: names margin per scarce hour (or per unit of capacity).",
        ),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["sopcourse"] = {"assignment": "demo"}
    return nb


if __name__ == "__main__":
    nbformat.write(build(), HERE / "demo.ipynb")
