"""Request validation: query strings and JSON bodies become typed values or a 400 that says what is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

import voluptuous as vol

from core.request_data import BadRequest, json_body, nullable, query_params
from integrations.library.queries import SORTS
from plugin_sdk.media import ItemType


def _csv(allowed: list[str] | None = None) -> Any:
    def parse(value: Any) -> list[str]:
        items = [v.strip() for v in str(value).split(",") if v.strip()]
        if allowed is not None:
            bad = [v for v in items if v not in allowed]
            if bad:
                raise vol.Invalid(f"unknown value(s) {', '.join(bad)}; use {', '.join(allowed)}")
        return items

    return parse


def boolean(value: Any) -> bool:
    text = str(value).lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no", ""):
        return False
    raise vol.Invalid("expected true or false")


LIST_PARAMS = vol.Schema(
    {
        vol.Optional("q"): vol.All(str, vol.Length(min=1, max=200)),
        vol.Optional("type"): _csv([t.value for t in ItemType]),
        vol.Optional("genre"): _csv(),
        vol.Optional("library_id"): str,
        vol.Optional("year_min"): vol.All(vol.Coerce(int), vol.Range(min=1800, max=3000)),
        vol.Optional("year_max"): vol.All(vol.Coerce(int), vol.Range(min=1800, max=3000)),
        vol.Optional("rating_min"): vol.All(vol.Coerce(float), vol.Range(min=0, max=10)),
        vol.Optional("sort"): vol.In(list(SORTS)),
        vol.Optional("order", default="asc"): vol.In(["asc", "desc"]),
        vol.Optional("limit", default=50): vol.All(vol.Coerce(int), vol.Range(min=1, max=500)),
        vol.Optional("offset", default=0): vol.All(vol.Coerce(int), vol.Range(min=0)),
        vol.Optional("facets", default=False): boolean,
        vol.Optional("recursive", default=False): boolean,
        vol.Optional("played"): boolean,
        vol.Optional("favorite"): boolean,
        vol.Optional("resumable"): boolean,
    },
    extra=vol.REMOVE_EXTRA,  # cache busters and unknown client parameters are ignored, not refused
)

IMAGE_PARAMS = vol.Schema(
    {
        vol.Optional("index", default=0): vol.All(vol.Coerce(int), vol.Range(min=0, max=100)),
        vol.Optional("width"): vol.All(vol.Coerce(int), vol.Range(min=1, max=4096)),
        vol.Optional("height"): vol.All(vol.Coerce(int), vol.Range(min=1, max=4096)),
        vol.Optional("quality", default=90): vol.All(vol.Coerce(int), vol.Range(min=1, max=100)),
        vol.Optional("format", default="jpg"): vol.In(["jpg", "png", "webp"]),
    },
    extra=vol.REMOVE_EXTRA,
)


def _date(value: Any) -> str:
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise vol.Invalid("expected a date as YYYY-MM-DD") from None


_TEXT = nullable(vol.All(str, vol.Length(max=20_000)))
METADATA_EDIT = vol.Schema(
    {
        vol.Optional("name"): vol.All(str, vol.Strip, vol.Length(min=1, max=500)),
        vol.Optional("sort_name"): vol.All(str, vol.Length(min=1, max=500)),
        vol.Optional("original_title"): _TEXT,
        vol.Optional("overview"): _TEXT,
        vol.Optional("tagline"): _TEXT,
        vol.Optional("year"): nullable(vol.All(vol.Coerce(int), vol.Range(min=1800, max=3000))),
        vol.Optional("premiere_date"): nullable(_date),
        vol.Optional("community_rating"): nullable(vol.All(vol.Coerce(float), vol.Range(min=0, max=10))),
        vol.Optional("critic_rating"): nullable(vol.All(vol.Coerce(float), vol.Range(min=0, max=100))),
        vol.Optional("official_rating"): _TEXT,
        vol.Optional("provider_ids"): {str: str},
        vol.Optional("genres"): [str],
        vol.Optional("studios"): [str],
        vol.Optional("tags"): [str],
        vol.Optional("people"): [
            {
                vol.Required("name"): str,
                vol.Optional("kind", default="Actor"): str,
                vol.Optional("role"): vol.Any(None, str),
            }
        ],
        vol.Optional("unlock"): [str],
    }
)

__all__ = ["BadRequest", "json_body", "query_params"]
