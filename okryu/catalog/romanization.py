"""Pure rules of romanized search: Korean names as people spell them in Latin letters.

People write 냉면 as naengmyeon (Revised Romanization), naengmyŏn (McCune–Reischauer),
naengmyon (either, without the breve) or raengmyon (the North's 랭면); 김치 as gimchi or
kimchi or kimch'i; 옥류관 as Okryu-gwan (letter by letter) or Ongnyugwan (as it is said).
No dictionary can turn every such spelling back into Hangul, but every one of them is a
spelling of how the name sounds. So both sides are brought to one *roman key*:

- the index romanizes each Korean name twice with the Revised Romanization: letter by letter
  (옥류관 → okryugwan) and as pronounced, with the sound changes between syllables (옥류관
  [옹뉴관] → ongnyugwan); ``roman_index_keys`` gives both keys;
- ``roman_key`` folds any Latin spelling, the index's and the shopper's alike, so that the
  systems' differences vanish: breves, apostrophes, hyphens and spaces go; ŏ/eo → o,
  ŭ/eu → u (any e before o or u goes); voiced and voiceless (g/k, d/t, b/p, j/ch) and
  r/l meet; doubled letters are one (tteok, ttŏk); and the initial-sound law is applied to
  the letters (l before i or y falls silent, before another vowel becomes n; n before i or
  y falls silent), so the North's raengmyon and the South's naengmyeon meet as 랭면 and
  냉면 do in ``korean.search_key``.

A query matches when its roman key is inside a name's roman key, like the Hangul search keys.
The folding costs a few harmless extra matches (달 and 탈 share a key); the ranking puts
exact names first. No Django here: tested with every syllable and generated words.
"""

import itertools
import re
import unicodedata
from dataclasses import dataclass

SYLLABLE_FIRST = 0xAC00
SYLLABLE_LAST = 0xD7A3
VOWEL_COUNT = 21
FINAL_COUNT = 28

INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")

# The Revised Romanization of each letter (a syllable's first consonant; its vowel).
# fmt: off
RR_INITIALS = dict(zip(INITIALS, (
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t",
    "p", "h",
), strict=True))
RR_VOWELS = dict(zip(VOWELS, (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo",
    "we", "wi", "yu", "eu", "ui", "i",
), strict=True))
# fmt: on
# Every final consonant is said as one of seven sounds.
_K, _N, _T, _L, _M, _P, _NG = "ㄱ", "ㄴ", "ㄷ", "ㄹ", "ㅁ", "ㅂ", "ㅇ"
FINAL_SOUNDS = {
    "ㄱ": _K, "ㄲ": _K, "ㅋ": _K, "ㄳ": _K, "ㄺ": _K,
    "ㄴ": _N, "ㄵ": _N, "ㄶ": _N,
    "ㄷ": _T, "ㅅ": _T, "ㅆ": _T, "ㅈ": _T, "ㅊ": _T, "ㅌ": _T, "ㅎ": _T,
    "ㄹ": _L, "ㄼ": _L, "ㄽ": _L, "ㄾ": _L, "ㅀ": _L,
    "ㅁ": _M, "ㄻ": _M,
    "ㅂ": _P, "ㅍ": _P, "ㄿ": _P, "ㅄ": _P,
    "ㅇ": _NG,
}  # fmt: skip
RR_FINAL_SOUNDS = {_K: "k", _N: "n", _T: "t", _L: "l", _M: "m", _P: "p", _NG: "ng"}
# A double final before a vowel: the first letter stays, the second starts the next syllable.
_CLUSTERS = {
    "ㄳ": ("ㄱ", "ㅅ"), "ㄵ": ("ㄴ", "ㅈ"), "ㄶ": ("ㄴ", "ㅎ"), "ㄺ": ("ㄹ", "ㄱ"),
    "ㄻ": ("ㄹ", "ㅁ"), "ㄼ": ("ㄹ", "ㅂ"), "ㄽ": ("ㄹ", "ㅅ"), "ㄾ": ("ㄹ", "ㅌ"),
    "ㄿ": ("ㄹ", "ㅍ"), "ㅀ": ("ㄹ", "ㅎ"), "ㅄ": ("ㅂ", "ㅅ"),
}  # fmt: skip
_ASPIRATED = {"ㄱ": "ㅋ", "ㄷ": "ㅌ", "ㅂ": "ㅍ", "ㅈ": "ㅊ"}
_NASAL_OF = {_K: _NG, _T: _N, _P: _M}
_SILENT = "ㅇ"
_VOWEL_I = "ㅣ"

