"""How Jellyfin clients speak: case-insensitive paths and query names, PascalCase JSON (camelCase on request)
without nulls, .NET dates, 32-hex ids, numbers and booleans sent as strings, plain-text errors.

Case-insensitive routing is an ASGI middleware, not a second router: each Jellyfin route is registered once,
on the HTTP bus, under its canonical spelling (`/Users/{userId}/Items`); the middleware knows those templates
and rewrites a request path whose literal segments differ only in case (`/users/abc/items`) to the canonical
spelling before Starlette routes it. Path parameters keep their own case. Marquee's own routes (`/api/v1/...`)
are never touched: a request is only looked at when its first segment is one the Jellyfin surface owns.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from functools import lru_cache
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from core.request_data import BadRequest, NotFound

Handler = Callable[[Request], Awaitable[Response]]
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
# Maps whose keys are data (provider names, image types, client preference names), not property names.
_DATA_KEYS = frozenset(
    {"ProviderIds", "ImageTags", "ImageBlurHashes", "CustomPrefs", "RequiredHttpHeaders", "Trickplay"}
)
MAX_LIMIT = 10_000
MAX_START_INDEX = 10_000_000


class JellyfinError(Exception):
    """A refusal with Jellyfin's status code; the message goes out as plain text, as Jellyfin's does."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


# -- paths ----------------------------------------------------------------------------------------------------


class PathCanon:
    """The canonical spelling of every registered Jellyfin path template, matched case-insensitively."""

    def __init__(self) -> None:
        self._exact: dict[str, str] = {}
        self._patterns: dict[str, list[tuple[re.Pattern[str], str]]] = {}

    def add(self, template: str) -> None:
        if not _PARAM.search(template):
            self._exact[template.lower()] = template
            return
        pattern, pos = [], 0
        for match in _PARAM.finditer(template):
            pattern.append(re.escape(template[pos : match.start()]))
            pattern.append(r"([^/]+)")
            pos = match.end()
        pattern.append(re.escape(template[pos:]))
        first = template.strip("/").split("/", 1)[0].lower()
        compiled = re.compile("".join(pattern) + "$", re.IGNORECASE)
        self._patterns.setdefault(first, []).append((compiled, template))

    def canonical(self, path: str) -> str | None:
        """The path spelled as registered, or None when no Jellyfin template matches."""
        exact = self._exact.get(path.lower())
        if exact is not None:
            return exact
        first = path.strip("/").split("/", 1)[0].lower()
        for pattern, template in self._patterns.get(first, ()):
            match = pattern.match(path)
            if match is not None:
                return _fill(template, match.groups())
        return None


def _fill(template: str, values: tuple[str, ...]) -> str:
    parts = iter(values)
    return _PARAM.sub(lambda _: next(parts), template)


class CaseInsensitivePaths:
    """ASGI middleware: rewrite Jellyfin paths to their canonical case before routing."""

    def __init__(self, app: ASGIApp, canon: PathCanon) -> None:
        self.app, self.canon = app, canon

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            path = scope.get("path", "")
            if not path.startswith("/api/") and len(path) > 1:
                canonical = self.canon.canonical(path.rstrip("/") if len(path) > 1 else path)
                if canonical is not None and canonical != path:
                    scope = {**scope, "path": canonical, "raw_path": canonical.encode()}
        await self.app(scope, receive, send)


# -- output -----------------------------------------------------------------------------------------------------


def wants_camel_case(request: Request) -> bool:
    return 'profile="camelcase"' in request.headers.get("accept", "").lower().replace(" ", "")


def _camel(key: str) -> str:
    return key[:1].lower() + key[1:] if key[:1].isupper() else key


class Prepared(dict[str, Any]):
    """A DTO already free of None values at every depth, in PascalCase: `clean` passes it through untouched
    (unless camelCase is wanted). Lists of 100 BaseItemDtos are otherwise most of a response's CPU time."""


def clean(value: Any, camel: bool = False, keep_keys: bool = False) -> Any:
    """Drop None values (recursively); optionally camelCase property names (never the keys of data maps)."""
    if type(value) is Prepared and not camel:
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            name = key if keep_keys or not camel else _camel(key)
            out[name] = clean(item, camel, keep_keys=key in _DATA_KEYS)
        return out
    if isinstance(value, list | tuple):
        return [clean(item, camel) for item in value]
    return value


