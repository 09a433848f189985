"""What a library is, validated the same way whether it comes from YAML or the API."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import voluptuous as vol

from plugin_sdk.media import LibraryType


def existing_folder(value: Any) -> str:
    """A library folder must exist and be readable when it is configured, not fail later at scan time."""
    path = Path(str(value)).expanduser()
    if not path.is_absolute():
        raise vol.Invalid(f"'{value}' must be an absolute path")
    if not path.is_dir():
        raise vol.Invalid(f"folder '{value}' does not exist")
    if not os.access(path, os.R_OK | os.X_OK):
        raise vol.Invalid(f"folder '{value}' is not readable by Marquee")
    return str(path.resolve())


LIBRARY_SCHEMA = vol.Schema(
    {
        vol.Required("name"): vol.All(str, vol.Strip, vol.Length(min=1, max=100)),
        vol.Required("type"): vol.In([t.value for t in LibraryType]),
        vol.Required("folders"): vol.All([existing_folder], vol.Length(min=1)),
        vol.Optional("ignore", default=[]): [vol.All(str, vol.Length(min=1))],
        vol.Optional("scan_interval_minutes", default=None): vol.Any(None, vol.All(int, vol.Range(min=5))),
    }
)


@dataclass(slots=True)
class Library:
    id: str
    name: str
    type: str
    folders: list[str]
    ignore: list[str] = field(default_factory=list)
    scan_interval_minutes: int | None = None
    source: str = "api"  # api | yaml
    created_at: float = 0.0
    last_scan_at: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "folders": self.folders,
            "ignore": self.ignore,
            "scan_interval_minutes": self.scan_interval_minutes,
            "source": self.source,
            "created_at": self.created_at,
            "last_scan_at": self.last_scan_at,
        }
