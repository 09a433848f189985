"""System information, sign-in, users, sessions, display preferences, branding, localization and the web client."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from integrations.auth.credentials import client_ip, media_browser_fields
from integrations.auth.service import Client, LoginFailed
from integrations.auth.users import clean_label
from integrations.jellyfin.protocol import JellyfinError, Query, jf_date, no_content, normalize_id, respond
from integrations.jellyfin.server import PRODUCT_NAME, VERSION, JellyfinServer
from integrations.jellyfin.web_client import WebClientFiles
from integrations.library.ratings import LEVELS

MAX_BITRATE_TEST_BYTES = 10_000_000
MAX_PREF_ID = 128
MAX_CUSTOM_PREFS = 500

COUNTRIES = [
    ("US", "USA", "United States"),
    ("GB", "GBR", "United Kingdom"),
    ("CA", "CAN", "Canada"),
    ("AU", "AUS", "Australia"),
    ("DE", "DEU", "Germany"),
    ("FR", "FRA", "France"),
    ("ES", "ESP", "Spain"),
    ("IT", "ITA", "Italy"),
    ("NL", "NLD", "Netherlands"),
    ("JP", "JPN", "Japan"),
    ("BR", "BRA", "Brazil"),
]
CULTURES = [
    ("en-US", "English", "en", "eng"),
    ("de", "German", "de", "ger"),
    ("fr", "French", "fr", "fre"),
    ("es", "Spanish", "es", "spa"),
    ("it", "Italian", "it", "ita"),
    ("nl", "Dutch", "nl", "dut"),
    ("ja", "Japanese", "ja", "jpn"),
    ("pt-BR", "Portuguese (Brazil)", "pt", "por"),
]


def authorization_fields(request: Request) -> dict[str, str]:
    """The MediaBrowser/Emby authorization header's fields (lowercased names), or {} when there is none."""
    for header in (request.headers.get("authorization", ""), request.headers.get("x-emby-authorization", "")):
        if header.lower().startswith(("mediabrowser", "emby")):
            return media_browser_fields(header)
    return {}


def _body_value(body: dict[str, Any], name: str) -> Any:
    lowered = {key.lower(): value for key, value in body.items()}
    return lowered.get(name.lower())


async def json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise JellyfinError(400, "Body is not valid JSON") from None
    if not isinstance(body, dict):
        raise JellyfinError(400, "Body must be a JSON object")
    return body


