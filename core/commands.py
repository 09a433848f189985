"""Commands that integrations add to the `marquee` CLI (through the `cli_commands` hook)."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.hub import Hub


@dataclass(frozen=True, slots=True)
class CliCommand:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    # Runs inside a started, headless hub (no HTTP server, no background watchers). Returns the exit code.
    run: Callable[[Hub, argparse.Namespace], Awaitable[int]]
