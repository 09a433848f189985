"""TOTP second factor (pyotp): enrolment with a QR code, replay-safe verification, single-use recovery codes."""

from __future__ import annotations

import io
import secrets
import time

from core.storage import Database
from integrations.auth.secrets import TokenHasher

RECOVERY_CODES = 10


def provisioning(secret: str, username: str, issuer: str) -> dict[str, str]:
    import pyotp
    import segno

    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)
    svg = io.BytesIO()
    segno.make(uri, error="m").save(svg, kind="svg", scale=4, xmldecl=False)
    return {"secret": secret, "provisioning_uri": uri, "qr_svg": svg.getvalue().decode()}


def new_secret() -> str:
    import pyotp

    return pyotp.random_base32()


def accepted_counter(secret: str, code: str, last_counter: int | None) -> int | None:
    """The time step a code belongs to (±1 step for clock drift), or None. Steps at or before the last
    accepted one are refused, so a code can't be replayed."""
    import pyotp  # loads with the first two-factor code, not at start-up

    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):
        counter = totp.timecode(time.time()) + drift
        if secrets.compare_digest(totp.generate_otp(counter), code) and (
            last_counter is None or counter > last_counter
        ):
            return counter
    return None


class RecoveryCodes:
    def __init__(self, db: Database, hasher: TokenHasher) -> None:
        self.db = db
        self.hasher = hasher

    async def replace(self, user_id: str) -> list[str]:
        codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
            await conn.executemany(
                "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)",
                [(user_id, self.hasher.hash(code)) for code in codes],
            )
        return codes

    async def use(self, user_id: str, code: str) -> bool:
        return bool(
            await self.db.execute(
                "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
                (time.time(), user_id, self.hasher.hash(code.strip().lower())),
            )
        )

    async def clear(self, user_id: str) -> None:
        await self.db.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
