"""The folded form of a name that the search column stores and queries compare against."""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that sneak in from copy-paste and would split a match.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))
# Russian writers drop the dots of ё as often as not; the two spellings are one word.
_YO = str.maketrans({"ё": "е"})
_SPACES = re.compile(r"\s+")


def fold_for_search(text: str) -> str:
    """Case-, width- and spacing-insensitive form: "ҚАМҚОР", "Қамқор" and "қамқор" agree.

    NFKC before and after casefold is Unicode's NFKC_Casefold recipe: casefolding
    can undo a composition, and NFKC turns full-width or ligature letters plain.
    Kazakh letters (ә ғ қ ң ө ұ ү һ і) have proper case pairs, so casefold suffices.
    """
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    folded = unicodedata.normalize("NFKC", folded.casefold()).translate(_YO)
    return _SPACES.sub(" ", folded).strip()
