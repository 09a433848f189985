"""Hook specifications: the typed contracts between integrations.

Every hookspec here must be documented in plugin_sdk/docs/hooks.md (tests/plugin_sdk/test_docs.py fails
otherwise). An implementation may be a plain function or `async def`; callers await results that are
awaitable. Later features add their hookspecs to this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plugin_sdk.markers import hookspec

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from core.scope import IntegrationScope


@hookspec
def system_info(hub: IntegrationScope) -> dict[str, Any] | None:
    """Extra keys for `GET /api/v1/system/info`, namespaced by the implementing integration."""


@hookspec
def readiness_check(hub: IntegrationScope) -> str | Awaitable[str | None] | None:
    """Return None when this integration is ready to serve, or a short reason why not.

    `GET /health/ready` answers 503 with the reasons while any implementation reports one.
    """


@hookspec
def notify(title: str, message: str, level: str, source: str | None) -> Awaitable[None] | None:
    """Deliver a notification (an integration that failed, a finished job) to people: mail, push, webhooks."""
