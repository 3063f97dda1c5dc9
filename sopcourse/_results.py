"""The base of the result objects that functions return for a model's result.

A result is a frozen dataclass: its fields are named, documented and shown by ``help``
and tab completion. It also reads like the plain dict it replaces (``result["method"]``,
``list(result)``, ``dict(result)``), so code written against the dict keeps working.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True, eq=False)
... class Choice(Result):
...     method: str
...     score: float
>>> c = Choice("ses", 1.5)
>>> c.method, c["score"], list(c), dict(c)
('ses', 1.5, ['method', 'score'], {'method': 'ses', 'score': 1.5})
>>> c["nope"]
Traceback (most recent call last):
...
KeyError: "Choice has no field 'nope'; its fields are ['method', 'score']."
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import fields


class Result(Mapping):
    """Mixin for a ``@dataclass(frozen=True, eq=False)`` result: attribute and key access."""

    def _names(self) -> list[str]:
        return [f.name for f in fields(self)]  # type: ignore[arg-type]

    def __getitem__(self, key: str):
        if key not in self._names():
            raise KeyError(
                f"{type(self).__name__} has no field {key!r}; its fields are {self._names()}."
            )
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def to_dict(self) -> dict:
        """The fields as a plain dict (shallow)."""
        return {name: getattr(self, name) for name in self._names()}
