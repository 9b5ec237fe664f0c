"""Reading Markdown the way Streamlit's renderer does, for tests that user text stays inert."""

from __future__ import annotations

import re


def outside_code_spans(markdown: str) -> str:
    """``markdown`` with its inline code spans cut out (CommonMark §6.1: a run of n
    backticks opens a span that the next run of exactly n backticks closes; a run with
    no closing partner is literal text). What is left is what renders as Markdown."""
    out, i = [], 0
    runs = list(re.finditer(r"`+", markdown))
    k = 0
    while k < len(runs):
        opening = runs[k]
        closing = next((r for r in runs[k + 1:] if len(r.group()) == len(opening.group())), None)
        if closing is None:
            k += 1
            continue
        out.append(markdown[i:opening.start()])
        i = closing.end()
        k = runs.index(closing) + 1
    out.append(markdown[i:])
    return "".join(out)
