"""Turn voluptuous errors into messages that say where (file, line, key path), what, and what would be valid."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import voluptuous as vol

from core.config.nodes import Mark, locate


@dataclass(slots=True)
class ConfigIssue:
    """One problem in the configuration, ready to show to a person."""

    message: str
    domain: str | None = None
    mark: Mark | None = None
    path: list[Any] = field(default_factory=list)
    docs: str | None = None
    show_column: bool = False  # YAML syntax errors point at a character, schema errors at a key

    def __str__(self) -> str:
        where = f" at {self.mark}" if self.mark else ""
        if self.mark and self.show_column:
            where += f", column {self.mark.column}"
        subject = f"Invalid config for '{self.domain}'" if self.domain else "Invalid config"
        text = f"{subject}{where}: {self.message}"
        if self.docs:
            text += f". Please check the docs at {self.docs}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "file": str(self.mark.file) if self.mark else None,
            "line": self.mark.line if self.mark else None,
            "path": [str(p) for p in self.path],
            "message": self.message,
            "docs": self.docs,
            "text": str(self),
        }


def validate_section(
    schema: vol.Schema | Any,
    value: Any,
    *,
    domain: str | None,
    root: Any,
    prefix: list[Any],
    docs: str | None = None,
) -> tuple[Any, list[ConfigIssue]]:
    """Validate `value` (found at `prefix` inside `root`) and collect every error, not just the first."""
    if not isinstance(schema, vol.Schema):
        schema = vol.Schema(schema)
    try:
        return schema(value), []
    except vol.MultipleInvalid as errors:
        return None, [humanize(e, schema, domain=domain, root=root, prefix=prefix, docs=docs) for e in errors.errors]
    except vol.Invalid as error:
        return None, [humanize(error, schema, domain=domain, root=root, prefix=prefix, docs=docs)]


def humanize(
    error: vol.Invalid,
    schema: vol.Schema,
    *,
    domain: str | None,
    root: Any,
    prefix: list[Any],
    docs: str | None,
) -> ConfigIssue:
    path = [*prefix, *error.path]
    key_path = "->".join(str(p) for p in path)
    mark = locate(root, path)
    if error.error_message == "extra keys not allowed" and error.path:
        option = error.path[-1]
        parent = "->".join(str(p) for p in path[:-1]) or "the top level"
        message = f"'{option}' is an invalid option for '{parent}'"
        valid = schema_keys(schema, list(error.path[:-1]))
        if valid:
            message += f". Valid options: {', '.join(sorted(valid))}"
    elif error.error_message == "required key not provided" and error.path:
        message = f"required key '{error.path[-1]}' not provided (at {key_path})"
    else:
        message = f"{error.error_message} for '{key_path}'"
        value = _value_at(root, path)
        if value is not _MISSING:
            message += f" (got {value!r})"
    return ConfigIssue(message=message, domain=domain, mark=mark, path=path, docs=docs)


_MISSING = object()


def _value_at(root: Any, path: list[Any]) -> Any:
    node = root
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return node


def schema_keys(schema: Any, path: list[Any]) -> list[str]:
    """Best effort: the keys a (nested) dict schema accepts at `path`, for 'valid options' hints."""
    node = _dict_schema(schema)
    for key in path:
        if node is None:
            return []
        if isinstance(key, int):
            continue
        match = next((v for k, v in node.items() if str(getattr(k, "schema", k)) == str(key)), None)
        node = _dict_schema(match)
    if node is None:
        return []
    return [str(getattr(k, "schema", k)) for k in node if isinstance(getattr(k, "schema", k), str)]


def _dict_schema(schema: Any) -> dict | None:
    if isinstance(schema, vol.Schema):
        schema = schema.schema
    if isinstance(schema, dict):
        return schema
    if isinstance(schema, list) and len(schema) == 1:
        return _dict_schema(schema[0])
    for attr in ("validators",):  # vol.All / vol.Any
        for inner in getattr(schema, attr, ()) or ():
            found = _dict_schema(inner)
            if found is not None:
                return found
    return None
