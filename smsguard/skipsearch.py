"""Regular expressions that ``re`` searches quickly: tried only at the characters their matches start with.

``re`` tries a pattern that opens with a lookbehind or an alternation at every position of the text; one that
opens with a character class lets it skip the other positions in C. :func:`searched_at` puts the class in
front: it takes the first character, a lookbehind steps back over it, and a lookahead matches the pattern from
there. Normalization and extraction search every message this way.
"""

from __future__ import annotations

import re


def searched_at(
    first_chars: str, pattern: str, *, capture: bool = False, not_after: str = "", pretest: str = ""
) -> re.Pattern[str]:
    """``pattern`` tried only where a character of ``first_chars`` (a character class body) stands.

    A match is one character long, at the start of the pattern's match. With ``capture`` the pattern's own match
    is group 1 (its groups follow from 2). Two cheap tests may turn most candidates away before ``pattern`` runs:
    ``not_after``, a class body that no match may follow (every alternative of ``pattern`` must open with
    ``(?<![...])`` of it), and ``pretest``, a pattern that every match of ``pattern`` also matches at its start.
    """
    guard = f"(?<![{not_after}][{first_chars}])" if not_after else ""
    lookahead = f"(?={pretest})" if pretest else ""
    inner = f"({pattern})" if capture else f"(?:{pattern})"
    return re.compile(f"[{first_chars}]{guard}(?<={lookahead}(?={inner})[\\s\\S])")
