"""Pure rules of Korean search: spelling normalization, initial consonants, search keys.

No Django here: these functions are used by the model (to fill its derived search columns),
by the search query and by the data migration, and are tested with generated inputs.

Two spellings of one word (North: 랭면, 로동, 료리, 녀자; South: 냉면, 노동, 요리, 여자) differ
only by the initial-sound law (두음법칙). ``normalize_spelling`` applies that law to *every*
syllable, in the index and in the query, so both spellings meet, also inside compounds
(평양랭면 → 평양냉면) where no dictionary could tell us the word boundary. The price is a few
harmless extra matches (우리 and 우이 share a key); the ranking puts exact names first.

A *search key* is the normalized text decomposed into conjoining jamo, every syllable exactly
three letters (initial, vowel, final or ``NO_FINAL``). Trigram indexes (SQLite FTS5, PostgreSQL
pg_trgm) need at least three letters to use the index: 냉면 becomes six letters and even a
one-syllable query such as 차 becomes three, and 차 no longer matches inside 찬 or 착.

A name is also found by its romanizations (naengmyeon, naengmyŏn, raengmyon): a third
column carries the name's roman keys (``okryu.catalog.romanization``), and a query word in
Latin letters is looked for both as it is in the text column (an English name) and as a roman
key in the roman column (a Korean name spelt in Latin letters). Separate columns keep an
English word from matching inside a romanization and the other way round.
"""

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from okryu.catalog.romanization import is_latin_query, roman_index_keys, roman_key

SYLLABLE_FIRST = 0xAC00
SYLLABLE_LAST = 0xD7A3
VOWEL_COUNT = 21
FINAL_COUNT = 28
CHOSEONG_FIRST = 0x1100  # conjoining initial consonants, in syllable order
JUNGSEONG_FIRST = 0x1161  # conjoining vowels
JONGSEONG_BEFORE_FIRST = 0x11A7  # final n is 0x11A7 + n for n in 1..27

# The 19 initial consonants as people type them (compatibility jamo), in syllable order.
INITIAL_CONSONANTS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_CHOSEONG_TO_COMPATIBLE = {
    chr(CHOSEONG_FIRST + index): consonant
    for index, consonant in enumerate(INITIAL_CONSONANTS)
}
_INITIAL_CONSONANT_SET = frozenset(INITIAL_CONSONANTS) | frozenset(
    _CHOSEONG_TO_COMPATIBLE
)

_INITIAL_NIEUN = 2  # ㄴ
_INITIAL_RIEUL = 5  # ㄹ
_INITIAL_IEUNG = 11  # ㅇ
# ㅣ and the y-vowels (ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ): before them ㄹ and ㄴ fall silent (→ ㅇ).
_Y_VOWELS = frozenset({2, 3, 6, 7, 12, 17, 20})

# Stands for "no final consonant" in a search key. A letter (so pg_trgm keeps it inside a word)
# that never survives NFKC, so no input can contain it.
NO_FINAL = "\u3164"
# Separates the parts of a derived search column; never inside a key (keys are letters only).
PART_SEPARATOR = " "
# Fewer letters than this cannot use a trigram index: the search scans instead.
TRIGRAM_LENGTH = 3
SEARCH_TERMS_MAX = 8


def _is_syllable(character: str) -> bool:
    return SYLLABLE_FIRST <= ord(character) <= SYLLABLE_LAST


