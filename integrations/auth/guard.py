"""The one place every non-public route is checked: who is calling, and may they do this."""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.responses import Response

from core.access import RouteAccess
from core.responses import error_response
from integrations.auth.credentials import token_of
from integrations.auth.service import MEDIA_TOKEN_PREFIX, AuthService

READ_METHODS = ("GET", "HEAD", "OPTIONS")


class AuthGuard:
    def __init__(self, service: AuthService) -> None:
        self.service = service

    async def __call__(self, connection: HTTPConnection, access: RouteAccess) -> Response | None:
        token = token_of(connection, allow_query=access.token_in_query)
        if token is None:
            return error_response(401, "Authentication required", headers={"WWW-Authenticate": "Bearer"})
        if token.startswith(MEDIA_TOKEN_PREFIX) and not access.token_in_query:
            return error_response(
                401, "Media tokens are only valid for media URLs", headers={"WWW-Authenticate": "Bearer"}
            )
        principal = await self.service.principal_for(token)
        if principal is None:
            return error_response(401, "Invalid or expired credentials", headers={"WWW-Authenticate": "Bearer"})
        method = connection.scope.get("method", "GET")
        if principal.credential == "api_key_read" and method not in READ_METHODS:
            return error_response(403, "This API key is read-only")
        if access.permission and not principal.can(access.permission):
            return error_response(403, f"This requires the '{access.permission}' permission")
        connection.scope.setdefault("state", {})["principal"] = principal
        return None
