"""Identify movies, episodes and extras from file and folder names (guessit). Implements `parse_path`."""

from __future__ import annotations

from core.scope import IntegrationScope
from plugin_sdk import hookimpl
from plugin_sdk.media import ParsedName

from . import parser

DOMAIN = "identify"


async def async_setup(hub: IntegrationScope, config: dict) -> bool:
    return True


@hookimpl
def parse_path(path: str, library_type: str) -> ParsedName | None:
    return parser.parse_path(path, library_type)
