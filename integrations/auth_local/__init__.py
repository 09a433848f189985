"""Local accounts: Argon2id password hashes in Marquee's own database (the default backend)."""

from __future__ import annotations

import asyncio
from typing import Any

from core.scope import IntegrationScope
from integrations.auth import get_service
from plugin_sdk import hookimpl
from plugin_sdk.auth import AuthenticationRejected, Identity

DOMAIN = "auth_local"
_HUB: list[IntegrationScope] = []


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    _HUB[:] = [hub]
    return True


async def async_unload(hub: IntegrationScope) -> bool:
    _HUB.clear()
    return True


@hookimpl
async def authenticate(username: str, password: str) -> Identity | None:
    service = get_service(_HUB[0]) if _HUB else None
    if service is None:
        return None
    user = await service.users.by_username(username)
    local = user is not None and user["provider"] == DOMAIN
    # Verify even for unknown users, so timing doesn't reveal which usernames exist.
    ok = await asyncio.to_thread(service.passwords.verify, user["password_hash"] if local else None, password)
    if not local:
        return None
    if not ok:
        raise AuthenticationRejected
    if service.passwords.needs_rehash(user["password_hash"]):
        hashed = await asyncio.to_thread(service.passwords.hash, password)
        await service.users.update(user["id"], password_hash=hashed)
    return Identity(username=user["username"], provider=DOMAIN, display_name=user["display_name"])
