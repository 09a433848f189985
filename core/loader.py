"""Find integrations: built-in (integrations/), pip-installed (entry points), and <config>/plugins/.

Discovery reads manifests only; modules are imported when an integration is set up.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import types
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.metadata import entry_points
from pathlib import Path

from core.const import ENTRY_POINT_GROUP, PLUGINS_DIR
from core.manifest import DOMAIN_PATTERN, Manifest, ManifestError, read_manifest

_LOGGER = logging.getLogger(__name__)

BUILTIN_PACKAGE = "integrations"
PLUGINS_PACKAGE = "marquee_plugins"


class Source(StrEnum):
    BUILTIN = "builtin"
    ENTRY_POINT = "entry_point"
    PLUGINS_DIR = "plugins_dir"


@dataclass(slots=True)
class Integration:
    """A discovered integration: where it lives and what its manifest says (module imported lazily)."""

    domain: str
    path: Path
    source: Source
    module_name: str
    manifest: Manifest | None = None
    error: str | None = None  # set when the manifest is invalid; the integration can't load

    @property
    def name(self) -> str:
        return self.manifest.name if self.manifest else self.domain

    @property
    def is_builtin(self) -> bool:
        return self.source is Source.BUILTIN

    def import_module(self, *, fresh: bool = False) -> types.ModuleType:
        """Import the integration's package; `fresh` drops cached modules first (reload after an edit)."""
        if fresh:
            prefix = self.module_name + "."
            for name in [n for n in sys.modules if n == self.module_name or n.startswith(prefix)]:
                del sys.modules[name]
            importlib.invalidate_caches()
        if self.source is Source.PLUGINS_DIR and self.module_name not in sys.modules:
            _ensure_plugins_package()
            spec = importlib.util.spec_from_file_location(
                self.module_name, self.path / "__init__.py", submodule_search_locations=[str(self.path)]
            )
            if spec is None or spec.loader is None:
                raise ImportError(f"No __init__.py in {self.path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[self.module_name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[self.module_name]
                raise
            return module
        return importlib.import_module(self.module_name)

    def reread_manifest(self) -> None:
        try:
            self.manifest, self.error = read_manifest(self.path, expected_domain=self.domain), None
        except ManifestError as err:
            self.manifest, self.error = None, str(err)


@dataclass(slots=True)
class Discovery:
    integrations: dict[str, Integration] = field(default_factory=dict)
    # Third-party integrations refused because they would shadow a built-in, with the reason.
    refused: list[tuple[Integration, str]] = field(default_factory=list)
    # Domains that load by default: every built-in, including one a third-party integration overrides.
    default_domains: set[str] = field(default_factory=set)


def discover(config_dir: Path | None, *, allow_override: frozenset[str] = frozenset()) -> Discovery:
    """Every integration Marquee can see. A third-party one replaces a built-in only when allowed."""
    found = Discovery()
    for integration in _builtin():
        found.integrations[integration.domain] = integration
        found.default_domains.add(integration.domain)
    third_party = [*_entry_points()]
    if config_dir is not None:
        third_party.extend(_plugins_dir(config_dir / PLUGINS_DIR))
    for integration in third_party:
        existing = found.integrations.get(integration.domain)
        if existing is not None and existing.is_builtin:
            if integration.domain not in allow_override:
                reason = (
                    f"Integration '{integration.domain}' from {integration.path} was ignored: it would shadow "
                    f"the built-in one. Add it to 'core: allow_override' to use it."
                )
                _LOGGER.warning(reason)
                found.refused.append((integration, reason))
                continue
            _LOGGER.warning(
                "Integration '%s' from %s overrides the built-in one (allowed by core: allow_override)",
                integration.domain,
                integration.path,
            )
        elif existing is not None:
            reason = f"Integration '{integration.domain}' from {integration.path} duplicates {existing.path}; ignored"
            _LOGGER.warning(reason)
            found.refused.append((integration, reason))
            continue
        found.integrations[integration.domain] = integration
    return found


def _make(domain: str, path: Path, source: Source, module_name: str) -> Integration:
    integration = Integration(domain=domain, path=path, source=source, module_name=module_name)
    integration.reread_manifest()
    return integration


def _builtin() -> list[Integration]:
    package = importlib.import_module(BUILTIN_PACKAGE)
    result = []
    for base in package.__path__:
        for folder in sorted(Path(base).iterdir()):
            if (folder / "manifest.json").is_file() and DOMAIN_PATTERN.match(folder.name):
                result.append(_make(folder.name, folder, Source.BUILTIN, f"{BUILTIN_PACKAGE}.{folder.name}"))
    return result


def _entry_points() -> list[Integration]:
    result = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            spec = importlib.util.find_spec(ep.module)
        except (ImportError, ValueError) as err:
            _LOGGER.error("Entry point %s = %s can't be found: %s", ep.name, ep.value, err)
            continue
        if spec is None or not spec.submodule_search_locations:
            _LOGGER.error("Entry point %s = %s must name a package that holds manifest.json", ep.name, ep.value)
            continue
        folder = Path(next(iter(spec.submodule_search_locations)))
        result.append(_make(ep.name, folder, Source.ENTRY_POINT, ep.module))
    return result


def _plugins_dir(folder: Path) -> list[Integration]:
    if not folder.is_dir():
        return []
    result = []
    for child in sorted(folder.iterdir()):
        if child.is_dir() and (child / "manifest.json").is_file() and DOMAIN_PATTERN.match(child.name):
            result.append(_make(child.name, child, Source.PLUGINS_DIR, f"{PLUGINS_PACKAGE}.{child.name}"))
    return result


def _ensure_plugins_package() -> None:
    if PLUGINS_PACKAGE not in sys.modules:
        package = types.ModuleType(PLUGINS_PACKAGE)
        package.__path__ = []
        sys.modules[PLUGINS_PACKAGE] = package
