"""Korean by default; English when the person chose it (a remembered cookie)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class LanguageMiddleware:
    """Activate the language chosen with the switch, or Korean.

    The browser's Accept-Language is ignored on purpose: Korean is the default of every page,
    and the English switch is an explicit, remembered choice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.known_languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(
            settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE
        )
        language = chosen if chosen in self.known_languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
