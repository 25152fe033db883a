"""Korean particles that follow the word before them: 옥류관은, 두부는, 서울로, 평양으로.

A Korean particle has two forms, chosen by the sound that ends the word before it: after a
final consonant 은, 이, 을, 과, 으로; after a vowel 는, 가, 를, 와, 로 (and 로 after a final ㄹ
as well: 서울로, 1L로). Writing "옥류관은(는)" hands the choice to the reader; Okryu chooses.

Two ways in, both pure:

- ``with_particle(word, "은")`` returns the word with the right form (``옥류관은``); the
  template filter ``particle`` is this function.
- ``resolve_particles(text)`` replaces every paired marker of a finished sentence
  (``은(는)``, ``이(가)``, ``을(를)``, ``과(와)``, ``(으)로``, …) with the form that fits the
  word just before it. Messages keep the marker in their gettext msgid
  (``"%(product)s은(는) 지금 팔지 않습니다."``), so a translator sees no particle glued to a
  name, and the English translation, having no marker, passes through unchanged.

The word's last sound: a Hangul syllable's final consonant; a number as read in Korean (1 일,
2 이, 10 십, 100 백, 10000 만); a unit after a number as read (kg 킬로그램, ml 밀리리터,
m 미터); a Latin letter as its name (L 엘, M 엠) or a Latin word by its last letter. Closing
brackets and quotes are looked through, also escaped in HTML: "두부 (대)는", "'옥류관'은".
"""

import re
from enum import Enum

SYLLABLE_FIRST = 0xAC00
SYLLABLE_LAST = 0xD7A3
FINAL_COUNT = 28
FINAL_RIEUL = 8  # ㄹ among the 27 final consonants (1-based, 0 is none)


class Ending(Enum):
    """How a word ends, as far as a particle cares."""

    VOWEL = "vowel"
    RIEUL = "rieul"
    CONSONANT = "consonant"


# (after a consonant, after a vowel, after ㄹ)
_FORMS: dict[str, tuple[str, str, str]] = {
    "은": ("은", "는", "은"),
    "이": ("이", "가", "이"),
    "을": ("을", "를", "을"),
    "과": ("과", "와", "과"),
    "으로": ("으로", "로", "로"),
    "이나": ("이나", "나", "이나"),
    "이라": ("이라", "라", "이라"),
    "이랑": ("이랑", "랑", "이랑"),
    "아": ("아", "야", "아"),
}
# Every way of writing a particle, to the key of its forms.
_SPELLINGS: dict[str, str] = {}
for _key, (_after_consonant, _after_vowel, _after_rieul) in _FORMS.items():
    for _spelling in (_key, _after_consonant, _after_vowel, _after_rieul):
        _SPELLINGS.setdefault(_spelling, _key)
    _SPELLINGS[f"{_after_consonant}/{_after_vowel}"] = _key
# The paired markers a sentence may carry. Only these spellings: a marker written vowel form
# first (가(이)나) could not be told from a word ending in that syllable (가) followed by
# another marker ((이)나).
_MARKER_KEYS = {
    "은(는)": "은",
    "이(가)": "이",
    "을(를)": "을",
    "과(와)": "과",
    "아(야)": "아",
    "(으)로": "으로",
    "(이)나": "이나",
    "(이)라": "이라",
    "(이)랑": "이랑",
}
_SPELLINGS.update(_MARKER_KEYS)
_MARKERS = sorted(_MARKER_KEYS, key=len, reverse=True)
_MARKER_PATTERN = re.compile("|".join(re.escape(marker) for marker in _MARKERS))

_LOOKED_THROUGH = frozenset(" \t)]}'\"’”»」』〉》")
# An escaped quote or bracket of rendered HTML (&#x27;, &quot;, &gt;) is looked through too.
_HTML_ENTITY_AT_END = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);$")

# How the digits read: 1 일, 2 이, 3 삼, 4 사, 5 오, 6 육, 7 칠, 8 팔, 9 구.
_DIGIT_ENDINGS = {
    "1": Ending.RIEUL,
    "2": Ending.VOWEL,
    "3": Ending.CONSONANT,
    "4": Ending.VOWEL,
    "5": Ending.VOWEL,
    "6": Ending.CONSONANT,
    "7": Ending.RIEUL,
    "8": Ending.RIEUL,
    "9": Ending.VOWEL,
}
# A number ending in zeros ends in its place word: 십 백 천 만 (to 천만), 억 (to 천억), 조.
_ZEROS_ENDINGS = (
    Ending.CONSONANT,  # 십
    Ending.CONSONANT,  # 백
    Ending.CONSONANT,  # 천
    Ending.CONSONANT,  # 만
    Ending.CONSONANT,  # 십만
    Ending.CONSONANT,  # 백만
    Ending.CONSONANT,  # 천만
    Ending.CONSONANT,  # 억
    Ending.CONSONANT,  # 십억
    Ending.CONSONANT,  # 백억
    Ending.CONSONANT,  # 천억
    Ending.VOWEL,  # 조
)
# Units written after a number, as they are read: kg 킬로그램, ml 밀리리터, km 킬로미터.
_UNIT_ENDINGS = {
    "g": Ending.CONSONANT,
    "kg": Ending.CONSONANT,
    "mg": Ending.CONSONANT,
    "l": Ending.VOWEL,
    "ℓ": Ending.VOWEL,
    "ml": Ending.VOWEL,
    "m": Ending.VOWEL,
    "mm": Ending.VOWEL,
    "cm": Ending.VOWEL,
    "km": Ending.VOWEL,
    "%": Ending.VOWEL,
}
_UNIT_PATTERN = re.compile(r"[0-9]\s?(kg|mg|ml|mm|cm|km|g|l|ℓ|m|%)$", re.IGNORECASE)
_NUMBER_PATTERN = re.compile(r"[0-9][0-9,]*$")
# Letter names: L 엘, M 엠, N 엔, R 알; every other letter's name ends in a vowel.
_LETTER_NAME_ENDINGS = {
    "l": Ending.RIEUL,
    "m": Ending.CONSONANT,
    "n": Ending.CONSONANT,
    "r": Ending.RIEUL,
}
# A Latin word's last letter as Korean borrows it: book 북, cat 캣, Kim 김, ball 볼; car 카,
# dog 도그, bus 버스 end in a vowel.
_WORD_LETTER_ENDINGS = {
    "b": Ending.CONSONANT,
    "k": Ending.CONSONANT,
    "m": Ending.CONSONANT,
    "n": Ending.CONSONANT,
    "p": Ending.CONSONANT,
    "t": Ending.CONSONANT,
    "l": Ending.RIEUL,
}


