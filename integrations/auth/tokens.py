"""Access tokens (short-lived JWTs) and refresh tokens (rotated; reuse revokes the whole family)."""

from __future__ import annotations

import hmac
import time
import uuid
from dataclasses import dataclass

import jwt

from core.storage import Database
from integrations.auth.secrets import TokenHasher, new_token

ALGORITHM = "HS256"
VERIFIED_CACHE = 10_000  # tokens remembered as verified (revocation is checked separately, per device)


class TokenError(Exception):
    """The token is missing, malformed, expired, revoked or reused. The message is safe to show."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    device_id: str


class Tokens:
    def __init__(self, db: Database, key: bytes, hasher: TokenHasher, access_ttl: float, refresh_ttl: float) -> None:
        self.db = db
        self._key = key
        self._hasher = hasher
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self._verified: dict[str, tuple[AccessClaims, float]] = {}

    def issue_access(self, user_id: str, device_id: str) -> str:
        now = int(time.time())
        claims = {"sub": user_id, "dev": device_id, "iat": now, "exp": now + int(self.access_ttl), "typ": "access"}
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify_access(self, token: str) -> AccessClaims:
        """Signature, expiry, type. A token verified before is remembered until it expires: a player sends the
        same one with every request, and the HMAC and JSON work is a tenth of a small request's cost."""
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            return known[0]
        try:
            claims = jwt.decode(
                token, self._key, algorithms=[ALGORITHM], options={"require": ["exp", "iat", "sub", "dev"]}
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("access token expired") from None
        except jwt.InvalidTokenError:
            raise TokenError("invalid access token") from None
        if claims.get("typ") != "access":
            raise TokenError("invalid access token")
        verified = AccessClaims(str(claims["sub"]), str(claims["dev"]))
        if len(self._verified) >= VERIFIED_CACHE:
            self._verified.clear()
        self._verified[token] = (verified, float(claims["exp"]))
        return verified

    async def issue_refresh(self, device_id: str, family: str | None = None) -> str:
        token_id, secret = uuid.uuid4().hex, new_token()
        await self.db.execute(
            "INSERT INTO refresh_tokens (id, family, device_id, secret_hash, expires_at) VALUES (?, ?, ?, ?, ?)",
            (
                token_id,
                family or uuid.uuid4().hex,
                device_id,
                self._hasher.hash(secret),
                time.time() + self.refresh_ttl,
            ),
        )
        return f"{token_id}.{secret}"

    async def rotate(self, refresh_token: str) -> tuple[str, str]:
        """Spend a refresh token: returns (device_id, new refresh token). A second use revokes the family."""
        token_id, _, secret = refresh_token.partition(".")
        row = await self.db.fetch_one("SELECT * FROM refresh_tokens WHERE id = ?", (token_id,))
        if row is None or not secret or not hmac.compare_digest(self._hasher.hash(secret), row["secret_hash"]):
            raise TokenError("invalid refresh token")
        now = time.time()
        if row["revoked_at"] is not None or row["expires_at"] < now:
            raise TokenError("refresh token expired or revoked")
        if row["used_at"] is not None:
            # Someone kept an old token: treat it as stolen and end every token of that login.
            await self.db.execute(
                "UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL", (now, row["family"])
            )
            raise TokenError("refresh token was already used; sign in again")
        claimed = await self.db.execute(
            "UPDATE refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL", (now, token_id)
        )
        if not claimed:  # a concurrent rotation won the race
            raise TokenError("refresh token was already used; sign in again")
        return row["device_id"], await self.issue_refresh(row["device_id"], row["family"])

    async def revoke_device(self, device_id: str) -> None:
        await self.db.execute(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL",
            (time.time(), device_id),
        )
