"""The template filters of Korean particles."""

import pytest
from django.template import Context, Template


def render(source: str, **values: object) -> str:
    return Template(source).render(Context(values))


@pytest.mark.parametrize(
    ("name", "expected"),
    [("옥류관", "옥류관은"), ("청류관 두부", "청류관 두부는"), ("서울", "서울은")],
)
def test_the_particle_filter_follows_the_final_consonant(name, expected):
    assert render('{{ name|particle:"은" }}', name=name) == expected


def test_the_particle_filter_writes_ro_after_rieul_and_euro_after_other_finals():
    assert render(
        '{{ a|particle:"(으)로" }} {{ b|particle:"(으)로" }}', a="서울", b="평양"
    ) == ("서울로 평양으로")


def test_the_particles_filter_resolves_a_translated_sentence_and_keeps_escaping():
    rendered = render(
        "{% load i18n %}{% blocktranslate asvar sentence %}"
        "{{ name }}은(는) 문을 닫았습니다.{% endblocktranslate %}"
        "{{ sentence|particles }}",
        name="<옥류관>",
    )

    assert rendered == "&lt;옥류관&gt;은 문을 닫았습니다."


def test_the_particles_filter_looks_through_escaped_quotes():
    rendered = render(
        "{% load i18n %}{% blocktranslate asvar sentence %}'{{ name }}'은(는) 다 팔렸습니다."
        "{% endblocktranslate %}{{ sentence|particles }}",
        name="두부",
    )

    assert rendered == "'두부'는 다 팔렸습니다."