class SystemRoutes:
    def __init__(self, server: JellyfinServer) -> None:
        self.server = server

    def register(self) -> None:
        route = self.server.route
        route("/System/Info/Public", self.public_info, public=True)
        route("/System/Info", self.info)
        route("/System/Ping", self.ping, methods=["GET", "POST"], public=True)
        route("/System/Endpoint", self.endpoint_info)
        route("/System/Configuration", self.configuration)
        route("/GetUTCTime", self.utc_time, public=True)
        route("/Users/Public", self.public_users, public=True)
        route("/Users/AuthenticateByName", self.authenticate, methods=["POST"], public=True)
        route("/Users/Me", self.me)
        route("/Users", self.users, permission="manage_users")
        route("/Users/{userId}", self.user)
        route(["/Sessions/Capabilities", "/Sessions/Capabilities/Full"], self.capabilities, methods=["POST"])
        route("/Sessions", self.sessions)
        route("/Sessions/Logout", self.logout, methods=["POST"])
        route("/DisplayPreferences/{prefId}", self.get_preferences)
        route("/DisplayPreferences/{prefId}", self.set_preferences, methods=["POST"])
        route("/Branding/Configuration", self.branding, public=True)
        route(["/Branding/Css", "/Branding/Css.css"], self.branding_css, public=True)
        route("/QuickConnect/Enabled", self.quick_connect, public=True)
        route("/Startup/Configuration", self.startup, permission="manage_server")
        route("/Playback/BitrateTest", self.bitrate_test)
        route("/Localization/Countries", self.countries)
        route("/Localization/Cultures", self.cultures)
        route("/Localization/Options", self.options)
        route("/Localization/ParentalRatings", self.parental_ratings)
        self.server.scope.http.register_route("/web", self.web_redirect, methods=["GET"], public=True)
        web_path = self.server.config.get("web_path")
        if web_path:
            self.server.scope.http.register_mount("/web", WebClientFiles(Path(web_path)), public=True)

    # -- system ---------------------------------------------------------------------------------------------

    def _public_info(self, request: Request) -> dict[str, Any]:
        return {
            "LocalAddress": str(request.base_url).rstrip("/"),
            "ServerName": self.server.server_name,
            "Version": VERSION,
            "ProductName": PRODUCT_NAME,
            "OperatingSystem": "",
            "Id": self.server.server_id,
            "StartupWizardCompleted": True,
        }

    async def public_info(self, request: Request) -> Response:
        return respond(request, self._public_info(request))

    async def info(self, request: Request) -> Response:
        principal = self.server.caller(request)
        info = {
            **self._public_info(request),
            "OperatingSystemDisplayName": "",
            "PackageName": "marquee",
            "HasPendingRestart": False,
            "IsShuttingDown": False,
            "SupportsLibraryMonitor": True,
            "WebSocketPortNumber": request.url.port or (443 if request.url.scheme == "https" else 80),
            "CompletedInstallations": [],
            "CanSelfRestart": False,
            "CanLaunchWebBrowser": False,
            "CastReceiverApplications": [],
            "HasUpdateAvailable": False,
            "SystemArchitecture": "X64",
        }
        if not principal.is_admin:  # paths are for administrators only
            info = {k: v for k, v in info.items() if not k.endswith("Path")}
        return respond(request, info)

    async def configuration(self, request: Request) -> Response:
        """The server settings clients read (resume thresholds, names); Marquee's own config is the truth."""
        self.server.caller(request)
        return respond(
            request,
            {
                "IsStartupWizardCompleted": True,
                "ServerName": self.server.server_name,
                "UICulture": "en-US",
                "MetadataCountryCode": "US",
                "PreferredMetadataLanguage": "en",
                "EnableFolderView": False,
                "DisplaySpecialsWithinSeasons": True,
                "MinResumePct": 5,
                "MaxResumePct": 90,
                "MinResumeDurationSeconds": 30,
                "QuickConnectAvailable": False,
                "EnableMetrics": False,
                "CastReceiverApplications": [],
            },
        )

    async def ping(self, request: Request) -> Response:
        return respond(request, PRODUCT_NAME)

    async def endpoint_info(self, request: Request) -> Response:
        host = client_ip(request)
        local = host in ("127.0.0.1", "::1") or host.startswith(("10.", "192.168.", "172."))
        return respond(request, {"IsLocal": local, "IsInNetwork": local})

    async def utc_time(self, request: Request) -> Response:
        now = jf_date(time.time())
        return respond(request, {"RequestReceptionTime": now, "ResponseTransmissionTime": now})

    # -- users and signing in -----------------------------------------------------------------------------------

    async def public_users(self, request: Request) -> Response:
        return respond(request, [])  # usernames are never listed to anonymous callers

    async def authenticate(self, request: Request) -> Response:
        fields = authorization_fields(request)
        if not fields.get("client") or not fields.get("deviceid"):
            raise JellyfinError(400, "The authorization header must name Client and DeviceId (MediaBrowser ...)")
        body = await json_object(request)
        username, password = _body_value(body, "Username"), _body_value(body, "Pw")
        if not isinstance(username, str) or not username or not isinstance(password, str | type(None)):
            raise JellyfinError(400, "Username and Pw are required")
        client = Client(
            ip=client_ip(request),
            device_key=clean_label(fields.get("deviceid"), 128),
            device_name=fields.get("device"),
            client=fields.get("client"),
            version=fields.get("version"),
        )
        auth = self.server.auth
        try:
            session = await auth.login(username, password or "", client, None)
        except LoginFailed as err:
            message = err.message
            if err.extra.get("two_factor_required"):
                message = "This account uses two-factor sign-in, which Jellyfin apps can't do; use the Marquee app"
            return Response(message, status_code=err.status, media_type="text/plain; charset=utf-8")
        # Jellyfin apps keep one opaque token per device for good: bind it to the Marquee device, so that
        # revoking the device (or signing in again on it) ends it.
        token = await auth.issue_session_token(session["device_id"])
        principal = await auth.principal_for(token)
        user = await auth.users.get(session["user_id"])
        if principal is None or user is None:
            raise JellyfinError(500, "Sign-in could not be completed")
        device = await auth.devices.get(session["device_id"])
        return respond(
            request,
            {
                "User": self.server.user_dto(user),
                "SessionInfo": self.server.session_dto(principal, device),
                "AccessToken": token,
                "ServerId": self.server.server_id,
            },
        )

    async def me(self, request: Request) -> Response:
        principal = self.server.caller(request)
        user = await self.server.auth.users.get(principal.user_id)
        if user is None:
            raise JellyfinError(404, "User not found")
        return respond(request, self.server.user_dto(user))

    async def users(self, request: Request) -> Response:
        return respond(request, [self.server.user_dto(user) for user in await self.server.auth.users.list()])

    async def user(self, request: Request) -> Response:
        principal = self.server.caller(request)
        user_id = normalize_id(request.path_params["userId"], "userId")
        if user_id != principal.user_id and not principal.is_admin:
            raise JellyfinError(403, "Access denied to another user")
        user = await self.server.auth.users.get(user_id)
        if user is None:
            raise JellyfinError(404, "User not found")
        return respond(request, self.server.user_dto(user))

    # -- sessions ------------------------------------------------------------------------------------------------

    async def capabilities(self, request: Request) -> Response:
        self.server.caller(request)
        return no_content()

    async def sessions(self, request: Request) -> Response:
        return respond(request, await self.server.sessions_of(self.server.caller(request)))

    async def logout(self, request: Request) -> Response:
        principal = self.server.caller(request)
        if principal.device_id is not None:
            await self.server.auth.revoke_device(principal.device_id)
        return no_content()

    # -- display preferences ---------------------------------------------------------------------------------------

    def _pref_key(self, request: Request) -> tuple[str, str]:
        pref_id = request.path_params["prefId"]
        client = Query(request).text("client", "emby") or "emby"
        if len(pref_id) > MAX_PREF_ID or len(client) > 64:
            raise JellyfinError(400, "Display preferences id or client name is too long")
        return pref_id, client

    async def get_preferences(self, request: Request) -> Response:
        principal = await self.server.acting_user(request, Query(request).text("userId"))
        pref_id, client = self._pref_key(request)
        raw = await self.server.db.fetch_value(
            "SELECT data FROM jellyfin_display_preferences WHERE user_id = ? AND pref_id = ? AND client = ?",
            (principal.user_id, pref_id, client),
        )
        stored = orjson.loads(raw) if raw else {}
        return respond(request, {**_default_preferences(pref_id, client), **stored})

    async def set_preferences(self, request: Request) -> Response:
        principal = await self.server.acting_user(request, Query(request).text("userId"))
        pref_id, client = self._pref_key(request)
        body = await json_object(request)
        stored = _clean_preferences(body)
        await self.server.db.execute(
            "INSERT INTO jellyfin_display_preferences (user_id, pref_id, client, data, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, pref_id, client) DO UPDATE SET data = excluded.data, "
            "updated_at = excluded.updated_at",
            (principal.user_id, pref_id, client, orjson.dumps(stored).decode(), time.time()),
        )
        return no_content()

    # -- branding, setup, misc -----------------------------------------------------------------------------------

    async def branding(self, request: Request) -> Response:
        return respond(request, {"LoginDisclaimer": "", "CustomCss": "", "SplashscreenEnabled": False})

    async def branding_css(self, request: Request) -> Response:
        return Response("", media_type="text/css")

    async def quick_connect(self, request: Request) -> Response:
        return respond(request, False)

    async def startup(self, request: Request) -> Response:
        return respond(
            request,
            {
                "ServerName": self.server.server_name,
                "UICulture": "en-US",
                "MetadataCountryCode": "US",
                "PreferredMetadataLanguage": "en",
            },
        )

    async def bitrate_test(self, request: Request) -> Response:
        size = Query(request).integer("size", 102400, 1, MAX_BITRATE_TEST_BYTES) or 1
        return Response(secrets.token_bytes(size), media_type="application/octet-stream")

    async def countries(self, request: Request) -> Response:
        return respond(
            request,
            [
                {"Name": two, "DisplayName": name, "TwoLetterISORegionName": two, "ThreeLetterISORegionName": three}
                for two, three, name in COUNTRIES
            ],
        )

    async def cultures(self, request: Request) -> Response:
        return respond(
            request,
            [
                {
                    "Name": name,
                    "DisplayName": name,
                    "TwoLetterISOLanguageName": two,
                    "ThreeLetterISOLanguageName": three,
                    "ThreeLetterISOLanguageNames": [three],
                }
                for _, name, two, three in CULTURES
            ],
        )

    async def options(self, request: Request) -> Response:
        return respond(request, [{"Name": name, "Value": code} for code, name, _, _ in CULTURES])

    async def parental_ratings(self, request: Request) -> Response:
        return respond(request, [{"Name": name, "Value": level} for name, level in LEVELS.items()])

    async def web_redirect(self, request: Request) -> Response:
        return RedirectResponse("/web/index.html", status_code=302)


