"""The pure rules of Korean search: spellings, initial consonants, search keys, query parsing."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okryu.catalog.korean import (
    NO_FINAL,
    SEARCH_TERMS_MAX,
    SearchField,
    TermKey,
    initial_consonants,
    initials_key,
    is_initials_query,
    normalize_spelling,
    parse_search_query,
    search_columns,
    search_key,
)


def text(key: str) -> TermKey:
    return TermKey(SearchField.TEXT, key)


hangul_syllables = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
hangul_words = st.text(hangul_syllables, min_size=1, max_size=8)
names = st.text(st.one_of(hangul_syllables, st.characters(codec="utf-8")), max_size=30)

SPELLING_PAIRS = [
    pytest.param("랭면", "냉면", id="cold-noodles"),
    pytest.param("로동", "노동", id="labour"),
    pytest.param("료리", "요이", id="cooking"),
    pytest.param("녀자", "여자", id="woman"),
    pytest.param("평양랭면", "평양냉면", id="compound"),
    pytest.param("례절", "예절", id="manners"),
]


@pytest.mark.parametrize(("north", "normalized"), SPELLING_PAIRS)
def test_the_initial_sound_law_turns_a_north_spelling_into_the_south_one(
    north, normalized
):
    assert normalize_spelling(north) == normalized


@pytest.mark.parametrize(
    ("north", "south"),
    [
        ("랭면", "냉면"),
        ("로동", "노동"),
        ("료리", "요리"),
        ("녀자", "여자"),
        ("평양랭면", "평양냉면"),
    ],
)
def test_north_and_south_spellings_share_one_search_key(north, south):
    assert search_key(north) == search_key(south)


def test_syllables_the_law_does_not_touch_are_kept():
    assert normalize_spelling("김치, 두부 and 쌀!") == "김치, 두부 and 쌀!"


def test_initial_consonants_are_taken_from_syllables_only():
    assert initial_consonants("평양 랭면 (1kg)") == "ㅍㅇㄹㅁ"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("ㄴㅁ", True, id="two-initials"),
        pytest.param(" ㄹ ㅁ ", True, id="with-spaces"),
        pytest.param("\u1102\u1106", True, id="conjoining-initials"),
        pytest.param("냉면", False, id="syllables"),
        pytest.param("ㄴㅁ면", False, id="mixed"),
        pytest.param("ㅏ", False, id="vowel"),
        pytest.param("ㄳ", False, id="final-cluster"),
        pytest.param("", False, id="empty"),
        pytest.param("  ", False, id="blank"),
    ],
)
def test_an_initials_query_is_made_of_initial_consonants_only(query, expected):
    assert is_initials_query(query) is expected


def test_every_syllable_of_a_key_is_three_letters_so_trigrams_can_index_it():
    assert len(search_key("차")) == 3
    assert len(search_key("냉면")) == 6
    assert search_key("차") == "\u110e\u1161" + NO_FINAL


def test_an_open_syllable_key_is_not_inside_a_closed_one():
    assert search_key("차") not in search_key("반찬")
    assert search_key("차") in search_key("녹차")


def test_latin_keys_are_lower_case_without_spaces_or_punctuation():
    assert search_key("Cold Noodles, 1 KG") == "coldnoodles1kg"
    assert search_key("ＣＯＬＤ") == "cold"


def test_the_initials_key_writes_each_consonant_three_times():
    assert initials_key("ㄴㅁ") == "ㄴㄴㄴㅁㅁㅁ"
    assert initials_key("\u1102") == "ㄴㄴㄴ"


def test_search_columns_hold_the_normalized_name_and_both_initials():
    columns = search_columns(name="평양랭면", name_en="Pyongyang Cold Noodles")

    assert columns.text == search_key("평양냉면") + " pyongyangcoldnoodles"
    assert columns.initials == initials_key("ㅍㅇㄹㅁ") + " " + initials_key("ㅍㅇㄴㅁ")
    assert columns.roman == "pyonkyanknaenkmyon"


def test_a_name_said_otherwise_than_written_has_both_roman_keys():
    assert search_columns(name="옥류관", name_en="").roman == "okyukwan onkyukwan"
    assert search_columns(name="Tofu", name_en="Tofu").roman == ""


def test_a_query_is_split_into_distinct_word_keys():
    parsed = parse_search_query("  평양 랭면  평양 ")

    assert parsed.terms == ((text(search_key("평양")),), (text(search_key("냉면")),))
    assert parsed.wholes == (text(search_key("평양냉면평양")),)
    assert parsed.is_initials is False


def test_an_initials_query_is_parsed_into_initials_keys():
    parsed = parse_search_query("ㄹㅁ")

    initials = TermKey(SearchField.INITIALS, initials_key("ㄹㅁ"))
    assert parsed.terms == ((initials,),)
    assert parsed.wholes == (initials,)
    assert parsed.is_initials is True


@pytest.mark.parametrize("query", ["", "   ", "!?%_", "\t\n"])
def test_a_query_without_letters_has_no_terms(query):
    assert parse_search_query(query).terms == ()


def test_words_past_the_maximum_are_ignored():
    words = [f"{number}{number}" for number in range(10, 10 + SEARCH_TERMS_MAX + 3)]

    parsed = parse_search_query(" ".join(words))

    assert parsed.terms == tuple((text(word),) for word in words[:SEARCH_TERMS_MAX])


def test_a_latin_word_is_looked_for_as_written_and_as_a_roman_key():
    parsed = parse_search_query("Naengmyŏn 랭면")

    assert parsed.terms == (
        (text("naengmyŏn"), TermKey(SearchField.ROMAN, "naenkmyon")),
        (text(search_key("냉면")),),
    )
    assert parsed.wholes == (text(search_key("naengmyŏn랭면")),)


def test_a_one_letter_latin_word_is_looked_for_as_written_only():
    assert parse_search_query("o").terms == ((text("o"),),)


@given(names)
def test_normalizing_twice_is_normalizing_once(text):
    """Normalization is idempotent: an already normalized (South) spelling is unchanged."""
    once = normalize_spelling(text)
    assert normalize_spelling(once) == once


@given(hangul_words)
def test_normalizing_keeps_the_syllable_count_and_leaves_no_rieul_initial(word):
    """The law changes only initial consonants: same length, no syllable starts with ㄹ."""
    normalized = normalize_spelling(word)

    assert len(normalized) == len(word)
    assert "ㄹ" not in initial_consonants(normalized)


@given(hangul_words)
def test_there_is_one_initial_per_syllable_and_three_key_letters(word):
    """Initials length equals the syllable count; a key has three letters per syllable."""
    assert len(initial_consonants(word)) == len(word)
    assert len(search_key(word)) == 3 * len(word)


@given(hangul_words, hangul_words, hangul_words)
def test_a_word_inside_a_name_is_inside_its_key_in_either_spelling(before, word, after):
    """Keys are made syllable by syllable, so a compound's key contains its parts' keys."""
    name_key = search_key(before + word + after)

    assert search_key(word) in name_key
    assert search_key(normalize_spelling(word)) in name_key


@given(
    st.text(st.sampled_from("ㄱㄴㄷㄹ"), min_size=1, max_size=4),
    st.text(st.sampled_from("ㄱㄴㄷㄹ"), max_size=12),
)
def test_initials_keys_match_exactly_when_the_initials_match(query, initials):
    """Substring of keys if and only if substring of initials (no out-of-step matches)."""
    assert (initials_key(query) in initials_key(initials)) == (query in initials)


@given(names)
def test_the_key_ignores_spelling(text):
    """A text and its normalized spelling have one key."""
    assert search_key(normalize_spelling(text)) == search_key(text)
