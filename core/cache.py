"""The embedded cache: in-process, bounded, with per-key expiry. A shared backend can replace it later."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

_MISSING = object()


class MemoryCache:
    def __init__(self, max_entries: int = 10_000) -> None:
        self._data: OrderedDict[str, tuple[float | None, Any]] = OrderedDict()
        self._max = max_entries

    def get(self, key: str, default: Any = None) -> Any:
        entry = self._data.get(key, _MISSING)
        if entry is _MISSING:
            return default
        expires, value = entry
        if expires is not None and expires < time.monotonic():
            del self._data[key]
            return default
        self._data.move_to_end(key)
        return value

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        self._data[key] = (time.monotonic() + ttl if ttl is not None else None, value)
        self._data.move_to_end(key)
        while len(self._data) > self._max:
            self._data.popitem(last=False)

    def delete(self, key: str) -> None:
        self._data.pop(key, None)

    def clear(self, prefix: str = "") -> None:
        for key in [k for k in self._data if k.startswith(prefix)]:
            del self._data[key]

    def __len__(self) -> int:
        return len(self._data)
