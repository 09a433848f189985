"""Typed request input: JSON bodies and query strings validated with voluptuous, or a 400 saying what's wrong.

Raise BadRequest / NotFound from any handler: the HTTP bus turns them into the standard JSON error.
"""

from __future__ import annotations

from typing import Any

import orjson
import voluptuous as vol
from starlette.requests import Request

from core.config.validation import validate_section


class BadRequest(Exception):
    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class NotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def nullable(validator: Any) -> Any:
    """None, or what `validator` accepts; its own error message is kept (vol.Any would hide it)."""

    def check(value: Any) -> Any:
        return None if value is None else validator(value)

    return check


def validate(schema: vol.Schema | Any, data: Any, what: str) -> Any:
    values, issues = validate_section(schema, data, domain=None, root=data, prefix=[])
    if issues:
        raise BadRequest(f"Invalid {what}", [issue.message.replace("for dictionary value ", "") for issue in issues])
    return values


def query_params(request: Request, schema: vol.Schema) -> dict[str, Any]:
    return validate(schema, dict(request.query_params), "query parameters")


async def json_body(request: Request, schema: vol.Schema | Any, what: str = "request body") -> Any:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError as err:
        raise BadRequest(f"Body is not valid JSON: {err}") from None
    if not isinstance(body, dict):
        raise BadRequest("Body must be a JSON object")
    return validate(schema, body, what)
