"""A scan's per-file work that needs no database, done in the worker threads a chunk of files at a time:
probe and identify (analysis), placement, and the metadata of the folders placement names.

One job per chunk rather than per file: each job's completion wakes the event loop, and the loop contends with
the probes for the GIL.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from core.storage import Row
from integrations.library.analysis import Analysis, FolderInfo, analyse, analyse_folder
from integrations.library.placement import ItemSpec, place
from integrations.library.walker import FileEntry
from plugin_sdk.media import ItemMetadata, LocalImage


@dataclass(slots=True)
class Prepared:
    analysis: Analysis
    previous: Row | None  # the file's media source row (same path, or the path it moved from), None if new
    chain: list[ItemSpec]  # empty when the analysis failed
    folders: dict[str, tuple[ItemMetadata | None, list[LocalImage]]]  # the chain's folders: metadata, images


class Preparer:
    """Shared by a scan's worker jobs: each folder's metadata is read once per scan."""

    def __init__(self, hook: Any, library_type: str, roots: list[str]) -> None:
        self.hook = hook
        self.library_type = library_type
        self.roots = [_as_prefix(root) for root in roots]
        self._folders: dict[str, FolderInfo] = {}
        self._lock = threading.Lock()

    def chunk(self, todo: list[tuple[FileEntry, Row | None]]) -> list[Prepared]:
        """Blocking, never raises for a bad file (see `analyse`)."""
        return [self.one(entry, previous) for entry, previous in todo]

    def one(self, entry: FileEntry, previous: Row | None) -> Prepared:
        analysis = analyse(self.hook, entry, self.library_type)
        if analysis.error is not None:
            return Prepared(analysis, previous, [], {})
        chain = place(analysis, self.library_type, self.root_of(entry.path))
        folders = {}
        for spec in chain[:-1]:
            if spec.path:
                info = self._folder(spec.path, str(spec.type))
                folders[spec.path] = (info.metadata, info.images)
        return Prepared(analysis, previous, chain, folders)

    def root_of(self, path: str) -> str:
        for root, prefix in self.roots:
            if path.startswith(prefix):
                return root
        return os.path.dirname(path)

    def _folder(self, path: str, item_type: str) -> FolderInfo:
        with self._lock:
            found = self._folders.get(path)
        if found is None:
            found = analyse_folder(self.hook, path, item_type)  # two threads may both read it: same result
            with self._lock:
                found = self._folders.setdefault(path, found)
        return found


def _as_prefix(root: str) -> tuple[str, str]:
    """(root, prefix that every path inside it starts with): a string test instead of pathlib per file."""
    normal = os.path.normpath(root)
    return root, normal if normal.endswith(os.sep) else normal + os.sep
