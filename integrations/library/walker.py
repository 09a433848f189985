"""Walk library folders: media files with their fingerprints, skipping what a library must never include."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from integrations.library.const import AUDIO_EXTENSIONS, DISC_FOLDERS, SYSTEM_FOLDERS, VIDEO_EXTENSIONS

MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str
    size: int
    mtime_ns: int
    inode: int
    device: int

    @property
    def fingerprint(self) -> tuple[int, int, int, int]:
        return (self.device, self.inode, self.size, self.mtime_ns)


@dataclass(slots=True)
class WalkResult:
    files: list[FileEntry] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) for the scan log


def extensions_for(library_type: str) -> frozenset[str]:
    if library_type == "music":
        return AUDIO_EXTENSIONS
    if library_type in ("movies", "tvshows"):
        return VIDEO_EXTENSIONS
    return VIDEO_EXTENSIONS | AUDIO_EXTENSIONS


def walk(roots: Iterable[str], extensions: frozenset[str], ignore: Iterable[str] = ()) -> WalkResult:
    """Blocking: run it in a worker thread. Symlinks are followed only while they stay inside their root."""
    result = WalkResult()
    patterns = list(ignore)
    for root in roots:
        _walk_root(Path(root).resolve(), extensions, patterns, result)
    return result


def _ignored(name: str, relative: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(relative, p) for p in patterns)


def _walk_root(root: Path, extensions: frozenset[str], patterns: list[str], result: WalkResult) -> None:
    try:
        root_stat = root.stat()
    except OSError as err:
        result.problems.append((str(root), f"library folder unavailable: {err.strerror or err}"))
        return
    visited = {(root_stat.st_dev, root_stat.st_ino)}
    stack: list[tuple[str, int]] = [(str(root), 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as entries:
                children = list(entries)
        except OSError as err:
            result.problems.append((folder, f"folder skipped: {err.strerror or err}"))
            continue
        for entry in children:
            name = entry.name
            if name.startswith(".") or name.lower() in SYSTEM_FOLDERS:
                continue
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                result.problems.append(
                    (
                        os.fsencode(entry.path).decode("utf-8", "backslashreplace"),
                        "name is not valid UTF-8; rename it to include it",
                    )
                )
                continue
            if patterns and _ignored(name, os.path.relpath(entry.path, root), patterns):
                continue  # relpath only when there are patterns: it costs more than the rest of the entry's checks
            try:
                is_link = entry.is_symlink()
                if is_link and not _inside(entry.path, root):
                    result.problems.append((entry.path, "symlink points outside the library folder; not followed"))
                    continue
                stat = entry.stat()  # follows symlinks that stay inside the root
            except OSError:
                continue  # vanished mid-scan or a broken link: nothing to index
            if entry.is_dir():
                if name.lower() in DISC_FOLDERS:
                    result.problems.append((entry.path, f"disc structure ({name}) is not supported yet; skipped"))
                    continue
                key = (stat.st_dev, stat.st_ino)
                if key in visited:
                    continue  # a symlink loop, or the same folder reached twice
                if depth + 1 > MAX_DEPTH:
                    result.problems.append((entry.path, f"deeper than {MAX_DEPTH} folders; not scanned"))
                    continue
                visited.add(key)
                stack.append((entry.path, depth + 1))
            elif os.path.splitext(name)[1].lower() in extensions:
                result.files.append(FileEntry(entry.path, stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_dev))
    result.files.sort(key=lambda f: f.path)


def _inside(path: str, root: Path) -> bool:
    try:
        return Path(path).resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop while resolving
        return False