def _syllable_ending(character: str) -> Ending:
    final = (ord(character) - SYLLABLE_FIRST) % FINAL_COUNT
    if final == 0:
        return Ending.VOWEL
    if final == FINAL_RIEUL:
        return Ending.RIEUL
    return Ending.CONSONANT


def _number_ending(digits: str) -> Ending:
    digits = digits.replace(",", "")
    stripped = digits.rstrip("0")
    if not stripped:
        return Ending.CONSONANT  # 영
    zeros = len(digits) - len(stripped)
    if zeros == 0:
        return _DIGIT_ENDINGS[stripped[-1]]
    return _ZEROS_ENDINGS[min(zeros, len(_ZEROS_ENDINGS)) - 1]


def _latin_ending(text: str) -> Ending:
    word = re.search(r"[A-Za-z]+$", text)
    assert word is not None
    letters = word.group(0)
    if len(letters) == 1 or letters.isupper():
        return _LETTER_NAME_ENDINGS.get(letters[-1].lower(), Ending.VOWEL)
    if letters.lower().endswith("ng"):
        return Ending.CONSONANT
    return _WORD_LETTER_ENDINGS.get(letters[-1].lower(), Ending.VOWEL)


def word_ending(word: str) -> Ending:
    """Return how ``word`` ends when read aloud in Korean (see the module's docstring).

    A word ending in anything else (a symbol, nothing) counts as ending in a consonant.
    """
    text = word.rstrip()
    while text:
        entity = _HTML_ENTITY_AT_END.search(text)
        if entity is not None:
            text = text[: entity.start()]
        elif text[-1] in _LOOKED_THROUGH:
            text = text[:-1]
        else:
            break
    if not text:
        return Ending.CONSONANT
    last = text[-1]
    if SYLLABLE_FIRST <= ord(last) <= SYLLABLE_LAST:
        return _syllable_ending(last)
    unit = _UNIT_PATTERN.search(text)
    if unit is not None:
        return _UNIT_ENDINGS[unit.group(1).lower()]
    number = _NUMBER_PATTERN.search(text)
    if number is not None:
        return _number_ending(number.group(0))
    if last.isascii() and last.isalpha():
        return _latin_ending(text)
    return Ending.CONSONANT


def _form(key: str, ending: Ending) -> str:
    after_consonant, after_vowel, after_rieul = _FORMS[key]
    if ending is Ending.VOWEL:
        return after_vowel
    if ending is Ending.RIEUL:
        return after_rieul
    return after_consonant


def particle_for(word: str, particle: str) -> str:
    """Return the form of ``particle`` (any of its spellings: 은, 는, 은/는, (으)로) after
    ``word``. An unknown particle is a programming error."""
    assert particle in _SPELLINGS, f"unknown particle {particle!r}"
    return _form(_SPELLINGS[particle], word_ending(word))


def with_particle(word: str, particle: str) -> str:
    """Return ``word`` followed by the right form of ``particle``: 옥류관 + 은/는 → 옥류관은."""
    return word + particle_for(word, particle)


def resolve_particles(text: str) -> str:
    """Replace every paired particle marker of ``text`` by the form that fits the word before.

    ``"옥류관은(는) 문을 닫았습니다."`` → ``"옥류관은 문을 닫았습니다."``; ``"두부을(를)"`` →
    ``"두부를"``; a text without markers comes back unchanged (an English translation).
    """
    if "(" not in text:
        return text
    parts: list[str] = []
    done = 0
    for match in _MARKER_PATTERN.finditer(text):
        before = text[: match.start()]
        parts.append(text[done : match.start()])
        parts.append(_form(_SPELLINGS[match.group(0)], word_ending(before)))
        done = match.end()
    parts.append(text[done:])
    return "".join(parts)


def find_particle_marker(text: str) -> str | None:
    """Return the first paired particle marker left in ``text``, or None (for tests)."""
    found = _MARKER_PATTERN.search(text)
    return found.group(0) if found else None
