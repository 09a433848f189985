"""The integrations API: list them with state and setup time; reload, enable, disable; runtime settings."""

from __future__ import annotations

from typing import Any

import orjson
import voluptuous as vol
from starlette.requests import Request
from starlette.responses import Response

from core.config.validation import validate_section
from core.config.yaml_loader import ConfigFileError
from core.responses import FastJSONResponse, error_response
from core.scope import IntegrationScope
from core.setup import IntegrationManager, Record

DOMAIN = "integrations"
ACTIONS = ("reload", "enable", "disable")


async def async_setup(hub: IntegrationScope, config: dict) -> bool:
    manager = hub.root.integrations

    async def list_all(request: Request) -> Response:
        return FastJSONResponse([record.as_dict() for _, record in sorted(manager.records.items())])

    async def show(request: Request) -> Response:
        record = _record(manager, request)
        if record is None:
            return _unknown(request)
        return FastJSONResponse(record.as_dict())

    async def act(request: Request) -> Response:
        domain, action = request.path_params["domain"], request.path_params["action"]
        if action not in ACTIONS:
            return error_response(404, f"Unknown action '{action}'; use one of: {', '.join(ACTIONS)}")
        if action == "disable" and (domain == DOMAIN or _is_last_auth(manager, domain)):
            return error_response(409, f"'{domain}' can't be disabled: the server would lose its admin API or login")
        if _record(manager, request) is None:
            return _unknown(request)
        try:
            record = await getattr(manager, action)(domain)
        except ConfigFileError as err:
            return error_response(400, f"configuration.yaml can't be read, nothing was changed: {err}")
        return FastJSONResponse(record.as_dict())

    async def get_settings(request: Request) -> Response:
        record = _record(manager, request)
        if record is None:
            return _unknown(request)
        return FastJSONResponse(await hub.entries.all(record.integration.domain))

    async def put_settings(request: Request) -> Response:
        record = _record(manager, request)
        if record is None:
            return _unknown(request)
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError as err:
            return error_response(400, f"Body is not valid JSON: {err}")
        if not isinstance(body, dict):
            return error_response(400, "Body must be a JSON object of settings")
        values, problems = _validate_settings(record, body)
        if problems:
            return error_response(400, "Invalid settings", problems=problems)
        await hub.entries.replace(record.integration.domain, values)
        await hub.root.bus.drain()  # answer once listeners have applied the change
        return FastJSONResponse(values)

    admin = {"permission": "manage_server"}
    hub.http.register_route("/api/v1/integrations", list_all, methods=["GET"], **admin)
    hub.http.register_route("/api/v1/integrations/{domain}", show, methods=["GET"], **admin)
    hub.http.register_route("/api/v1/integrations/{domain}/settings", get_settings, methods=["GET"], **admin)
    hub.http.register_route("/api/v1/integrations/{domain}/settings", put_settings, methods=["PUT"], **admin)
    hub.http.register_route("/api/v1/integrations/{domain}/{action}", act, methods=["POST"], **admin)
    return True


def _is_last_auth(manager: IntegrationManager, domain: str) -> bool:
    """Disabling the integration that guards every route would lock everyone out (requests fail closed)."""
    record = manager.records.get(domain)
    return bool(record and record.module and getattr(record.module, "GUARDS_ROUTES", False))


def _record(manager: IntegrationManager, request: Request) -> Record | None:
    return manager.records.get(request.path_params["domain"])


def _unknown(request: Request) -> Response:
    return error_response(404, f"No integration '{request.path_params['domain']}'")


def _validate_settings(record: Record, body: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Use the integration's SETTINGS_SCHEMA; an integration without one takes no runtime settings."""
    schema = getattr(record.module, "SETTINGS_SCHEMA", None)
    if schema is None:
        return {}, [f"Integration '{record.integration.domain}' has no runtime settings (or is not loaded)"]
    value, issues = validate_section(vol.Schema(schema), body, domain=record.integration.domain, root=body, prefix=[])
    return value or {}, [issue.message for issue in issues]
