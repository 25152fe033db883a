"""Values every storefront template needs."""

from django.http import HttpRequest


def storefront(request: HttpRequest) -> dict[str, object]:
    """Return the active language so templates can pick ``name`` or ``name_en``."""
    language = getattr(request, "LANGUAGE_CODE", "ko")
    return {"is_english": language == "en", "language": language}
