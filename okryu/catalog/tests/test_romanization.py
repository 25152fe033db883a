"""The pure rules of romanized search: a Korean name is found by its RR and MR spellings."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okryu.catalog.romanization import (
    is_latin_query,
    roman_index_keys,
    roman_key,
    romanize_letters,
    romanize_pronounced,
)

SYLLABLE_FIRST = 0xAC00
VOWEL_COUNT = 21
FINAL_COUNT = 28

# The two systems' tables, written out here from their published charts (independently of
# the module's own), for one syllable on its own: its first consonant, its vowel, its final.
# fmt: off
RR_INITIAL = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "-", "j", "jj", "ch",
              "k", "t", "p", "h")
MR_INITIAL = ("k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "-", "ch", "tch",
              "ch'", "k'", "t'", "p'", "h")
RR_VOWEL = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u",
            "wo", "we", "wi", "yu", "eu", "ui", "i")
MR_VOWEL = ("a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae", "oe", "yo", "u",
            "wŏ", "we", "wi", "yu", "ŭ", "ŭi", "i")
# Finals as said alone, in syllable order (none, ㄱ ㄲ ㄳ ㄴ … ㅌ ㅍ ㅎ).
FINAL = ("-", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m",
         "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t")
# fmt: on
SILENT = 11  # ㅇ
S = 9  # ㅅ
SH_VOWELS = {16, 20}  # ㅟ and ㅣ: MR writes ㅅ before them as sh


def parts(syllable: str) -> tuple[int, int, int]:
    offset = ord(syllable) - SYLLABLE_FIRST
    return (
        offset // (VOWEL_COUNT * FINAL_COUNT),
        (offset // FINAL_COUNT) % VOWEL_COUNT,
        offset % FINAL_COUNT,
    )


def letters(table: tuple[str, ...], index: int) -> str:
    return "" if table[index] == "-" else table[index]


def rr(syllable: str) -> str:
    initial, vowel, final = parts(syllable)
    return letters(RR_INITIAL, initial) + RR_VOWEL[vowel] + letters(FINAL, final)


def mr(syllable: str, *, breves: bool = True, apostrophes: bool = True) -> str:
    initial, vowel, final = parts(syllable)
    first = letters(MR_INITIAL, initial)
    if initial == S and vowel in SH_VOWELS:
        first = "sh"
    spelling = first + MR_VOWEL[vowel] + letters(FINAL, final)
    if not breves:
        spelling = "".join(
            c for c in unicodedata.normalize("NFD", spelling) if c != "\u0306"
        )
    if not apostrophes:
        spelling = spelling.replace("'", "")
    return spelling


def mr_spellings(syllable: str) -> list[str]:
    return [
        mr(syllable, breves=breves, apostrophes=apostrophes)
        for breves in (True, False)
        for apostrophes in (True, False)
    ]


syllables = st.integers(0, 11_171).map(lambda offset: chr(SYLLABLE_FIRST + offset))
words = st.text(syllables, min_size=2, max_size=5)


@given(syllables)
def test_every_syllable_is_found_by_its_rr_and_mr_spellings(syllable):
    """Each syllable's Revised Romanization and McCune–Reischauer spellings, with and
    without breves and apostrophes, fold to one of the syllable's roman keys."""
    keys = roman_index_keys(syllable)

    for spelling in [rr(syllable), *mr_spellings(syllable)]:
        assert roman_key(spelling) in keys, (syllable, spelling, keys)


@given(words)
def test_a_word_spelt_syllable_by_syllable_in_either_system_meets_its_index_key(word):
    """A word spelt syllable by syllable in RR, or in MR with or without its marks, folds to
    the same roman key, and that key is the word's letter-by-letter index key."""
    rr_key = roman_key("".join(rr(syllable) for syllable in word))

    for breves in (True, False):
        for apostrophes in (True, False):
            spelling = "".join(
                mr(syllable, breves=breves, apostrophes=apostrophes)
                for syllable in word
            )
            assert roman_key(spelling) == rr_key, (word, spelling)
    assert roman_key(romanize_letters(word)) == rr_key
    assert rr_key in roman_index_keys(word)