def _default_preferences(pref_id: str, client: str) -> dict[str, Any]:
    return {
        "Id": pref_id,
        "SortBy": "SortName",
        "RememberIndexing": False,
        "PrimaryImageHeight": 250,
        "PrimaryImageWidth": 250,
        "CustomPrefs": {},
        "ScrollDirection": "Horizontal",
        "ShowBackdrop": True,
        "RememberSorting": False,
        "SortOrder": "Ascending",
        "ShowSidebar": False,
        "Client": client,
    }


_PREF_FIELDS = {
    "ViewType": str,
    "SortBy": str,
    "IndexBy": str,
    "RememberIndexing": bool,
    "PrimaryImageHeight": int,
    "PrimaryImageWidth": int,
    "ScrollDirection": str,
    "ShowBackdrop": bool,
    "RememberSorting": bool,
    "SortOrder": str,
    "ShowSidebar": bool,
}


def _clean_preferences(body: dict[str, Any]) -> dict[str, Any]:
    """Only the DTO's own fields, with their types; CustomPrefs as string -> string (or null), bounded."""
    lowered = {key.lower(): value for key, value in body.items()}
    stored: dict[str, Any] = {}
    for name, kind in _PREF_FIELDS.items():
        value = lowered.get(name.lower())
        if value is None:
            continue
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise JellyfinError(400, f"{name} must be an integer")
        if kind is not int and not isinstance(value, kind):
            raise JellyfinError(400, f"{name} must be a {kind.__name__}")
        if kind is str and value not in ("Ascending", "Descending", "Horizontal", "Vertical") and len(value) > 200:
            raise JellyfinError(400, f"{name} is too long")
        stored[name] = value
    if stored.get("SortOrder") not in (None, "Ascending", "Descending"):
        raise JellyfinError(400, "SortOrder must be Ascending or Descending")
    if stored.get("ScrollDirection") not in (None, "Horizontal", "Vertical"):
        raise JellyfinError(400, "ScrollDirection must be Horizontal or Vertical")
    custom = lowered.get("customprefs") or {}
    if not isinstance(custom, dict) or len(custom) > MAX_CUSTOM_PREFS:
        raise JellyfinError(400, f"CustomPrefs must be an object of at most {MAX_CUSTOM_PREFS} entries")
    prefs: dict[str, str | None] = {}
    for key, value in custom.items():
        if len(key) > 200 or (value is not None and not isinstance(value, str)) or len(value or "") > 10_000:
            raise JellyfinError(400, "CustomPrefs values must be strings")
        prefs[key] = value
    stored["CustomPrefs"] = prefs
    return stored
