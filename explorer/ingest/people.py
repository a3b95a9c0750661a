"""People: one person per speaker, whichever spelling a page used ("Tom Lidy" = "Thomas Lidy").

Pages written over ten years spell the same person differently: with or without accents
("René" / "Rene"), with a transliterated umlaut ("Schlüter" / "Schlueter" / "Schluter"), with a
middle initial ("Michael M. Pieler") or a short first name ("Tom" for "Thomas"). A person is
the set of spellings that fold to one key; the name shown is the spelling used most often
(ties go to the one with diacritics, which is how people write their own names).

Example:
    >>> person_key("René Donner") == person_key("rene  DONNER")
    True
    >>> [p.name for p in group_people(["Tom Lidy", "Thomas Lidy", "Thomas Lidy"])]
    ['Thomas Lidy']
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from explorer.domain import Person, slugify

# Short first names seen in the archive or common in it, mapped to the full one. Applied
# only to the first name, and the surname must match too, so "Alex Smith" never joins
# "Alexander Brown".
FIRST_NAME_VARIANTS = {
    "tom": "thomas", "tommi": "thomas", "alex": "alexander", "sasha": "alexander",
    "mike": "michael", "chris": "christoph", "christopher": "christoph", "andi": "andreas",
    "flo": "florian", "max": "maximilian", "seb": "sebastian", "basti": "sebastian",
    "ben": "benjamin", "dan": "daniel", "dani": "daniel", "steffi": "stephanie",
    "kathi": "katharina", "matt": "matthias", "matthew": "matthias", "phil": "philipp",
    "philip": "philipp", "georgios": "georg", "joe": "josef", "sepp": "josef",
}
# German umlauts are written three ways: ü, ue and u. Fold all to the bare vowel.
_TRANSLIT = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "ł": "l", "đ": "d"})
_UMLAUT_PAIRS = re.compile(r"(?<=[a-z])(ae|oe|ue)")


def _fold(text: str) -> str:
    text = text.lower().translate(_TRANSLIT)
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def person_key(name: str) -> str:
    """A key equal for every spelling of one person's name ('' for no name).

    Case, accents and umlaut transliterations are folded, middle initials dropped, and a
    short first name mapped to its full form.
    """
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*\.?", _fold(name))
    # "Schlueter" and "Schluter" and "Schlüter" -> "schluter"; only after a consonant-led
    # start so names such as "Ueli" keep their first letters.
    words = [_UMLAUT_PAIRS.sub(lambda m: m.group(1)[0], w) for w in words]
    if len(words) > 2:  # a middle initial ("Michael M. Pieler") says nothing new
        words = [words[0]] + [w for w in words[1:-1] if len(w.rstrip(".")) > 1] + [words[-1]]
    words = [w.rstrip(".") for w in words]
    if words:
        words[0] = FIRST_NAME_VARIANTS.get(words[0], words[0])
    return " ".join(words)


def _preference(spelling: str, count: int) -> tuple:
    non_ascii = sum(ord(c) > 127 for c in spelling)
    initials = len(re.findall(r"\b\w\.", spelling))
    return (count, non_ascii, -initials, len(spelling), spelling)


def group_people(names: Iterable[str]) -> list[Person]:
    """The people behind a list of speaker names (one entry per time a name was used).

    Returns:
        One `Person` per key, sorted by name: the most used spelling as the name, every
        spelling seen as aliases (the name included), and how many times any was used.
    """
    spellings: dict[str, Counter] = {}
    for raw in names:
        name = " ".join(raw.split())
        key = person_key(name)
        if key:
            spellings.setdefault(key, Counter())[name] += 1
    people = []
    for key, counts in spellings.items():
        name = max(counts, key=lambda s: _preference(s, counts[s]))
        people.append(Person(id=slugify(name), key=key, name=name,
                             aliases=tuple(sorted(counts)), mentions=sum(counts.values())))
    return sorted(people, key=lambda p: (p.name.lower(), p.id))
