"""JSON responses (orjson) and the one error shape every route uses."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


class FastJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def error_response(
    status: int,
    message: str,
    *,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> FastJSONResponse:
    body: dict[str, Any] = {"status": status, "message": message}
    if request_id:
        body["request_id"] = request_id
    body.update(extra)
    return FastJSONResponse({"error": body}, status_code=status, headers=headers)
