"""Template filters of Korean grammar: particles that follow the word before them.

``{{ merchant.name|particle:"은" }}`` → ``옥류관은`` (or ``두부는``); ``{{ sentence|particles }}``
resolves the paired markers (``은(는)``, ``(으)로``) of a translated sentence, for example one
built with ``{% blocktranslate asvar sentence %}``.
"""

from django import template

from okryu.core.particles import resolve_particles, with_particle

register = template.Library()


@register.filter(name="particle", is_safe=True)
def particle_filter(word: object, particle: str) -> str:
    """Render ``word`` followed by the form of ``particle`` that fits its last sound."""
    return with_particle(str(word), particle)


@register.filter(name="particles", is_safe=True)
def particles_filter(text: object) -> str:
    """Render ``text`` with every paired particle marker resolved."""
    return resolve_particles(str(text))
