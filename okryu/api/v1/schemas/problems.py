"""The problem+json body every error answers with, for the OpenAPI schema."""

from ninja import Schema
from pydantic import ConfigDict, Field


class Problem(Schema):
    """An error (RFC 9457, ``application/problem+json``); ``code`` is the stable machine word.

    Some problems add members: ``field`` (the input at fault) for ``invalid``,
    ``attempts_left`` for ``wrong_pin``, ``errors`` (every field at fault) for validation.
    """

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["urn:okryu:problem:not_found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["상품을 찾을 수 없습니다."])
    code: str = Field(examples=["not_found"])