# Marks that spellings add or drop at will: apostrophes of aspiration and of syllable
# division, hyphens, and every other non-letter.
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
# Longest first: each replaces a spelling difference between the systems by one form.
_FOLDS = (
    ("ch", "c"),  # MR ㅈ and ㅊ, RR ㅊ (MR ㅉ tch: see _T_BEFORE_C)
    ("sh", "s"),  # MR ㅅ before i (shi)
    ("j", "c"),
    ("g", "k"),
    ("d", "t"),
    ("b", "p"),
    ("r", "l"),
)
_T_BEFORE_C = re.compile("t+c")
_E_BEFORE_O_OR_U = re.compile("e+(?=[ou])")
_GLIDE_OR_I = frozenset("iy")
_VOWEL_LETTERS = frozenset("aeiouwy")


@dataclass
class _Syllable:
    """One syllable while its sounds change (mutable, private)."""

    initial: str
    vowel: str
    final: str


def _split(character: str) -> _Syllable:
    offset = ord(character) - SYLLABLE_FIRST
    return _Syllable(
        initial=INITIALS[offset // (VOWEL_COUNT * FINAL_COUNT)],
        vowel=VOWELS[(offset // FINAL_COUNT) % VOWEL_COUNT],
        final=FINALS[offset % FINAL_COUNT],
    )


def _is_syllable(character: str) -> bool:
    return SYLLABLE_FIRST <= ord(character) <= SYLLABLE_LAST


def _words(text: str) -> list[str]:
    """The runs of Hangul syllables of ``text`` and its other letters and digits, in order."""
    words: list[str] = []
    current = ""
    for character in unicodedata.normalize("NFC", text):
        if _is_syllable(character):
            if current and not _is_syllable(current[-1]):
                words.append(current)
                current = ""
            current += character
        elif character.isalnum():
            if current and _is_syllable(current[-1]):
                words.append(current)
                current = ""
            current += character
        elif current:
            words.append(current)
            current = ""
    if current:
        words.append(current)
    return words


def _romanize_syllables(syllables: list[_Syllable]) -> str:
    letters = []
    previous_final = ""
    for syllable in syllables:
        # ㄹ after ㄹ is written l (silla, makgeolli); elsewhere a first ㄹ is r.
        if syllable.initial == "ㄹ" and FINAL_SOUNDS.get(previous_final) == _L:
            letters.append("l")
        else:
            letters.append(RR_INITIALS[syllable.initial])
        letters.append(RR_VOWELS[syllable.vowel])
        if syllable.final:
            letters.append(RR_FINAL_SOUNDS[FINAL_SOUNDS[syllable.final]])
        previous_final = syllable.final
    return "".join(letters)


def romanize_letters(text: str) -> str:
    """Return ``text``'s Hangul letter by letter in the Revised Romanization: 옥류관 →
    okryugwan. Each final is its own sound (밖 → bak); other letters and digits are kept,
    other characters dropped."""
    return "".join(
        _romanize_syllables([_split(c) for c in word])
        if _is_syllable(word[0])
        else word
        for word in _words(text)
    )


def romanize_pronounced(text: str) -> str:
    """Return ``text``'s Hangul as pronounced, in the Revised Romanization: 옥류관 →
    ongnyugwan, 신라 → silla, 같이 → gachi, 좋다 → jota, 국물 → gungmul.

    The standard sound changes between the syllables of one word: a final carried over to
    a following vowel, ㅎ aspirating its neighbour, a final nasal before ㄴ and ㅁ, and ㄹ
    turning into ㄴ (or ㄴ into ㄹ) beside another consonant. Words (runs of Hangul) are
    said apart; tensing is not written, as the Revised Romanization does not write it.
    """
    spoken = []
    for word in _words(text):
        if not _is_syllable(word[0]):
            spoken.append(word)
            continue
        syllables = [_split(character) for character in word]
        for before, after in itertools.pairwise(syllables):
            _join_sounds(before, after)
        spoken.append(_romanize_syllables(syllables))
    return "".join(spoken)


def _join_sounds(before: _Syllable, after: _Syllable) -> None:
    """Change the final of ``before`` and the first consonant of ``after`` as they are said
    together (mutates both)."""
    if not before.final:
        return
    if after.initial == _SILENT:
        _carry_over(before, after)
        return
    if after.initial == "ㅎ" or before.final in ("ㅎ", "ㄶ", "ㅀ"):
        _aspirate(before, after)
    if before.final in _CLUSTERS:
        before.final = FINAL_SOUNDS[before.final]
    sound = FINAL_SOUNDS.get(before.final, "")
    if after.initial == "ㄹ":
        if sound == _N:
            before.final = _L
        elif sound != _L:
            after.initial = "ㄴ"
    elif after.initial == "ㄴ" and sound == _L:
        after.initial = "ㄹ"
    sound = FINAL_SOUNDS.get(before.final, "")
    if after.initial in ("ㄴ", "ㅁ") and sound in _NASAL_OF:
        before.final = _NASAL_OF[sound]


def _carry_over(before: _Syllable, after: _Syllable) -> None:
    """A final before a vowel starts the next syllable (먹어 → 머거, 닭이 → 달기); ㅎ falls
    silent (좋아 → 조아); ㄷ and ㅌ before 이 become ㅈ and ㅊ (같이 → 가치)."""
    final = before.final
    if final == _NG:
        return
    if final == "ㅎ":
        before.final = ""
        return
    if final in ("ㄶ", "ㅀ"):
        before.final, after.initial = "", _CLUSTERS[final][0]
        return
    if final in _CLUSTERS:
        before.final, after.initial = _CLUSTERS[final]
        return
    if final in ("ㄷ", "ㅌ") and after.vowel == _VOWEL_I:
        final = "ㅈ" if final == "ㄷ" else "ㅊ"
    before.final, after.initial = "", final


def _aspirate(before: _Syllable, after: _Syllable) -> None:
    """ㅎ and a plain consonant meet as one aspirated sound: 좋다 → 조타, 축하 → 추카."""
    final = before.final
    if after.initial == "ㅎ":
        kept, merged = _CLUSTERS.get(final, ("", final))
        sound = FINAL_SOUNDS.get(merged, "")
        if sound in (_K, _P) or merged in ("ㄷ", "ㅅ", "ㅈ", "ㅊ", "ㅌ"):
            plain = {_K: "ㄱ", _P: "ㅂ"}.get(sound, "ㅈ" if merged in "ㅈㅊ" else "ㄷ")
            before.final, after.initial = kept, _ASPIRATED[plain]
        return
    kept = {"ㅎ": "", "ㄶ": "ㄴ", "ㅀ": "ㄹ"}[final]
    if after.initial in _ASPIRATED:
        before.final, after.initial = kept, _ASPIRATED[after.initial]
    elif after.initial == "ㅅ":
        before.final, after.initial = kept, "ㅆ"
    elif after.initial == "ㄴ":
        before.final = kept or "ㄴ"


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    return "".join(character for character in decomposed if character in _LETTERS)


def _fold_spellings(letters: str) -> str:
    folded = []
    index = 0
    while index < len(letters):
        for spelling, fold in _FOLDS:
            if letters.startswith(spelling, index):
                folded.append(fold)
                index += len(spelling)
                break
        else:
            folded.append(letters[index])
            index += 1
    return "".join(folded)


def _drop_t_before_c(letters: str) -> str:
    """t before c is not heard apart from it: MR writes ㅉ tch (RR jj) and a final t before
    ㅈ as tch too (RR tj)."""
    return _T_BEFORE_C.sub("c", letters)


def _drop_e_before_o_or_u(letters: str) -> str:
    """RR writes ㅓ eo and ㅡ eu where MR writes ŏ and ŭ (o and u without the breve): every
    e before o or u goes, also an e of the vowel before (ㅔ+ㅓ: RR eeo, MR eŏ)."""
    return _E_BEFORE_O_OR_U.sub("", letters)


def _collapse_doubles(letters: str) -> str:
    return "".join(
        letter
        for index, letter in enumerate(letters)
        if index == 0 or letters[index - 1] != letter
    )


def _initial_sound_law(letters: str) -> str:
    kept = []
    for index, letter in enumerate(letters):
        following = letters[index + 1] if index + 1 < len(letters) else ""
        if letter in "ln" and following in _GLIDE_OR_I:
            continue
        if letter == "l" and following in _VOWEL_LETTERS:
            kept.append("n")
        else:
            kept.append(letter)
    return "".join(kept)


def roman_key(text: str) -> str:
    """Return the roman key of a Latin spelling: naengmyŏn, naengmyeon, Raengmyon and
    NAENG-MYON all give ``naenkmyon``; kimch'i and gimchi give ``kimci``.

    Letters and digits only; empty when ``text`` has none.
    """
    letters = _strip_marks(text)
    folded = _drop_e_before_o_or_u(_drop_t_before_c(_fold_spellings(letters)))
    return _initial_sound_law(_collapse_doubles(folded))


def roman_index_keys(name: str) -> tuple[str, ...]:
    """Return the roman keys a Korean ``name`` is found by: letter by letter, then as said
    (one key when both are the same); none for a name without Hangul."""
    if not any(_is_syllable(character) for character in name):
        return ()
    keys = dict.fromkeys(
        (
            roman_key(romanize_letters(name)),
            roman_key(romanize_pronounced(name)),
        )
    )
    return tuple(key for key in keys if key)


def _is_hangul(character: str) -> bool:
    return (
        _is_syllable(character)
        or "\u1100" <= character <= "\u11ff"  # conjoining jamo
        or "\u3131" <= character <= "\u318e"  # compatibility jamo
    )


def is_latin_query(word: str) -> bool:
    """Whether a query word is written in Latin letters, so it may be romanized Korean: it
    has a Latin letter (after breves and such are taken off) and no Hangul."""
    return any(letter.isalpha() for letter in _strip_marks(word)) and not any(
        _is_hangul(character) for character in word
    )
