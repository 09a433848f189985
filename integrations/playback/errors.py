"""The one error the playback decisions raise."""

from __future__ import annotations


class DecisionError(ValueError):
    """Bad arguments (a stream index that isn't there, a negative start) or a client that can play nothing."""
