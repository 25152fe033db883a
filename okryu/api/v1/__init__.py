"""Version 1 of the JSON API: the contract of shared/API.md."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Okryu API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
