"""The one place every non-public route is checked: who is calling, and may they do this."""

from __future__ import annotations

import ipaddress

from starlette.requests import HTTPConnection
from starlette.responses import Response

from core.access import RouteAccess
from core.responses import error_response
from integrations.auth.credentials import client_ip, token_of
from integrations.auth.service import MEDIA_TOKEN_PREFIX, AuthService

READ_METHODS = ("GET", "HEAD", "OPTIONS")


# The home network: loopback, RFC 1918, link-local, IPv6 unique-local. (Python's `is_private` also counts
# documentation and other reserved ranges, which are not anybody's LAN.)
LOCAL_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
              "::1/128", "fc00::/7", "fe80::/10")
)  # fmt: skip


def is_local(address: str) -> bool:
    """The client address has already been corrected for trusted proxies by the core."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in LOCAL_NETWORKS)


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
        if not principal.can("remote_access") and not is_local(client_ip(connection)):
            return error_response(403, "This account may only be used from the local network")
        if access.permission and not principal.can(access.permission):
            return error_response(403, f"This requires the '{access.permission}' permission")
        connection.scope.setdefault("state", {})["principal"] = principal
        return None
