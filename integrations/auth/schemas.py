"""Request bodies of the auth and user routes."""

from __future__ import annotations

import voluptuous as vol

from core.request_data import nullable
from plugin_sdk.auth import PERMISSIONS

_NAME = vol.All(str, vol.Length(min=1, max=100))
_LABEL = nullable(vol.All(str, vol.Length(max=200)))
_LANGUAGE = vol.All(str, vol.Match(r"^[a-z]{3}$", msg="expected an ISO 639-2 code such as 'eng'"))

LOGIN = vol.Schema(
    {
        vol.Required("username"): vol.All(str, vol.Length(min=1, max=128)),
        vol.Required("password"): vol.All(str, vol.Length(max=1024)),
        vol.Optional("code"): vol.All(str, vol.Length(max=32)),
        vol.Optional("device_id"): _LABEL,
        vol.Optional("device_name"): _LABEL,
        vol.Optional("client"): _LABEL,
        vol.Optional("client_version"): _LABEL,
    }
)
REFRESH = vol.Schema({vol.Required("refresh_token"): vol.All(str, vol.Length(max=512))})
FIRST_ADMIN = vol.Schema({vol.Required("username"): _NAME, vol.Required("password"): str})
CODE = vol.Schema({vol.Required("code"): vol.All(str, vol.Length(max=32))})
PASSWORD_ONLY = vol.Schema({vol.Required("password"): str})
CHANGE_PASSWORD = vol.Schema({vol.Required("old_password"): str, vol.Required("new_password"): str})

LIBRARY_ACCESS = vol.Any("all", [vol.All(str, vol.Length(min=1, max=64))])
NEW_USER = vol.Schema(
    {
        vol.Required("username"): _NAME,
        vol.Required("password"): str,
        vol.Optional("role", default="user"): _NAME,
        vol.Optional("display_name"): _LABEL,
        vol.Optional("library_access", default="all"): LIBRARY_ACCESS,
        vol.Optional("max_parental_rating"): nullable(vol.All(int, vol.Range(min=0, max=21))),
        vol.Optional("block_unrated", default=False): bool,
    }
)
USER_UPDATE = vol.Schema(
    {
        vol.Optional("username"): _NAME,
        vol.Optional("display_name"): _LABEL,
        vol.Optional("role"): _NAME,
        vol.Optional("disabled"): bool,
        vol.Optional("password"): str,
        vol.Optional("library_access"): LIBRARY_ACCESS,
        vol.Optional("max_parental_rating"): nullable(vol.All(int, vol.Range(min=0, max=21))),
        vol.Optional("block_unrated"): bool,
    }
)
PREFERENCES = vol.Schema(
    {
        vol.Optional("language"): vol.All(
            str, vol.Match(r"^[a-z]{2,3}(-[A-Z]{2})?$", msg="expected e.g. 'en' or 'en-GB'")
        ),
        vol.Optional("subtitle_mode"): vol.In(["default", "always", "only_forced", "smart", "none"]),
        vol.Optional("subtitle_languages"): vol.All([_LANGUAGE], vol.Length(max=10)),
        vol.Optional("audio_language"): nullable(_LANGUAGE),
        vol.Optional("max_streaming_bitrate"): nullable(vol.All(int, vol.Range(min=64_000, max=400_000_000))),
        vol.Optional("theme"): vol.In(["dark", "light", "system"]),
        vol.Optional("home_sections"): vol.All(
            [vol.In(["continue_watching", "next_up", "latest", "libraries", "favorites"])], vol.Length(max=10)
        ),
    }
)
API_KEY = vol.Schema(
    {
        vol.Required("name"): _NAME,
        vol.Optional("scope", default="read"): vol.In(["read", "full", "permissions"]),
        vol.Optional("permissions", default=[]): [vol.In(sorted(PERMISSIONS))],
    }
)
ROLE = vol.Schema({vol.Required("permissions"): [vol.In(sorted(PERMISSIONS))]})