class JellyfinJSON(Response):
    media_type = "application/json; charset=utf-8"


def respond(request: Request, content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = orjson.dumps(clean(content, wants_camel_case(request)), option=orjson.OPT_NON_STR_KEYS)
    return JellyfinJSON(body, status_code=status, headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


def error(status: int, message: str) -> Response:
    return Response(message, status_code=status, media_type="text/plain; charset=utf-8")


def endpoint(handler: Handler) -> Handler:
    """Turn refusals raised by a handler into Jellyfin-style responses."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except JellyfinError as err:
            return error(err.status, err.message)
        except BadRequest as err:
            return error(400, "; ".join([err.message, *err.problems]))
        except NotFound as err:
            return error(404, err.message)

    wrapped.__name__ = getattr(handler, "__name__", "endpoint")
    return wrapped


@lru_cache(maxsize=8192)  # parsing and formatting cost ~15 us; pages repeat the same dates
def jf_date(value: float | str | dt.datetime | dt.date | None) -> str | None:
    """`yyyy-MM-ddTHH:mm:ss.fffffffZ` (UTC, seven fractional digits) from a timestamp, ISO text or datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        moment = dt.datetime.fromtimestamp(value, dt.UTC)
    elif isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


# -- input ----------------------------------------------------------------------------------------------------


def normalize_id(value: str | None, what: str = "id") -> str:
    """A Jellyfin id (32 hex, or a dashed GUID) as Marquee stores it: 32 lowercase hex. Anything else: 400."""
    text = (value or "").strip()
    if len(text) == 32 and all(c in "0123456789abcdefABCDEF" for c in text):
        return text.lower()
    try:
        return uuid.UUID(text).hex
    except ValueError:
        raise JellyfinError(400, f"Invalid {what}: expected a 32-character hex id") from None


class Query:
    """Query parameters with case-insensitive names, typed like ASP.NET binds them (strings in, types out)."""

    def __init__(self, request: Request) -> None:
        self._values: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            self._values.setdefault(key.lower(), []).append(value)

    def text(self, name: str, default: str | None = None) -> str | None:
        values = self._values.get(name.lower())
        return values[0] if values and values[0] != "" else default

    def has(self, name: str) -> bool:
        return self.text(name) is not None

    def integer(self, name: str, default: int | None = None, minimum: int = 0, maximum: int = 2**31 - 1) -> int | None:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            number = int(raw.strip())
        except ValueError:
            raise JellyfinError(400, f"Query parameter '{name}' must be an integer") from None
        if not minimum <= number <= maximum:
            raise JellyfinError(400, f"Query parameter '{name}' must be between {minimum} and {maximum}")
        return number

    def number(self, name: str) -> float | None:
        raw = self.text(name)
        if raw is None:
            return None
        try:
            return float(raw)
        except ValueError:
            raise JellyfinError(400, f"Query parameter '{name}' must be a number") from None

    def boolean(self, name: str, default: bool | None = None) -> bool | None:
        raw = self.text(name)
        if raw is None:
            return default
        text = raw.strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise JellyfinError(400, f"Query parameter '{name}' must be true or false")

    def csv(self, name: str, separator: str = ",") -> list[str]:
        """Comma-separated lists, or the parameter repeated (`?Fields=a&Fields=b`)."""
        found: list[str] = []
        for value in self._values.get(name.lower(), []):
            found.extend(part.strip() for part in value.split(separator) if part.strip())
        return found

    def ids(self, name: str) -> list[str]:
        return [normalize_id(value, name) for value in self.csv(name)]

    def id(self, name: str) -> str | None:
        raw = self.text(name)
        return None if raw is None else normalize_id(raw, name)

    def paging(self, default_limit: int | None = None) -> tuple[int, int | None]:
        start = self.integer("StartIndex", 0, 0, MAX_START_INDEX) or 0
        limit = self.integer("Limit", default_limit, 0, MAX_LIMIT)
        return start, limit


def lower_all(values: Iterable[str]) -> set[str]:
    return {v.lower() for v in values}
