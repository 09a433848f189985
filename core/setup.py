"""Set up, unload and reload integrations. A failing integration is isolated; the server keeps running."""

from __future__ import annotations

import asyncio
import logging
import time
import types
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pluggy import PluginValidationError

from core.config.nodes import NodeDict
from core.config.validation import ConfigIssue, validate_section
from core.const import (
    CORE_VERSION,
    EVENT_INTEGRATION_FAILED,
    EVENT_INTEGRATION_LOADED,
    EVENT_INTEGRATION_UNLOADED,
)
from core.dependencies import dependents_of, resolve
from core.hooks import has_hookimpls
from core.loader import Integration
from core.scope import IntegrationScope

if TYPE_CHECKING:
    from core.hub import Hub

_LOGGER = logging.getLogger(__name__)


class State(StrEnum):
    NOT_LOADED = "not_loaded"
    LOADING = "loading"
    LOADED = "loaded"
    FAILED = "failed"
    DISABLED = "disabled"


@dataclass(slots=True)
class Record:
    """The runtime state of one integration."""

    integration: Integration
    state: State = State.NOT_LOADED
    reason: str | None = None
    setup_seconds: float | None = None
    scope: IntegrationScope | None = None
    module: types.ModuleType | None = None

    def as_dict(self) -> dict[str, Any]:
        manifest = self.integration.manifest
        return {
            "domain": self.integration.domain,
            "name": self.integration.name,
            "version": manifest.version if manifest else None,
            "kind": manifest.kind if manifest else None,
            "source": str(self.integration.source),
            "state": str(self.state),
            "reason": self.reason,
            "setup_seconds": round(self.setup_seconds, 4) if self.setup_seconds is not None else None,
            "dependencies": list(manifest.dependencies) if manifest else [],
            "documentation": manifest.documentation if manifest else None,
        }


def validate_integration_config(
    integration: Integration, module: types.ModuleType, root: NodeDict
) -> tuple[Any, list[ConfigIssue]]:
    """Validate the integration's YAML section with its CONFIG_SCHEMA (absent section = empty mapping)."""
    domain = integration.domain
    section = root.get(domain)
    if section is None:
        section = NodeDict()
    schema = getattr(module, "CONFIG_SCHEMA", None)
    if schema is None:
        return section, []
    docs = integration.manifest.documentation if integration.manifest else None
    return validate_section(schema, section, domain=domain, root=root, prefix=[domain], docs=docs)


def preflight(integration: Integration) -> str | None:
    """Reasons an integration can't load that need no import: bad manifest, incompatible core."""
    if integration.manifest is None:
        return integration.error or "invalid manifest"
    if not integration.manifest.supports_core(CORE_VERSION):
        return (
            f"requires core {integration.manifest.core}, but this is core {CORE_VERSION}; "
            f"update the integration or Marquee"
        )
    return None