@given(st.text(max_size=40))
def test_a_roman_key_is_made_of_lower_case_letters_and_digits(text):
    key = roman_key(text)

    assert key == key.lower()
    assert all(c.isascii() and c.isalnum() for c in key), key


# Spellings in common use, as printed on menus, maps and in dictionaries.
KNOWN_SPELLINGS = [
    ("냉면", ["naengmyeon", "naengmyŏn", "naengmyon", "raengmyŏn", "raengmyon"]),
    (
        "평양랭면",
        ["pyongyang naengmyon", "P'yŏngyang raengmyŏn", "pyeongyangnaengmyeon"],
    ),
    ("김치", ["gimchi", "kimchi", "kimch'i"]),
    ("두부", ["dubu", "tubu"]),
    ("불고기", ["bulgogi", "pulgogi"]),
    ("비빔밥", ["bibimbap", "pibimbap"]),
    ("떡볶이", ["tteokbokki", "ttŏkpokki", "ttokpokki"]),
    ("막걸리", ["makgeolli", "makkŏlli", "makkolli"]),
    ("된장", ["doenjang", "toenjang"]),
    ("옥류관", ["Okryu-gwan", "okryugwan", "Ongnyugwan", "ongnyu"]),
    ("대동강", ["Taedonggang", "daedonggang", "Taedong"]),
    ("신라", ["silla", "shilla", "sinra"]),
    ("종로", ["jongno", "chongno", "jongro"]),
    ("국물", ["gukmul", "gungmul", "kungmul"]),
    ("같이", ["gachi", "kach'i", "gati"]),
    ("천리마", ["Chollima", "cheollima", "ch'ŏllima"]),
]


@pytest.mark.parametrize(
    ("name", "spelling"),
    [(name, spelling) for name, spellings in KNOWN_SPELLINGS for spelling in spellings],
)
def test_names_are_found_by_their_spellings_in_common_use(name, spelling):
    keys = roman_index_keys(name)

    assert any(
        all(roman_key(word) in key for word in spelling.split()) for key in keys
    ), (spelling, keys)


@pytest.mark.parametrize(
    ("name", "pronounced"),
    [
        ("옥류관", "ongnyugwan"),
        ("신라", "silla"),
        ("종로", "jongno"),
        ("국물", "gungmul"),
        ("같이", "gachi"),
        ("좋다", "jota"),
        ("닭이", "dalgi"),
        ("설날", "seollal"),
        ("축하", "chuka"),
        ("입학", "ipak"),
        ("놓는", "nonneun"),
        ("막걸리", "makgeolli"),
        ("평양 랭면", "pyeongyangraengmyeon"),
    ],
)
def test_the_pronounced_romanization_follows_the_sound_changes(name, pronounced):
    assert romanize_pronounced(name) == pronounced


def test_the_letter_by_letter_romanization_keeps_each_syllable_as_written():
    assert romanize_letters("옥류관") == "okryugwan"
    assert romanize_letters("같이 1kg") == "gati1kg"


@pytest.mark.parametrize(
    "spelling", ["naengmyeon", "naengmyŏn", "naengmyon", "raengmyon", "NAENG-MYON"]
)
def test_the_spellings_of_cold_noodles_share_one_key(spelling):
    assert roman_key(spelling) == "naenkmyon"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("naengmyŏn", True),
        ("Kimch'i", True),
        ("tv", True),
        ("냉면", False),
        ("ㄴㅁ", False),
        ("naeng면", False),
        ("1000", False),
        ("'-", False),
    ],
)
def test_a_latin_query_has_latin_letters_and_no_hangul(word, expected):
    assert is_latin_query(word) is expected


def test_a_name_without_hangul_has_no_roman_keys():
    assert roman_index_keys("Coca 2L") == ()
