"""YAML containers that remember where they came from, so errors can name file and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Mark:
    file: Path
    line: int  # 1-based
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file.name}, line {self.line}"


class NodeDict(dict):
    """A mapping from YAML; `mark` is where it starts, `key_marks` where each key is written."""

    mark: Mark | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_marks: dict[Any, Mark] = {}


class NodeList(list):
    """A sequence from YAML; `item_marks[i]` is where item i is written."""

    mark: Mark | None = None

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_marks: list[Mark] = []


def locate(root: Any, path: list[Any]) -> Mark | None:
    """The most precise known position of `path` inside `root` (the deepest key that has a mark)."""
    found: Mark | None = getattr(root, "mark", None)
    node = root
    for key in path:
        if isinstance(node, NodeDict):
            found = node.key_marks.get(key, found)
            node = node.get(key)
        elif isinstance(node, NodeList) and isinstance(key, int) and 0 <= key < len(node):
            if key < len(node.item_marks):
                found = node.item_marks[key]
            node = node[key]
        else:
            break
    return found
