"""Load configuration YAML with !secret, !include, !include_dir_named, !include_dir_merge_named, !env_var.

Every mapping and sequence remembers its file and line (see nodes.py). Includes and secrets are confined
to the configuration directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from core.config.nodes import Mark, NodeDict, NodeList
from core.const import SECRETS_FILE

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ConfigFileError(Exception):
    """A YAML file could not be loaded; the message names file and line."""

    def __init__(self, message: str, mark: Mark | None = None) -> None:
        self.mark = mark
        self.message = message
        super().__init__(f"{mark.file}, line {mark.line}, column {mark.column}: {message}" if mark else message)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    def __init__(self, stream: Any, path: Path, root: Path) -> None:
        super().__init__(stream)
        self.path = path
        self.root = root


def load_yaml(path: Path, root: Path | None = None) -> Any:
    """Parse one YAML file. `root` is the configuration directory that includes may not leave."""
    path = Path(path)
    root = Path(root or path.parent).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigFileError(f"File not found: {path}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigFileError(f"Cannot read {path}: {err}") from None
    loader = _Loader(text, path, root)
    try:
        return loader.get_single_data() or NodeDict()
    except yaml.MarkedYAMLError as err:
        problem_mark = err.problem_mark or err.context_mark
        mark = _mark(path, problem_mark) if problem_mark else None
        problem = " ".join(p for p in (err.context, err.problem) if p)
        raise ConfigFileError(f"Invalid YAML: {problem}", mark) from None
    finally:
        loader.dispose()


def _mark(path: Path, yaml_mark: Any) -> Mark:
    return Mark(path, yaml_mark.line + 1, yaml_mark.column + 1)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> NodeDict:
    loader.flatten_mapping(node)
    result = NodeDict()
    result.mark = _mark(loader.path, node.start_mark)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key_mark = _mark(loader.path, key_node.start_mark)
        try:
            hash(key)
        except TypeError:
            raise ConfigFileError("Invalid key: a mapping key must be a plain value", key_mark) from None
        if key in result:
            raise ConfigFileError(f"Duplicate key '{key}' (first at line {result.key_marks[key].line})", key_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_marks[key] = key_mark
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> NodeList:
    result = NodeList()
    result.mark = _mark(loader.path, node.start_mark)
    for child in node.value:
        result.append(loader.construct_object(child, deep=True))
        result.item_marks.append(_mark(loader.path, child.start_mark))
    return result


def _confined(loader: _Loader, node: yaml.Node, relative: str) -> Path:
    target = (loader.path.parent / relative).resolve()
    if not target.is_relative_to(loader.root):
        raise ConfigFileError(
            f"'{relative}' is outside the configuration directory {loader.root}",
            _mark(loader.path, node.start_mark),
        )
    return target


def _include(loader: _Loader, node: yaml.Node) -> Any:
    target = _confined(loader, node, loader.construct_scalar(node))
    if not target.is_file():
        raise ConfigFileError(f"Included file not found: {target}", _mark(loader.path, node.start_mark))
    return load_yaml(target, loader.root)


def _yaml_files(loader: _Loader, node: yaml.Node) -> list[Path]:
    folder = _confined(loader, node, loader.construct_scalar(node))
    if not folder.is_dir():
        raise ConfigFileError(f"Included folder not found: {folder}", _mark(loader.path, node.start_mark))
    return sorted(
        p for p in folder.rglob("*.yaml") if not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _include_dir_named(loader: _Loader, node: yaml.Node) -> NodeDict:
    result = NodeDict()
    result.mark = _mark(loader.path, node.start_mark)
    for file in _yaml_files(loader, node):
        result[file.stem] = load_yaml(file, loader.root)
        result.key_marks[file.stem] = Mark(file, 1)
    return result


def _include_dir_merge_named(loader: _Loader, node: yaml.Node) -> NodeDict:
    result = NodeDict()
    result.mark = _mark(loader.path, node.start_mark)
    for file in _yaml_files(loader, node):
        content = load_yaml(file, loader.root)
        if not isinstance(content, dict):
            raise ConfigFileError("A merged include must contain a mapping", Mark(file, 1))
        result.update(content)
        if isinstance(content, NodeDict):
            result.key_marks.update(content.key_marks)
    return result


def _secret(loader: _Loader, node: yaml.Node) -> Any:
    name = loader.construct_scalar(node)
    searched: list[str] = []
    folder = loader.path.parent.resolve()
    while True:
        secrets_path = folder / SECRETS_FILE
        searched.append(str(secrets_path))
        if secrets_path.is_file():
            secrets = load_yaml(secrets_path, loader.root)
            if isinstance(secrets, dict) and name in secrets:
                return secrets[name]
        if folder == loader.root or not folder.is_relative_to(loader.root):
            break
        folder = folder.parent
    raise ConfigFileError(
        f"Secret '{name}' not found (searched {', '.join(searched)})", _mark(loader.path, node.start_mark)
    )


def _env_var(loader: _Loader, node: yaml.Node) -> str:
    name, _, default = loader.construct_scalar(node).strip().partition(" ")
    if name in os.environ:
        return os.environ[name]
    if default:
        return default.strip()
    raise ConfigFileError(
        f"Environment variable '{name}' is not set and has no default", _mark(loader.path, node.start_mark)
    )


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("!include", _include)
_Loader.add_constructor("!include_dir_named", _include_dir_named)
_Loader.add_constructor("!include_dir_merge_named", _include_dir_merge_named)
_Loader.add_constructor("!secret", _secret)
_Loader.add_constructor("!env_var", _env_var)
