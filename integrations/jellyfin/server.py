"""What every Jellyfin route needs: the server's identity, the caller, the user DTO, route registration."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

import orjson
from starlette.requests import Request

from core.scope import IntegrationScope
from integrations.auth.service import AuthService
from integrations.jellyfin.artwork import ImageSigner
from integrations.jellyfin.protocol import Handler, JellyfinError, PathCanon, endpoint, jf_date, normalize_id
from integrations.library.catalog import image_tag
from plugin_sdk.auth import Principal, principal_of

DOMAIN = "jellyfin"
VERSION = "10.11.0"
PRODUCT_NAME = "Jellyfin Server"


class JellyfinServer:
    def __init__(
        self, scope: IntegrationScope, auth: AuthService, server_id: str, config: dict[str, Any], signer: ImageSigner
    ) -> None:
        self.scope = scope
        self.auth = auth
        self.image_signer = signer  # image tags are capabilities (artwork.py)
        self.server_id = server_id
        self.server_name = config.get("server_name") or "Marquee"
        self.config = config
        self.canon = PathCanon()
        self.trickplay: Any = None  # the TrickplayStore, set at setup

    @property
    def db(self) -> Any:
        return self.scope.db

    @property
    def libraries(self) -> Any:
        return self.scope.root.__dict__["library"].store

    def route(
        self, paths: str | Sequence[str], handler: Handler, methods: Sequence[str] = ("GET",), **access: Any
    ) -> None:
        """Register a Jellyfin route under each spelling given; the middleware matches them case-insensitively."""
        for path in [paths] if isinstance(paths, str) else paths:
            self.canon.add(path)
            self.scope.http.register_route(path, endpoint(handler), methods=list(methods), **access)

    # -- the caller -------------------------------------------------------------------------------------------

    @staticmethod
    def caller(request: Request) -> Principal:
        principal = principal_of(request)
        if principal is None:
            raise JellyfinError(401, "Authentication required")
        return principal

    async def acting_user(self, request: Request, user_id: str | None) -> Principal:
        """The caller, after checking a `userId` the client named: your own, or anyone's for an admin."""
        principal = self.caller(request)
        if user_id is None:
            return principal
        wanted = normalize_id(user_id, "userId")
        if wanted == principal.user_id:
            return principal
        if not principal.is_admin:
            raise JellyfinError(403, "Access denied to another user's data")
        if await self.auth.users.get(wanted) is None:
            raise JellyfinError(404, "User not found")
        return principal  # admins browse with their own (unrestricted) access

    # -- DTOs -------------------------------------------------------------------------------------------------

    def user_dto(self, user: dict[str, Any], last_activity: float | None = None) -> dict[str, Any]:
        access = orjson.loads(user["library_access"])
        admin = user["role"] == "admin"
        return {
            "Name": user["username"],
            "ServerId": self.server_id,
            "ServerName": self.server_name,
            "Id": user["id"],
            "PrimaryImageTag": self.user_image_tag(user),
            "HasPassword": user["password_hash"] is not None,
            "HasConfiguredPassword": user["password_hash"] is not None,
            "HasConfiguredEasyPassword": False,
            "EnableAutoLogin": False,
            "LastLoginDate": jf_date(user["last_login_at"]),
            "LastActivityDate": jf_date(last_activity or user["last_login_at"]),
            "Configuration": {
                "AudioLanguagePreference": "",
                "PlayDefaultAudioTrack": True,
                "SubtitleLanguagePreference": "",
                "DisplayMissingEpisodes": False,
                "GroupedFolders": [],
                "SubtitleMode": "Default",
                "DisplayCollectionsView": False,
                "EnableLocalPassword": False,
                "OrderedViews": [],
                "LatestItemsExcludes": [],
                "MyMediaExcludes": [],
                "HidePlayedInLatest": True,
                "RememberAudioSelections": True,
                "RememberSubtitleSelections": True,
                "EnableNextEpisodeAutoPlay": True,
                "CastReceiverId": "F007D354",
            },
            "Policy": {
                "IsAdministrator": admin,
                "IsHidden": True,
                "EnableCollectionManagement": False,
                "EnableSubtitleManagement": False,
                "EnableLyricManagement": False,
                "IsDisabled": bool(user["disabled"]),
                "MaxParentalRating": user["max_parental_rating"],
                "BlockedTags": [],
                "AllowedTags": [],
                "EnableUserPreferenceAccess": True,
                "AccessSchedules": [],
                "BlockUnratedItems": ["Movie", "Trailer", "Series", "Music"] if user["block_unrated"] else [],
                "EnableRemoteControlOfOtherUsers": False,
                "EnableSharedDeviceControl": False,
                "EnableRemoteAccess": True,
                "EnableLiveTvManagement": False,
                "EnableLiveTvAccess": False,
                "EnableMediaPlayback": True,
                "EnableAudioPlaybackTranscoding": True,
                "EnableVideoPlaybackTranscoding": True,
                "EnablePlaybackRemuxing": True,
                "ForceRemoteSourceTranscoding": False,
                "EnableContentDeletion": False,
                "EnableContentDeletionFromFolders": [],
                "EnableContentDownloading": True,
                "EnableSyncTranscoding": False,
                "EnableMediaConversion": False,
                "EnabledDevices": [],
                "EnableAllDevices": True,
                "EnabledChannels": [],
                "EnableAllChannels": False,
                "EnabledFolders": [] if access is None else list(access),
                "EnableAllFolders": access is None,
                "InvalidLoginAttemptCount": user["failed_logins"],
                "LoginAttemptsBeforeLockout": -1,
                "MaxActiveSessions": 0,
                "EnablePublicSharing": False,
                "BlockedMediaFolders": [],
                "BlockedChannels": [],
                "RemoteClientBitrateLimit": 0,
                "AuthenticationProviderId": "Marquee." + user["provider"],
                "PasswordResetProviderId": "Marquee.none",
                "SyncPlayAccess": "None",
            },
        }

    def user_image_tag(self, user: dict[str, Any]) -> str | None:
        if not user.get("image_path"):
            return None
        return self.image_signer.sign(user["id"], "Primary", 0, image_tag(user["image_path"]), owner="user")

    async def sessions_of(self, principal: Principal) -> list[dict[str, Any]]:
        """The caller's own session; an admin sees every device active in the last day."""
        if not principal.is_admin:
            if principal.device_id is None:
                return []
            return [self.session_dto(principal, await self.auth.devices.get(principal.device_id))]
        rows = await self.db.fetch_all(
            "SELECT d.*, u.username, u.role FROM devices d JOIN users u ON u.id = d.user_id "
            "WHERE d.revoked_at IS NULL AND d.last_seen_at > ? ORDER BY d.last_seen_at DESC LIMIT 500",
            (time.time() - 86400,),
        )
        return [
            self.session_dto(
                dataclasses.replace(
                    principal, user_id=row["user_id"], username=row["username"], role=row["role"], device_id=row["id"]
                ),
                row,
            )
            for row in rows
        ]

    def session_dto(self, principal: Principal, device: dict[str, Any] | None) -> dict[str, Any]:
        device = device or {}
        return {
            "PlayState": {
                "CanSeek": False,
                "IsPaused": False,
                "IsMuted": False,
                "RepeatMode": "RepeatNone",
                "PlaybackOrder": "Default",
            },
            "AdditionalUsers": [],
            "Capabilities": {
                "PlayableMediaTypes": [],
                "SupportedCommands": [],
                "SupportsMediaControl": False,
                "SupportsPersistentIdentifier": True,
            },
            "RemoteEndPoint": device.get("last_ip"),
            "PlayableMediaTypes": [],
            "Id": principal.device_id,
            "UserId": principal.user_id,
            "UserName": principal.username,
            "Client": device.get("client"),
            "LastActivityDate": jf_date(device.get("last_seen_at")),
            "DeviceName": device.get("name"),
            "DeviceId": device.get("device_key"),
            "ApplicationVersion": device.get("client_version"),
            "IsActive": True,
            "SupportsMediaControl": False,
            "SupportsRemoteControl": False,
            "NowPlayingQueue": [],
            "NowPlayingQueueFullItems": [],
            "HasCustomDeviceName": False,
            "ServerId": self.server_id,
            "SupportedCommands": [],
        }
