"""The zygote generates a grading run's data variant once, not once per submission, and a
run of another variant (or of the standard data) never sees it (issue 20)."""

from __future__ import annotations

import sopcourse as sop

CODE = "import sopcourse as sop\ntotal = int(sop.load_company().sales['ordered_units'].sum())"


def _total(sandbox, seed):
    result = sandbox.run([{"code": CODE, "extract": {"q": ["total"]}}], seed=seed)
    assert result.finished, result.reason
    return result.answers["q"]["total"]["value"]


def _expected(seed):
    return int(sop.load_company(seed=seed).sales["ordered_units"].sum())


def test_each_run_gets_its_own_variant_whatever_the_zygote_holds(sandbox):
    seven, eight = _expected(7), _expected(8)
    assert seven != eight
    assert _total(sandbox, 7) == seven
    assert sandbox._variants.get("company") == 7  # generated in the zygote, once
    assert _total(sandbox, 7) == seven
    assert _total(sandbox, None) == _expected(0)  # the standard data, not the variant
    assert _total(sandbox, 8) == eight
    assert _total(sandbox, 7) == seven
