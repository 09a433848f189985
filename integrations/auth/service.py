"""Authentication: sign in through the configured backends, tokens, devices, principals, revocation."""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

import orjson

from core.scope import IntegrationScope
from integrations.auth.apikeys import PREFIX as API_KEY_PREFIX
from integrations.auth.apikeys import ApiKeys
from integrations.auth.devices import DeviceStore
from integrations.auth.passwords import Passwords
from integrations.auth.ratelimit import LoginThrottle
from integrations.auth.secrets import TokenHasher
from integrations.auth.tokens import TokenError, Tokens
from integrations.auth.totp import RecoveryCodes, accepted_counter
from integrations.auth.users import UserStore
from plugin_sdk.auth import PERMISSIONS, AuthenticationRejected, Identity, Principal

_LOGGER = logging.getLogger(__name__)
MEDIA_TOKEN_PREFIX = "mt_"
MEDIA_TOKEN_TTL = 12 * 3600.0
SEEN_EVERY = 60.0  # seconds between last-seen writes for one device
PRINCIPAL_TTL = 2.0  # seconds a resolved principal is reused; revocations apply within this
CACHE_PREFIX = "auth:"
EVENT_USER_CHANGED = "auth.user.changed"


class LoginFailed(Exception):
    """Sign-in refused. `status` and `message` go to the client; `extra` adds machine-readable hints."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


@dataclass(frozen=True, slots=True)
class Client:
    ip: str
    device_key: str | None = None
    device_name: str | None = None
    client: str | None = None
    version: str | None = None


class AuthService:
    def __init__(self, scope: IntegrationScope, config: dict[str, Any], key: bytes) -> None:
        self.scope = scope
        self.config = config
        self.hasher = TokenHasher(key)
        self.users = UserStore(scope.db)
        self.devices = DeviceStore(scope.db)
        self.api_keys = ApiKeys(scope.db, self.hasher)
        self.recovery = RecoveryCodes(scope.db, self.hasher)
        argon = config["argon2"]
        self.passwords = Passwords(argon["time_cost"], argon["memory_kib"], argon["parallelism"])
        self.throttle = LoginThrottle(config["limits"])
        self._seen: dict[str, float] = {}
        self.tokens = Tokens(
            scope.db, key, self.hasher, config["access_token_minutes"] * 60, config["refresh_token_days"] * 86400
        )

    # -- signing in ------------------------------------------------------------------------------------

    async def login(self, username: str, password: str, client: Client, second_factor: str | None) -> dict[str, Any]:
        wait = self.throttle.retry_after(client.ip, username)
        if wait > 0:
            raise LoginFailed(429, "Too many failed sign-ins; try again later", retry_after=int(wait) + 1)
        identity = await self._authenticate(username, password)
        if identity is None:
            await self._failed(client.ip, username)
            raise LoginFailed(401, "Invalid username or password")
        user = await self._user_for(identity)
        if user["disabled"]:
            raise LoginFailed(403, "This account is disabled")
        if user["totp_enabled"]:
            if not second_factor:
                raise LoginFailed(401, "A two-factor code is required", two_factor_required=True)
            if not await self._second_factor_ok(user, second_factor):
                await self._failed(client.ip, username)
                raise LoginFailed(401, "Invalid two-factor code", two_factor_required=True)
        self.throttle.succeeded(username)
        await self.users.update(user["id"], last_login_at=time.time(), failed_logins=0)
        return await self.start_session(user["id"], client)

    async def start_session(self, user_id: str, client: Client) -> dict[str, Any]:
        device_id = await self.devices.register(
            user_id, client.device_key, client.device_name, client.client, client.version, client.ip
        )
        # A re-activated device may be cached as revoked: forget only that device, not everyone's principals.
        self.scope.cache.clear(f"{CACHE_PREFIX}device:{device_id}:")
        return {
            "access_token": self.tokens.issue_access(user_id, device_id),
            "refresh_token": await self.tokens.issue_refresh(device_id),
            "token_type": "Bearer",
            "expires_in": int(self.tokens.access_ttl),
            "device_id": device_id,
            "user_id": user_id,
        }

    async def _authenticate(self, username: str, password: str) -> Identity | None:
        """Ask the backends in the configured order; the first that knows the user decides."""
        implementations = {
            impl.plugin_name.split("#", 1)[0]: impl
            for impl in self.scope.root.hooks.manager.hook.authenticate.get_hookimpls()
        }
        for backend in self.config["backends"]:
            impl = implementations.get(backend)
            if impl is None:
                continue
            try:
                result = impl.function(username=username, password=password)
                if hasattr(result, "__await__"):
                    result = await result
            except AuthenticationRejected:
                return None
            except Exception:
                _LOGGER.exception("Authentication backend '%s' failed", backend)
                continue
            if result is not None:
                return result
        return None

    async def _user_for(self, identity: Identity) -> dict[str, Any]:
        """The local user for an identity; backends other than local create it on first sign-in."""
        user = await self.users.by_username(identity.username)
        role = identity.role or self.config["default_role"]
        if not await self.users.role_permissions(role):
            _LOGGER.warning("Role '%s' from %s does not exist; using '%s'", role, identity.provider,
                            self.config["default_role"])  # fmt: skip
            role = self.config["default_role"]
        if user is None:
            user = await self.users.create(
                identity.username, provider=identity.provider, role=role, display_name=identity.display_name
            )
            _LOGGER.info("Created user '%s' from %s on first sign-in", identity.username, identity.provider)
        elif user["provider"] != identity.provider:
            # An LDAP "admin" must never become the local admin account.
            _LOGGER.warning(
                "Refused sign-in of '%s' through %s: that username belongs to a %s account",
                identity.username, identity.provider, user["provider"],
            )  # fmt: skip
            raise LoginFailed(401, "Invalid username or password")
        elif identity.role and identity.provider != "auth_local" and role != user["role"]:
            await self.users.update(user["id"], role=role)  # group membership changed upstream
            user = await self.users.get(user["id"]) or user
        return user

    async def _failed(self, ip: str, username: str) -> None:
        self.throttle.failed(ip, username)
        user = await self.users.by_username(username)
        if user is not None:
            await self.users.update(
                user["id"], failed_logins=user["failed_logins"] + 1, last_failed_login_at=time.time()
            )

    async def _second_factor_ok(self, user: dict[str, Any], code: str) -> bool:
        counter = accepted_counter(user["totp_secret"], code, user["totp_last_counter"])
        if counter is not None:
            claimed = await self.scope.db.execute(
                "UPDATE users SET totp_last_counter = ? WHERE id = ? AND "
                "(totp_last_counter IS NULL OR totp_last_counter < ?)",
                (counter, user["id"], counter),
            )
            return bool(claimed)
        return await self.recovery.use(user["id"], code)

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        device_id, new_refresh = await self.tokens.rotate(refresh_token)
        device = await self.devices.get(device_id)
        user = await self.users.get(device["user_id"]) if device else None
        if device is None or user is None or device["revoked_at"] is not None or user["disabled"]:
            raise TokenError("this device was signed out")
        return {
            "access_token": self.tokens.issue_access(user["id"], device_id),
            "refresh_token": new_refresh,
            "token_type": "Bearer",
            "expires_in": int(self.tokens.access_ttl),
            "device_id": device_id,
            "user_id": user["id"],
        }

    async def revoke_device(self, device_id: str) -> None:
        await self.devices.revoke(device_id)
        await self.tokens.revoke_device(device_id)
        self.invalidate()

    def invalidate(self) -> None:
        """Forget cached principals: a disabled user or revoked device is refused on the next request."""
        self.scope.cache.clear(CACHE_PREFIX)
        self.scope.bus.fire(EVENT_USER_CHANGED, {})

    # -- resolving a request's credentials --------------------------------------------------------------

    async def issue_session_token(self, device_id: str) -> str:
        """A long-lived opaque token bound to one device (the Jellyfin apps' model): it ends when the device is
        revoked, or replaced when the device signs in again."""
        token = secrets.token_hex(16)
        await self.scope.db.execute(
            "UPDATE devices SET session_token_hash = ? WHERE id = ?", (self.hasher.hash(token), device_id)
        )
        self.invalidate()
        return token

    def issue_media_token(self, principal: Principal, ttl: float = MEDIA_TOKEN_TTL) -> str | None:
        """A credential for URLs that players fetch without headers (HLS segments, subtitles): bound to the
        device (so revoking the device ends it), valid only on media routes, for the length of a viewing."""
        if principal.device_id is None:
            return None
        expires = int(time.time() + ttl)
        body = f"{principal.device_id}.{expires}"
        return f"{MEDIA_TOKEN_PREFIX}{body}.{self.hasher.hash('media:' + body)[:32]}"

    async def _media_principal(self, token: str) -> Principal | None:
        device_id, _, rest = token.removeprefix(MEDIA_TOKEN_PREFIX).partition(".")
        expires, _, signature = rest.partition(".")
        body = f"{device_id}.{expires}"
        if not expires.isdigit() or int(expires) < time.time():
            return None
        if not hmac.compare_digest(signature, self.hasher.hash("media:" + body)[:32]):
            return None
        return await self._device_principal(device_id, "media_token")

    async def principal_for(self, token: str) -> Principal | None:
        if token.startswith(MEDIA_TOKEN_PREFIX):
            return await self._media_principal(token)
        if token.startswith(API_KEY_PREFIX):
            return await self._api_key_principal(token)
        if token.count(".") == 2:
            try:
                claims = self.tokens.verify_access(token)
            except TokenError:
                return None
            principal = await self._device_principal(claims.device_id, "access_token")
            return principal if principal is not None and principal.user_id == claims.user_id else None
        token_hash = self.hasher.hash(token)
        cache_key = f"{CACHE_PREFIX}session:{token_hash}"
        device_id = self.scope.cache.get(cache_key)
        if device_id is None:
            device_id = await self.scope.db.fetch_value(
                "SELECT id FROM devices WHERE session_token_hash = ? AND revoked_at IS NULL", (token_hash,)
            )
            self.scope.cache.set(cache_key, device_id or "", ttl=PRINCIPAL_TTL)
        return await self._device_principal(device_id, "session_token") if device_id else None

    async def _device_principal(self, device_id: str, credential: str) -> Principal | None:
        key = f"{CACHE_PREFIX}device:{device_id}:{credential}"
        cached = self.scope.cache.get(key)
        if cached is not None:
            return cached or None
        row = await self.scope.db.fetch_one(
            "SELECT u.*, d.revoked_at AS device_revoked_at FROM devices d JOIN users u ON u.id = d.user_id "
            "WHERE d.id = ?",
            (device_id,),
        )
        principal = None
        if row is not None and row["device_revoked_at"] is None and not row["disabled"]:
            principal = await self._principal(row, device_id, credential)
            if time.monotonic() - self._seen.get(device_id, -SEEN_EVERY) >= SEEN_EVERY:
                self._seen[device_id] = time.monotonic()
                await self.devices.touch(device_id)
        self.scope.cache.set(key, principal or False, ttl=PRINCIPAL_TTL)
        return principal

    async def _principal(self, user: dict[str, Any], device_id: str | None, credential: str,
                         permissions: frozenset[str] | None = None) -> Principal:  # fmt: skip
        access = orjson.loads(user["library_access"])
        return Principal(
            user_id=user["id"],
            username=user["username"],
            role=user["role"],
            permissions=permissions if permissions is not None else await self.users.role_permissions(user["role"]),
            device_id=device_id,
            credential=credential,
            library_ids=None if access is None else frozenset(access),
            max_parental_rating=user["max_parental_rating"],
            block_unrated=bool(user["block_unrated"]),
        )

    async def _api_key_principal(self, token: str) -> Principal | None:
        cache_key = f"{CACHE_PREFIX}key:{self.hasher.hash(token)}"
        cached = self.scope.cache.get(cache_key)
        if cached is not None:
            return cached or None
        principal = await self._load_api_key_principal(token)
        self.scope.cache.set(cache_key, principal or False, ttl=PRINCIPAL_TTL)
        return principal

    async def _load_api_key_principal(self, token: str) -> Principal | None:
        key = await self.api_keys.find(token)
        if key is None:
            return None
        creator = await self.users.get(key["created_by"])
        if creator is None or creator["disabled"]:
            return None
        allowed = await self.users.role_permissions(creator["role"])
        if key["scope"] == "permissions":
            allowed = allowed & frozenset(orjson.loads(key["permissions"])) & PERMISSIONS
        credential = "api_key_read" if key["scope"] == "read" else "api_key"
        return await self._principal(creator, None, credential, allowed)
