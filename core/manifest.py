"""manifest.json: the schema every integration (built-in or third-party) must satisfy."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import voluptuous as vol
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from core.const import CORE_SECTIONS

DOMAIN_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
QUALITY_SCALE = ("internal", "bronze", "silver", "gold", "platinum")


def _domain(value: Any) -> str:
    if not isinstance(value, str) or not DOMAIN_PATTERN.match(value):
        raise vol.Invalid("expected a lowercase identifier (letters, digits, underscore; starts with a letter)")
    if value in CORE_SECTIONS:
        raise vol.Invalid(f"'{value}' is reserved for the core")
    return value


def _version(value: Any) -> str:
    try:
        Version(str(value))
    except InvalidVersion:
        raise vol.Invalid(f"'{value}' is not a valid version (PEP 440, e.g. 1.2.0)") from None
    return str(value)


def _specifier(value: Any) -> str:
    try:
        SpecifierSet(str(value))
    except InvalidSpecifier:
        raise vol.Invalid(f"'{value}' is not a version range (e.g. '>=0.1,<0.3')") from None
    return str(value)


def _requirement(value: Any) -> str:
    try:
        Requirement(str(value))
    except InvalidRequirement:
        raise vol.Invalid(f"'{value}' is not a valid requirement (PEP 508, e.g. 'guessit>=3.8')") from None
    return str(value)


_REASON = vol.All(str, vol.Length(min=3))

PERMISSIONS_SCHEMA = vol.Schema(
    {
        vol.Optional("http"): {vol.Required("hosts"): [str], vol.Required("reason"): _REASON},
        vol.Optional("paths"): {
            vol.Required("allow"): {str: vol.In(("ro", "rw"))},
            vol.Required("reason"): _REASON,
        },
        vol.Optional("config"): {vol.Required("keys"): [str], vol.Required("reason"): _REASON},
        vol.Optional("memory_mb", default=64): vol.All(int, vol.Range(min=1, max=4096)),
        vol.Optional("timeout_ms", default=5000): vol.All(int, vol.Range(min=1, max=600_000)),
    }
)

MANIFEST_SCHEMA = vol.Schema(
    {
        vol.Required("domain"): _domain,
        vol.Required("name"): vol.All(str, vol.Length(min=1, max=100)),
        vol.Required("version"): _version,
        vol.Required("core"): _specifier,
        vol.Optional("kind", default="other"): vol.All(str, vol.Match(r"^[a-z][a-z_]*$")),
        vol.Optional("dependencies", default=[]): [_domain],
        vol.Optional("after_dependencies", default=[]): [_domain],
        vol.Optional("requirements", default=[]): [_requirement],
        vol.Optional("config_flow", default=False): bool,
        vol.Optional("documentation"): vol.All(str, vol.Match(r"^https?://", msg="expected an http(s) URL")),
        vol.Optional("codeowners", default=[]): [str],
        vol.Optional("quality", default="bronze"): vol.In(QUALITY_SCALE),
        vol.Optional("permissions"): PERMISSIONS_SCHEMA,
    }
)


class ManifestError(Exception):
    """manifest.json is missing, unreadable, or does not match the schema."""


@dataclass(frozen=True, slots=True)
class Manifest:
    domain: str
    name: str
    version: str
    core: str
    kind: str = "other"
    dependencies: tuple[str, ...] = ()
    after_dependencies: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    config_flow: bool = False
    documentation: str | None = None
    codeowners: tuple[str, ...] = ()
    quality: str = "bronze"
    permissions: dict[str, Any] = field(default_factory=dict)

    def supports_core(self, core_version: str) -> bool:
        return SpecifierSet(self.core).contains(core_version, prereleases=True)


def parse_manifest(data: Any, *, folder_name: str | None = None, source: str = "manifest.json") -> Manifest:
    """Validate manifest data; raise ManifestError naming every invalid field."""
    try:
        valid = MANIFEST_SCHEMA(data)
    except vol.MultipleInvalid as errors:
        details = "; ".join(_describe(e) for e in errors.errors)
        raise ManifestError(f"Invalid manifest {source}: {details}") from None
    if folder_name is not None and valid["domain"] != folder_name:
        raise ManifestError(
            f"Invalid manifest {source}: domain '{valid['domain']}' must equal "
            f"its folder or entry point name '{folder_name}'"
        )
    return Manifest(**{key: tuple(value) if isinstance(value, list) else value for key, value in valid.items()})


def read_manifest(folder: Path, *, expected_domain: str | None = None) -> Manifest:
    path = folder / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"{path} is missing") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ManifestError(f"Cannot read {path}: {err}") from None
    except json.JSONDecodeError as err:
        raise ManifestError(f"Invalid JSON in {path}, line {err.lineno}, column {err.colno}: {err.msg}") from None
    return parse_manifest(data, folder_name=expected_domain, source=str(path))


def _describe(error: vol.Invalid) -> str:
    key = ".".join(str(p) for p in error.path) or "(root)"
    if error.error_message == "extra keys not allowed":
        return f"'{key}' is not a manifest field"
    return f"'{key}': {error.error_message}"
