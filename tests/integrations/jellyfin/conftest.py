"""Jellyfin test helpers: every JSON answer is checked against jellyfin-sdk's 10.11 models (pydantic), keys too."""

from __future__ import annotations

import typing
from typing import Any

import pydantic
from jellyfin.generated.api_10_11 import models

from tests.integrations.auth.conftest import PASSWORD
from tests.integrations.library.conftest import library_yaml, scan

CLIENT_HEADER = 'MediaBrowser Client="Jellyfin Web", Device="Firefox", DeviceId="{device}", Version="10.11.0"'


def _unknown_keys(model: type[pydantic.BaseModel], data: Any, path: str) -> list[str]:
    if isinstance(data, list):
        return [p for n, item in enumerate(data) for p in _unknown_keys(model, item, f"{path}[{n}]")]
    if not isinstance(data, dict):
        return []
    fields = {field.alias or name: field for name, field in model.model_fields.items()}
    problems = []
    for key, value in data.items():
        if key not in fields:
            problems.append(f"{path}.{key}")
            continue
        if value is None:
            problems.append(f"{path}.{key} is null (nulls must be omitted)")
        problems.extend(_check(fields[key].annotation, value, f"{path}.{key}"))
    return problems


def _check(annotation: Any, value: Any, path: str) -> list[str]:
    """Unknown keys in `value` against an annotation: models, lists of them, and maps whose values are models
    (`Dict[str, Dict[str, TrickplayInfoDto]]`: the keys of those maps are data, not property names)."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return _unknown_keys(annotation, value, path)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        if not isinstance(value, dict):
            return []
        return [p for key, item in value.items() for p in _check(args[1], item, f"{path}[{key!r}]")]
    if origin is list and args:
        if not isinstance(value, list):
            return []
        return [p for n, item in enumerate(value) for p in _check(args[0], item, f"{path}[{n}]")]
    return [p for arg in args for p in _check(arg, value, path)]


def validate(model_name: str, data: Any) -> Any:
    """Parse `data` with the named jellyfin-sdk model (a list of them for `[Name]`); fail on unknown keys."""
    many = model_name.startswith("[")
    model = getattr(models, model_name.strip("[]"))
    if many:
        assert isinstance(data, list), data
        return [validate(model_name.strip("[]"), item) for item in data]
    assert isinstance(data, dict), data
    problems = _unknown_keys(model, data, model_name)
    assert not problems, problems
    return model.model_validate(data)


def header(token: str | None = None, device: str = "dev-1") -> dict[str, str]:
    value = CLIENT_HEADER.format(device=device)
    if token:
        value += f', Token="{token}"'
    return {"Authorization": value}


async def call(session: Any, method: str, path: str, model: str | None = None, **kwargs: Any) -> tuple[int, Any]:
    """(status, body): JSON parsed (and validated against `model` when the status is 2xx), else text."""
    async with session.request(method, path, **kwargs) as response:
        if response.content_type == "application/json":
            body = await response.json()
            if model and response.status < 300:
                validate(model, body)
            return response.status, body
        return response.status, await response.read()


async def jellyfin_login(running: Any, username: str, password: str, device: str = "dev-1") -> dict[str, Any]:
    status, body = await call(
        running.anonymous, "POST", "/Users/AuthenticateByName", "AuthenticationResult",
        json={"Username": username, "Pw": password}, headers=header(device=device),
    )  # fmt: skip
    assert status == 200, body
    return body


async def media_hub(marquee_hub: Any, test_media: Any, extra: str = "") -> tuple[Any, dict[str, dict[str, Any]]]:
    running = await marquee_hub(
        library_yaml(movies=test_media / "movies", shows=("tvshows", test_media / "shows"), music=test_media / "music")
        + extra
    )
    libraries = {name: (await scan(running, name))["library"] for name in ("movies", "shows", "music")}
    return running, libraries


__all__ = ["PASSWORD", "call", "header", "jellyfin_login", "media_hub", "validate"]