class IntegrationManager:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.records: dict[str, Record] = {}
        self._setup_order: list[str] = []
        self._lock = asyncio.Lock()

    @property
    def integrations(self) -> dict[str, Integration]:
        return {domain: record.integration for domain, record in self.records.items()}

    def add(self, integration: Integration) -> None:
        if integration.domain not in self.records:
            self.records[integration.domain] = Record(integration)

    def loaded(self) -> list[str]:
        return [d for d in self._setup_order if self.records[d].state is State.LOADED]

    async def setup_all(self, wanted: set[str], disabled: set[str]) -> None:
        for domain in disabled & set(self.records):
            self.records[domain].state = State.DISABLED
        order, failures = resolve(wanted - disabled, self.integrations, disabled)
        for domain, reason in failures.items():
            if domain in self.records:
                self._fail(domain, reason)
        futures: dict[str, asyncio.Future[bool]] = {d: asyncio.get_running_loop().create_future() for d in order}

        async def setup_when_ready(domain: str) -> None:
            manifest = self.records[domain].integration.manifest
            assert manifest is not None
            soft = [d for d in manifest.after_dependencies if d in futures]
            hard = list(manifest.dependencies)
            await asyncio.gather(*(futures[d] for d in soft))
            results = await asyncio.gather(*(futures[d] for d in hard))
            broken = [d for d, ok in zip(hard, results, strict=True) if not ok]
            if broken:
                self._fail(domain, f"dependency '{broken[0]}' failed to set up")
                futures[domain].set_result(False)
                return
            futures[domain].set_result(await self._setup_one(domain))

        await asyncio.gather(*(setup_when_ready(d) for d in order))

    async def _setup_one(self, domain: str, *, fresh: bool = False) -> bool:
        record = self.records[domain]
        integration = record.integration
        reason = preflight(integration)
        if reason:
            return self._fail(domain, reason)
        record.state, record.reason = State.LOADING, None
        try:
            module = integration.import_module(fresh=fresh)
        except Exception as err:
            _LOGGER.exception("Import of integration '%s' failed", domain)
            return self._fail(domain, f"import failed: {type(err).__name__}: {err}")
        setup = getattr(module, "async_setup", None)
        if setup is None:
            return self._fail(domain, "the integration has no async_setup(hub, config)")
        config, issues = validate_integration_config(integration, module, self.hub.config.raw)
        if issues:
            return self._fail(domain, "; ".join(str(issue) for issue in issues))
        scope = IntegrationScope(self.hub, domain)
        core = self.hub.config.core
        warn = asyncio.get_running_loop().call_later(
            core["setup_warning"],
            _LOGGER.warning,
            "Setup of '%s' is taking over %g s",
            domain,
            core["setup_warning"],
        )
        started = time.perf_counter()
        reason = None
        try:
            result = await asyncio.wait_for(setup(scope, config), core["setup_timeout"])
            if result is not True:
                reason = f"async_setup returned {result!r} instead of True"
            elif has_hookimpls(module):
                scope.hooks.register(module)
        except TimeoutError:
            reason = f"setup timed out after {core['setup_timeout']:g} s"
        except PluginValidationError as err:
            reason = f"invalid hook implementation: {err}"
        except Exception as err:
            _LOGGER.exception("Setup of integration '%s' raised", domain)
            reason = f"setup failed: {type(err).__name__}: {err}"
        finally:
            warn.cancel()
        record.setup_seconds = time.perf_counter() - started
        if reason:
            await scope.close()
            return self._fail(domain, reason)
        record.state, record.scope, record.module = State.LOADED, scope, module
        if domain in self._setup_order:
            self._setup_order.remove(domain)
        self._setup_order.append(domain)
        _LOGGER.info("Set up integration '%s' in %.3f s", domain, record.setup_seconds)
        self.hub.bus.fire(EVENT_INTEGRATION_LOADED, {"domain": domain, "seconds": record.setup_seconds})
        return True

    def _fail(self, domain: str, reason: str) -> bool:
        record = self.records[domain]
        record.state, record.reason = State.FAILED, reason
        _LOGGER.error("Integration '%s' failed: %s", domain, reason)
        self.hub.bus.fire(EVENT_INTEGRATION_FAILED, {"domain": domain, "reason": reason})
        self.hub.notify(f"Integration '{domain}' failed", reason, level="error", source=domain)
        return False

    async def unload(self, domain: str, *, state: State = State.NOT_LOADED, reason: str | None = None) -> None:
        """Unload `domain` and, first, every loaded integration that depends on it."""
        record = self.records[domain]
        for dependent in reversed(dependents_of(domain, self.integrations)):
            if self.records[dependent].state is State.LOADED:
                await self.unload(dependent, reason=f"dependency '{domain}' was unloaded")
        if record.state is State.LOADED and record.scope is not None:
            unload = getattr(record.module, "async_unload", None)
            if unload is not None:
                try:
                    await asyncio.wait_for(unload(record.scope), self.hub.config.core["setup_timeout"])
                except Exception:
                    _LOGGER.exception("async_unload of '%s' failed; removing its registrations anyway", domain)
            await record.scope.close()
            self.hub.bus.fire(EVENT_INTEGRATION_UNLOADED, {"domain": domain})
        record.state, record.reason, record.scope, record.module = state, reason, None, None

    async def unload_all(self) -> None:
        for domain in reversed(self.loaded()):
            if self.records[domain].state is State.LOADED:
                await self.unload(domain)

    async def reload(self, domain: str) -> Record:
        """Re-read the manifest, the code and the YAML section, then set the integration up again."""
        async with self._lock:
            self.hub.reread_configuration()  # raises ConfigFileError, changing nothing, if the YAML is broken
            record = self.records[domain]
            dependents = [d for d in dependents_of(domain, self.integrations) if self.records[d].state is State.LOADED]
            await self.unload(domain)
            record.integration.reread_manifest()
            await self._ensure_dependencies(domain)
            if self.records[domain].state is not State.FAILED and await self._setup_one(domain, fresh=True):
                for dependent in dependents:
                    await self._setup_one(dependent)
            return record

    async def enable(self, domain: str) -> Record:
        async with self._lock:
            await self.hub.entries.set_integration_enabled(domain, True)
            record = self.records[domain]
            if record.state is not State.LOADED:
                record.state = State.NOT_LOADED
                await self._ensure_dependencies(domain)
                if record.state is not State.FAILED:
                    await self._setup_one(domain)
            return record

    async def disable(self, domain: str) -> Record:
        async with self._lock:
            await self.hub.entries.set_integration_enabled(domain, False)
            await self.unload(domain, state=State.DISABLED)
            return self.records[domain]

    async def _ensure_dependencies(self, domain: str) -> None:
        disabled = {d for d, r in self.records.items() if r.state is State.DISABLED}
        order, failures = resolve([domain], self.integrations, disabled)
        if domain in failures:
            self._fail(domain, failures[domain])
            return
        for dependency in order[:-1]:
            if self.records[dependency].state is not State.LOADED and not await self._setup_one(dependency):
                self._fail(domain, f"dependency '{dependency}' failed to set up")
                return
