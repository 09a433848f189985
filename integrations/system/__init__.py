"""System information and health probes: /api/v1/system/info, /health/live, /health/ready."""

from __future__ import annotations

import platform

import voluptuous as vol
from starlette.requests import Request
from starlette.responses import Response

from core.hub import HubState
from core.responses import FastJSONResponse
from core.scope import IntegrationScope
from core.setup import State

DOMAIN = "system"
CONFIG_SCHEMA = vol.Schema({vol.Optional("readiness_timeout", default=2.0): vol.Coerce(float)})


async def async_setup(hub: IntegrationScope, config: dict) -> bool:
    timeout = config["readiness_timeout"]
    root = hub.root

    async def info(request: Request) -> Response:
        records = root.integrations.records.values()
        extensions = {
            r.owner: r.value for r in await hub.hooks.call_each("system_info", hub=hub) if r.value is not None
        }
        return FastJSONResponse(
            {
                "name": root.name,
                "version": root.version,
                "uptime_seconds": round(root.uptime(), 3),
                "startup_seconds": round(root.startup_seconds or 0.0, 4),
                "state": str(root.state),
                "python": platform.python_version(),
                "integrations": {
                    "total": len(root.integrations.records),
                    "loaded": sum(r.state is State.LOADED for r in records),
                    "failed": sum(r.state is State.FAILED for r in records),
                },
                "extensions": extensions,
            }
        )

    async def live(request: Request) -> Response:
        return FastJSONResponse({"status": "alive"})

    async def ready(request: Request) -> Response:
        reasons: list[str] = []
        if root.state is not HubState.RUNNING:
            reasons.append(f"hub is {root.state}")
        elif not await root.db.ping():
            reasons.append("database does not answer")
        else:
            reasons.extend(await _readiness_reasons(hub, timeout))
        if reasons:
            return FastJSONResponse({"status": "not ready", "reasons": reasons}, status_code=503)
        return FastJSONResponse({"status": "ready"})

    async def notifications(request: Request) -> Response:
        return FastJSONResponse(list(root.notifications))

    async def public_info(request: Request) -> Response:
        """What a login screen needs before anyone signs in; nothing more."""
        return FastJSONResponse({"name": root.name, "version": root.version, "ready": root.state is HubState.RUNNING})

    hub.http.register_route("/api/v1/system/info", info, methods=["GET"])
    hub.http.register_route("/api/v1/system/info/public", public_info, methods=["GET"], public=True)
    hub.http.register_route("/api/v1/system/notifications", notifications, methods=["GET"], permission="manage_server")
    hub.http.register_route("/health/live", live, methods=["GET"], public=True)
    hub.http.register_route("/health/ready", ready, methods=["GET"], public=True)
    return True


async def _readiness_reasons(hub: IntegrationScope, timeout: float) -> list[str]:
    reasons = []
    for result in await hub.hooks.call_each("readiness_check", timeout=timeout, hub=hub):
        if result.error is not None:
            reasons.append(f"{result.owner}: check failed: {type(result.error).__name__}: {result.error}")
        elif result.value:
            reasons.append(f"{result.owner}: {result.value}")
    return reasons
