"""A module that is imported on first use: heavy libraries stay out of the server's start-up."""

from __future__ import annotations

import importlib
import types
from typing import Any


class Lazy:
    def __init__(self, name: str) -> None:
        self._name = name
        self._module: types.ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)
