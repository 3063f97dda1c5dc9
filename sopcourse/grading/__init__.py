"""Graded homework and exams: self-checks, student editions, a secure autograder, gradebook.

* In a graded notebook: ``grader = SelfCheck("hw1")`` and ``grader.check("q1", ...)``
  (public checks only), with :func:`expect` for each check and its hint.
* For instructors: ``sopcourse release | grade | merge-rubric | merge-shards | validate |
  similarity`` (see ``assignments/README.md``).
"""

from .checks import CheckFailed, SelfCheck, SelfCheckResult, expect
from .commands import register_cli
from .demo import demo_sales

__all__ = [
    "CheckFailed",
    "SelfCheck",
    "SelfCheckResult",
    "expect",
    "demo_sales",
    "register_cli",
]
