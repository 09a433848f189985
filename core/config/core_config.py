"""The core's own configuration sections (`core:`, `http:`, `database:`) and where configuration lives."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import voluptuous as vol

from core.config.nodes import NodeDict
from core.config.validation import ConfigIssue, validate_section
from core.config.yaml_loader import ConfigFileError, load_yaml
from core.const import CONFIG_FILE, DEFAULT_CONFIG_DIR, DEFAULT_HOST, DEFAULT_PORT, ENV_CONFIG_DIR

SERVERS = ("hypercorn", "uvicorn", "granian")

CORE_SCHEMA = vol.Schema(
    {
        vol.Optional("name", default="Marquee"): vol.All(str, vol.Length(min=1, max=64)),
        vol.Optional("data_dir"): str,
        vol.Optional("setup_timeout", default=60.0): vol.All(vol.Coerce(float), vol.Range(min=0.01)),
        vol.Optional("setup_warning", default=10.0): vol.All(vol.Coerce(float), vol.Range(min=0.01)),
        vol.Optional("allow_override", default=[]): [str],
    }
)
HTTP_SCHEMA = vol.Schema(
    {
        vol.Optional("host", default=DEFAULT_HOST): str,
        vol.Optional("port", default=DEFAULT_PORT): vol.All(vol.Coerce(int), vol.Range(min=0, max=65535)),
        vol.Optional("server", default="hypercorn"): vol.In(SERVERS),
        vol.Optional("graceful_timeout", default=10.0): vol.All(vol.Coerce(float), vol.Range(min=0)),
        vol.Optional("trusted_proxies", default=[]): [str],
        vol.Optional("access_log", default=True): bool,
        vol.Optional("max_body_bytes", default=1 << 20): vol.All(vol.Coerce(int), vol.Range(min=1024)),
    }
)
DATABASE_SCHEMA = vol.Schema(
    {
        vol.Optional("url"): vol.All(
            str, vol.Match(r"^(sqlite|postgresql|postgres)://", msg="expected sqlite:// or postgresql:// URL")
        ),
        vol.Optional("readers", default=4): vol.All(vol.Coerce(int), vol.Range(min=1, max=64)),
    }
)
DEFAULT_CONFIGURATION = """\
# Marquee configuration. Every top-level key other than core/http/database names an integration.
# Docs: https://marquee.dev/docs/configuration
core:
  name: Marquee

http:
  port: 8096

# logger:
#   default: info
#   format: plain
"""


def resolve_config_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--config wins, then $MARQUEE_CONFIG, then ~/.marquee."""
    chosen = explicit or os.environ.get(ENV_CONFIG_DIR) or DEFAULT_CONFIG_DIR
    return Path(chosen).expanduser().resolve()


@dataclass(slots=True)
class LoadedConfig:
    """The whole configuration file plus the validated core sections."""

    config_dir: Path
    raw: NodeDict
    core: dict[str, Any] = field(default_factory=dict)
    http: dict[str, Any] = field(default_factory=dict)
    database: dict[str, Any] = field(default_factory=dict)
    issues: list[ConfigIssue] = field(default_factory=list)

    @property
    def config_file(self) -> Path:
        return self.config_dir / CONFIG_FILE

    @property
    def data_dir(self) -> Path:
        return Path(self.core.get("data_dir") or self.config_dir / "data").expanduser()

    @property
    def database_url(self) -> str:
        return self.database.get("url") or f"sqlite:///{self.data_dir / 'marquee.db'}"


def load_config(config_dir: Path, *, create: bool = False) -> LoadedConfig:
    """Read configuration.yaml (creating a default one on first run when asked) and validate the core keys.

    A YAML syntax error raises ConfigFileError; schema problems are collected in `issues`.
    """
    config_file = config_dir / CONFIG_FILE
    if not config_file.exists():
        if not create:
            raise ConfigFileError(f"No configuration found: {config_file} does not exist")
        config_dir.mkdir(parents=True, exist_ok=True)
        config_file.write_text(DEFAULT_CONFIGURATION, encoding="utf-8")
    raw = load_yaml(config_file, config_dir)
    if not isinstance(raw, NodeDict):
        raise ConfigFileError(f"{config_file}: the top level must be a mapping of sections")
    loaded = LoadedConfig(config_dir=config_dir, raw=raw)
    for key, schema in (("core", CORE_SCHEMA), ("http", HTTP_SCHEMA), ("database", DATABASE_SCHEMA)):
        section = raw.get(key)
        value, issues = validate_section(
            schema, NodeDict() if section is None else section, domain=key, root=raw, prefix=[key]
        )
        loaded.issues.extend(issues)
        setattr(loaded, key, value or schema({}))
    return loaded
