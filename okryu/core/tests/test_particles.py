"""Korean particles chosen by the sound that ends the word before them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okryu.core.errors import DomainError
from okryu.core.particles import (
    Ending,
    particle_for,
    resolve_particles,
    with_particle,
    word_ending,
)

SYLLABLE_FIRST = 0xAC00
FINAL_COUNT = 28
RIEUL = 8

syllables = st.integers(0, 11_171).map(lambda offset: chr(SYLLABLE_FIRST + offset))
words = st.text(syllables, min_size=1, max_size=6)
# (the marker, the form after a consonant, after a vowel, after ㄹ)
PAIRS = [
    ("은(는)", "은", "는", "은"),
    ("이(가)", "이", "가", "이"),
    ("을(를)", "을", "를", "을"),
    ("과(와)", "과", "와", "과"),
    ("(으)로", "으로", "로", "로"),
    ("(이)나", "이나", "나", "이나"),
]


def final_of(syllable: str) -> int:
    return (ord(syllable) - SYLLABLE_FIRST) % FINAL_COUNT


def expected_form(syllable: str, pair: tuple[str, str, str, str]) -> str:
    _marker, after_consonant, after_vowel, after_rieul = pair
    final = final_of(syllable)
    if final == 0:
        return after_vowel
    if final == RIEUL:
        return after_rieul
    return after_consonant


@given(words, st.sampled_from(PAIRS))
def test_every_syllable_takes_the_form_of_its_final_consonant(word, pair):
    """After a syllable with no final the vowel form, after ㄹ the ㄹ form (로, not 으로),
    after any other final the consonant form; the marker and every spelling agree."""
    marker, after_consonant, after_vowel, _after_rieul = pair
    expected = expected_form(word[-1], pair)

    assert particle_for(word, after_consonant) == expected
    assert particle_for(word, after_vowel) == expected
    assert with_particle(word, marker) == word + expected
    assert (
        resolve_particles(f"{word}{marker} 있습니다.") == f"{word}{expected} 있습니다."
    )


@given(st.lists(st.tuples(words, st.sampled_from(PAIRS)), min_size=1, max_size=5))
def test_no_marker_survives_in_a_sentence_of_many(parts):
    """A sentence of several words each followed by a marker comes out with none left,
    each word followed by its own form."""
    sentence = " ".join(word + pair[0] for word, pair in parts)

    resolved = resolve_particles(sentence)

    assert "(" not in resolved
    assert resolved == " ".join(
        word + expected_form(word[-1], pair) for word, pair in parts
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "옥류관은(는) 문을 닫았습니다.", "옥류관은 문을 닫았습니다.", id="consonant"
        ),
        pytest.param("두부은(는) 다 팔렸습니다.", "두부는 다 팔렸습니다.", id="vowel"),
        pytest.param("평양(으)로 갑니다.", "평양으로 갑니다.", id="euro"),
        pytest.param("서울(으)로 갑니다.", "서울로 갑니다.", id="rieul-ro"),
        pytest.param("바다(으)로 갑니다.", "바다로 갑니다.", id="vowel-ro"),
        pytest.param("주문 OK-1을(를) 받았습니다.", "주문 OK-1을 받았습니다.", id="il"),
        pytest.param("주문 OK-2을(를) 받았습니다.", "주문 OK-2를 받았습니다.", id="i"),
        pytest.param("배달 10을(를)", "배달 10을", id="sip"),
        pytest.param("'옥류관'은(는)", "'옥류관'은", id="quoted"),
        pytest.param("두부 (대)은(는)", "두부 (대)는", id="parenthesis"),
        pytest.param("콩기름 1L은(는)", "콩기름 1L는", id="litre"),
        pytest.param("쌀 2kg은(는)", "쌀 2kg은", id="kilogram"),
        pytest.param("3.8 km(으)로", "3.8 km로", id="kilometre"),
        pytest.param("Okryu은(는)", "Okryu는", id="latin-vowel"),
        pytest.param("TV은(는)", "TV는", id="letters"),
        pytest.param("Kim은(는)", "Kim은", id="latin-consonant"),
        pytest.param("Hello, world", "Hello, world", id="english"),
        pytest.param("(주)평양은(는)", "(주)평양은", id="brackets-before"),
    ],
)
def test_markers_resolve_by_the_word_before_them(text, expected):
    assert resolve_particles(text) == expected


@pytest.mark.parametrize(
    ("number", "ending"),
    [
        ("1", Ending.RIEUL),
        ("2", Ending.VOWEL),
        ("3", Ending.CONSONANT),
        ("4", Ending.VOWEL),
        ("5", Ending.VOWEL),
        ("6", Ending.CONSONANT),
        ("7", Ending.RIEUL),
        ("8", Ending.RIEUL),
        ("9", Ending.VOWEL),
        ("0", Ending.CONSONANT),
        ("10", Ending.CONSONANT),
        ("100", Ending.CONSONANT),
        ("3,836", Ending.CONSONANT),
        ("2,000", Ending.CONSONANT),
        ("10,000", Ending.CONSONANT),
        ("1,000,000,000,000", Ending.VOWEL),
    ],
)
def test_numbers_end_as_they_are_read_in_korean(number, ending):
    assert word_ending(number) is ending


def test_an_unknown_particle_is_a_programming_error():
    with pytest.raises(AssertionError):
        particle_for("두부", "의")


def test_a_domain_error_resolves_the_markers_of_its_detail():
    error = DomainError("두부은(는) 오늘 다 팔렸습니다.")

    assert error.detail == "두부는 오늘 다 팔렸습니다."
    assert str(error) == "두부는 오늘 다 팔렸습니다."
