"""Identity types: what an authentication backend vouches for, and who a request acts as."""

from __future__ import annotations

from dataclasses import dataclass

PERMISSIONS = frozenset(
    {
        "manage_server",
        "manage_libraries",
        "manage_users",
        "delete_media",
        "download",
        "transcode",
        "remote_access",
        "edit_metadata",
    }
)


class AuthenticationRejected(Exception):
    """A backend knows this user and refuses the credentials (stop asking other backends)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """A successful authentication by a backend. `role` comes from e.g. an LDAP group mapping."""

    username: str
    provider: str  # the backend's domain: auth_local, auth_ldap, ...
    display_name: str | None = None
    email: str | None = None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts as, resolved once per request by the auth integration."""

    user_id: str
    username: str
    role: str
    permissions: frozenset[str]
    device_id: str | None = None  # the device row (None for API keys)
    credential: str = "access_token"  # access_token | session_token | api_key
    library_ids: frozenset[str] | None = None  # None: every library
    max_parental_rating: int | None = None  # None: no limit
    block_unrated: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def may_see_library(self, library_id: str) -> bool:
        return self.library_ids is None or library_id in self.library_ids


def principal_of(connection: object) -> Principal | None:
    """The Principal the auth guard attached to a request or WebSocket (None when none did)."""
    scope = getattr(connection, "scope", {})
    return scope.get("state", {}).get("principal")