def _split_syllable(character: str) -> tuple[int, int, int]:
    offset = ord(character) - SYLLABLE_FIRST
    return (
        offset // (VOWEL_COUNT * FINAL_COUNT),
        (offset // FINAL_COUNT) % VOWEL_COUNT,
        offset % FINAL_COUNT,
    )


def _join_syllable(initial: int, vowel: int, final: int) -> str:
    return chr(SYLLABLE_FIRST + (initial * VOWEL_COUNT + vowel) * FINAL_COUNT + final)


def _normalized_initial(initial: int, vowel: int) -> int:
    """The initial consonant after the initial-sound law (South spelling)."""
    if initial == _INITIAL_RIEUL:
        return _INITIAL_IEUNG if vowel in _Y_VOWELS else _INITIAL_NIEUN
    if initial == _INITIAL_NIEUN and vowel in _Y_VOWELS:
        return _INITIAL_IEUNG
    return initial


def normalize_spelling(text: str) -> str:
    """Apply the initial-sound law to every syllable: 평양랭면 → 평양냉면, 료리 → 요이.

    Other characters are kept as they are; the result has as many characters as ``text``.
    """
    characters = []
    for character in unicodedata.normalize("NFC", text):
        if _is_syllable(character):
            initial, vowel, final = _split_syllable(character)
            characters.append(
                _join_syllable(_normalized_initial(initial, vowel), vowel, final)
            )
        else:
            characters.append(character)
    return "".join(characters)


def initial_consonants(text: str) -> str:
    """The initial consonant of each Hangul syllable of ``text``, as typed: 랭면 → ㄹㅁ."""
    return "".join(
        INITIAL_CONSONANTS[_split_syllable(character)[0]]
        for character in unicodedata.normalize("NFC", text)
        if _is_syllable(character)
    )


def is_initials_query(query: str) -> bool:
    """Whether ``query`` is made only of initial consonants (and spaces), such as ㄴㅁ."""
    letters = "".join(query.split())
    return bool(letters) and all(letter in _INITIAL_CONSONANT_SET for letter in letters)


def search_key(text: str) -> str:
    """The text as the index stores it: normalized, lower case, jamo, letters and digits only.

    NFKC folds full-width and compatibility forms; spaces and punctuation are dropped, so
    평양 냉면 and 평양냉면 share a key.
    """
    letters = []
    for character in unicodedata.normalize("NFKC", text).casefold():
        if _is_syllable(character):
            initial, vowel, final = _split_syllable(character)
            letters.append(chr(CHOSEONG_FIRST + _normalized_initial(initial, vowel)))
            letters.append(chr(JUNGSEONG_FIRST + vowel))
            letters.append(chr(JONGSEONG_BEFORE_FIRST + final) if final else NO_FINAL)
        elif character.isalnum():
            letters.append(character)
    return "".join(letters)


def initials_key(consonants: str) -> str:
    """Initial consonants as the index stores them: each written three times (ㄴㅁ → ㄴㄴㄴㅁㅁㅁ).

    Three letters per consonant let even a one-consonant query (ㄷ) use a trigram index, and
    every trigram across a boundary (ㄴㄴㅁ) still records which consonants are neighbours, so
    the index stays selective. A match out of step with the triples would need neighbouring
    consonants to be equal, and then an in-step match exists too: substring matching on keys
    is exactly substring matching on initials.
    """
    return "".join(
        _CHOSEONG_TO_COMPATIBLE.get(consonant, consonant) * 3
        for consonant in consonants
        if consonant in _INITIAL_CONSONANT_SET
    )


@dataclass(frozen=True)
class SearchColumns:
    """The derived search columns of one product."""

    text: str
    initials: str
    roman: str


def search_columns(*, name: str, name_en: str) -> SearchColumns:
    """The search columns for a product called ``name`` (Korean) and ``name_en`` (English).

    ``text`` is ``key(name) key(name_en)``; ``initials`` is the initials of the name as
    written, then of its normalized spelling, so ㄹㅁ finds 랭면 and ㄴㅁ finds 랭면 and 냉면;
    ``roman`` is the name's roman keys, letter by letter then as said (blank for a name
    without Hangul).
    """
    return SearchColumns(
        text=search_key(name) + PART_SEPARATOR + search_key(name_en),
        roman=PART_SEPARATOR.join(roman_index_keys(name)),
        initials=initials_key(initial_consonants(name))
        + PART_SEPARATOR
        + initials_key(initial_consonants(normalize_spelling(name))),
    )


class SearchField(StrEnum):
    """Which derived column a key is looked for in (the column ``search_<field>``)."""

    TEXT = "text"
    INITIALS = "initials"
    ROMAN = "roman"


@dataclass(frozen=True)
class TermKey:
    """A key to look for, and the column it is looked for in."""

    field: SearchField
    key: str


@dataclass(frozen=True)
class SearchQuery:
    """A parsed search query.

    Each of ``terms`` must occur (as a substring of its column); a term is its alternatives,
    any one of which may occur: a word in Latin letters is looked for as written in the text
    column and as a roman key in the roman column; initial consonants in the initials
    column. ``wholes`` are the keys of the whole query, which rank exact and prefix matches
    first. No terms: nothing to search for.
    """

    terms: tuple[tuple[TermKey, ...], ...]
    wholes: tuple[TermKey, ...]
    is_initials: bool


# A roman key shorter than this (a, o: one vowel) says nothing of a Korean name: such a word
# is looked for as written only.
ROMAN_KEY_LENGTH_MIN = 2


def _alternatives(word: str) -> tuple[TermKey, ...]:
    keys = [TermKey(SearchField.TEXT, search_key(word))]
    if is_latin_query(word):
        romanized = roman_key(word)
        if len(romanized) >= ROMAN_KEY_LENGTH_MIN:
            keys.append(TermKey(SearchField.ROMAN, romanized))
    return tuple(key for key in keys if key.key)


def parse_search_query(query: str) -> SearchQuery:
    """Split ``query`` into terms of search keys (at most ``SEARCH_TERMS_MAX``, further ones
    are ignored, duplicates dropped)."""
    words = query.split()
    is_initials = is_initials_query(query)
    terms: list[tuple[TermKey, ...]]
    if is_initials:
        terms = [(TermKey(SearchField.INITIALS, initials_key(word)),) for word in words]
        wholes: tuple[TermKey, ...] = (
            TermKey(SearchField.INITIALS, initials_key("".join(words))),
        )
    else:
        terms = [_alternatives(word) for word in words]
        wholes = _alternatives("".join(words))
    unique_terms = tuple(dict.fromkeys(term for term in terms if term))
    return SearchQuery(
        terms=unique_terms[:SEARCH_TERMS_MAX], wholes=wholes, is_initials=is_initials
    )
