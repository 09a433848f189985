"""Users and authentication: sign-in through pluggable backends, tokens, devices, 2FA, API keys, roles,
and the guard that checks every non-public route."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from core.scope import IntegrationScope
from integrations.auth.guard import AuthGuard
from integrations.auth.ratelimit import Limits
from integrations.auth.routes_session import SessionRoutes
from integrations.auth.routes_users import UserRoutes
from integrations.auth.schema import MIGRATIONS
from integrations.auth.secrets import load_or_create_key
from integrations.auth.service import AuthService
from plugin_sdk import hookimpl

DOMAIN = "auth"
# The integrations API refuses to disable an integration that guards routes: requests would fail closed.
GUARDS_ROUTES = True

CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional("backends", default=["auth_local"]): vol.All([str], vol.Length(min=1)),
        vol.Optional("default_role", default="user"): str,
        vol.Optional("issuer", default="Marquee"): str,
        vol.Optional("access_token_minutes", default=15): vol.All(vol.Coerce(float), vol.Range(min=0.05, max=1440)),
        vol.Optional("refresh_token_days", default=7): vol.All(vol.Coerce(float), vol.Range(min=0.01, max=365)),
        vol.Optional("argon2", default={}): {
            # OWASP's Argon2id setting: ≈50-70 ms of CPU per sign-in here (scripts/bench/auth.py measured
            # t=3/64 MiB at ≈210 ms, too slow for a login).
            vol.Optional("time_cost", default=1): vol.All(int, vol.Range(min=1, max=20)),
            vol.Optional("memory_kib", default=47104): vol.All(int, vol.Range(min=8192, max=4 << 20)),
            vol.Optional("parallelism", default=1): vol.All(int, vol.Range(min=1, max=16)),
        },
        vol.Optional("login_limits", default={}): {
            vol.Optional("max_attempts", default=5): vol.All(int, vol.Range(min=1)),
            vol.Optional("ip_max_attempts", default=20): vol.All(int, vol.Range(min=1)),
            vol.Optional("window_seconds", default=900): vol.All(vol.Coerce(float), vol.Range(min=1)),
            vol.Optional("lockout_seconds", default=60): vol.All(vol.Coerce(float), vol.Range(min=0)),
            vol.Optional("max_lockout_seconds", default=900): vol.All(vol.Coerce(float), vol.Range(min=0)),
        },
    }
)


@hookimpl
def cli_commands() -> list[Any]:
    from integrations.auth.cli import USER_COMMAND

    return [USER_COMMAND]


def get_service(hub: Any) -> AuthService | None:
    """The running auth service, for sibling integrations (auth_local, the Jellyfin surface)."""
    root = getattr(hub, "root", hub)
    return root.__dict__.get(DOMAIN)


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    await hub.db.migrate(DOMAIN, MIGRATIONS)
    key = load_or_create_key(hub.data_dir / "signing.key")
    service = AuthService(hub, {**config, "limits": Limits(**config["login_limits"])}, key)
    hub.root.__dict__[DOMAIN] = service
    hub.on_unload(lambda: hub.root.__dict__.pop(DOMAIN, None))
    hub.http.install_guard(AuthGuard(service))
    hub.create_task(hub.run_in_executor(service.passwords.warm), name="auth-warm-dummy-hash")
    SessionRoutes(hub, service).register()
    UserRoutes(hub, service).register()
    return True
