"""Offline similarity report: pairs of submissions whose answer code is suspiciously alike.

Answer code is normalised (identifiers, numbers and strings replaced by placeholders,
comments and layout dropped), cut into k-grams of tokens, hashed and *winnowed*
(Schleimer, Wilkerson and Aiken 2003, the MOSS method). Two submissions' similarity is
the Jaccard index of their fingerprints; matching lines are shown for the top pairs.
"""

from __future__ import annotations

import hashlib
import io
import keyword
import token
import tokenize


def normalise_tokens(code: str) -> list[tuple[str, int]]:
    """Tokens of ``code`` with names, numbers and strings abstracted, and their line numbers.

    Examples
    --------
    >>> [t for t, _ in normalise_tokens("total = sales['units'].sum()  # hi")]
    ['V', '=', 'V', '[', 'S', ']', '.', 'V', '(', ')']
    """
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == token.NAME:
                out.append((tok.string if keyword.iskeyword(tok.string) else "V", tok.start[0]))
            elif tok.type == token.NUMBER:
                out.append(("N", tok.start[0]))
            elif tok.type == token.STRING:
                out.append(("S", tok.start[0]))
            elif tok.type == token.OP:
                out.append((tok.string, tok.start[0]))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def fingerprints(code: str, k: int = 8, window: int = 4) -> dict[int, set[int]]:
    """Winnowed fingerprints of ``code``: hash -> line numbers where it occurs.

    Examples
    --------
    >>> a = fingerprints("x = df['a'].sum()\\ny = x / 12\\n")
    >>> a == fingerprints("total = data['b'].sum()\\nmean = total / 3\\n")
    True
    """
    toks = normalise_tokens(code)
    grams = []
    for i in range(len(toks) - k + 1):
        text = " ".join(t for t, _ in toks[i : i + k])
        h = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
        grams.append((h, toks[i][1]))
    if len(grams) <= window:
        return {h: {line} for h, line in grams} if grams else {}
    chosen: dict[int, set[int]] = {}
    for i in range(len(grams) - window + 1):
        h, line = min(grams[i : i + window], key=lambda g: g[0])
        chosen.setdefault(h, set()).add(line)
    return chosen


def similarity_report(codes: dict[str, str], k: int = 8, window: int = 4, top: int = 20):
    """Rank pairs of students by fingerprint overlap.

    Parameters
    ----------
    codes : dict
        Student id -> their answer code (all answer cells joined).
    k, window : int
        k-gram length (tokens) and winnowing window.
    top : int
        How many pairs to return.

    Returns
    -------
    list of dict
        ``{"a", "b", "similarity", "lines_a", "lines_b"}``, most similar first.

    Examples
    --------
    >>> codes = {"ann": "t = s['u'].sum()\\nm = t / 12\\n", "bob": "x = d['v'].sum()\\nq = x / 3\\n",
    ...          "cy": "for i in range(3):\\n    print(i)\\n"}
    >>> r = similarity_report(codes, k=3, window=2)
    >>> (r[0]["a"], r[0]["b"], r[0]["similarity"])
    ('ann', 'bob', 1.0)
    """
    if k < 2 or window < 1:
        raise ValueError("k must be at least 2 and window at least 1")
    prints = {s: fingerprints(c, k, window) for s, c in codes.items()}
    names = sorted(prints)
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            fa, fb = prints[a], prints[b]
            if not fa or not fb:
                continue
            common = set(fa) & set(fb)
            if not common:
                continue
            sim = len(common) / len(set(fa) | set(fb))
            la = sorted({ln for h in common for ln in fa[h]})
            lb = sorted({ln for h in common for ln in fb[h]})
            pairs.append(
                {"a": a, "b": b, "similarity": round(sim, 4), "lines_a": la, "lines_b": lb}
            )
    pairs.sort(key=lambda p: (-p["similarity"], p["a"], p["b"]))
    return pairs[:top]


def answer_code(assignment, nb) -> str:
    """The student's answer cells and added cells of a submission, joined (no source cells)."""
    from .rebuild import build_steps

    steps, info = build_steps(assignment, nb)
    fixed = {
        c.source
        for c, (role, _) in zip(assignment.nb.cells, assignment.roles, strict=True)
        if c.cell_type == "code" and role != "answer"
    }
    return "\n".join(s["code"] for s in steps if s["code"] not in fixed)
