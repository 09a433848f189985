"""Signing in, tokens, refresh rotation, logout, revocation, JWT tampering."""

import base64
import time

import jwt
import orjson

from plugin_sdk.testing import ADMIN_PASSWORD
from tests.integrations.auth.conftest import PASSWORD, make_user, request


async def test_first_admin_only_once_and_setup_state(marquee_hub):
    running = await marquee_hub(sign_in=False)
    assert (await request(running.anonymous, "GET", "/api/v1/auth/setup")) == (200, {"first_admin_required": True})
    body = {"username": "root", "password": "short"}
    status, error = await request(running.anonymous, "POST", "/api/v1/auth/first-admin", json=body)
    assert (status, error["error"]["problems"]) == (400, ["password must be at least 8 characters"])
    body["password"] = "long enough password"
    assert (await request(running.anonymous, "POST", "/api/v1/auth/first-admin", json=body))[0] == 201
    body["username"] = "intruder"
    status, error = await request(running.anonymous, "POST", "/api/v1/auth/first-admin", json=body)
    assert (status, error["error"]["message"]) == (409, "The first admin already exists; sign in instead")
    assert (await request(running.anonymous, "GET", "/api/v1/auth/setup"))[1] == {"first_admin_required": False}


async def test_wrong_password_and_unknown_user_get_the_same_answer(marquee_hub):
    running = await marquee_hub()
    wrong = await request(
        running.anonymous, "POST", "/api/v1/auth/login", json={"username": "admin", "password": "x" * 9}
    )
    unknown = await request(
        running.anonymous, "POST", "/api/v1/auth/login", json={"username": "ghost", "password": "x" * 9}
    )
    assert wrong[0] == unknown[0] == 401
    strip = lambda body: {k: v for k, v in body["error"].items() if k != "request_id"}  # noqa: E731
    assert strip(wrong[1]) == strip(unknown[1]) == {"status": 401, "message": "Invalid username or password"}
    users = {u["username"]: u for u in (await running.get_json("/api/v1/users"))[1]}
    assert users["admin"]["failed_logins"] == 1  # counted, visible to admins


async def test_refresh_rotates_and_reuse_revokes_the_family(marquee_hub):
    running = await marquee_hub()
    session = await running.login("admin", ADMIN_PASSWORD, device_id="phone-1")
    status, second = await request(running.anonymous, "POST", "/api/v1/auth/refresh",
                                   json={"refresh_token": session["refresh_token"]})  # fmt: skip
    assert status == 200 and second["refresh_token"] != session["refresh_token"]
    headers = {"Authorization": f"Bearer {second['access_token']}"}
    assert (await request(running.anonymous, "GET", "/api/v1/users/me", headers=headers))[0] == 200
    # The old refresh token again: theft suspected, the whole family dies, including the newest token.
    status, error = await request(running.anonymous, "POST", "/api/v1/auth/refresh",
                                  json={"refresh_token": session["refresh_token"]})  # fmt: skip
    assert (status, error["error"]["message"]) == (401, "refresh token was already used; sign in again")
    status, _ = await request(running.anonymous, "POST", "/api/v1/auth/refresh",
                              json={"refresh_token": second["refresh_token"]})  # fmt: skip
    assert status == 401
    assert (await request(running.anonymous, "POST", "/api/v1/auth/refresh", json={"refresh_token": "a.b"}))[0] == 401


async def test_logout_revokes_the_device_tokens_at_once(marquee_hub):
    running = await marquee_hub()
    session = await running.login("admin", ADMIN_PASSWORD, device_id="tv")
    headers = {"Authorization": f"Bearer {session['access_token']}"}
    assert (await request(running.anonymous, "POST", "/api/v1/auth/logout", headers=headers))[0] == 204
    assert (await request(running.anonymous, "GET", "/api/v1/users/me", headers=headers))[0] == 401
    status, _ = await request(running.anonymous, "POST", "/api/v1/auth/refresh",
                              json={"refresh_token": session["refresh_token"]})  # fmt: skip
    assert status == 401
    assert (await running.get_json("/api/v1/users/me"))[0] == 200  # other devices are unaffected


async def test_disabled_user_is_locked_out_immediately(marquee_hub):
    running = await marquee_hub()
    user = await make_user(running, "carol")
    carol = await running.session_for("carol", PASSWORD)
    assert (await request(carol, "GET", "/api/v1/users/me"))[0] == 200
    await running.request("PUT", f"/api/v1/users/{user['id']}", json={"disabled": True})
    assert (await request(carol, "GET", "/api/v1/users/me"))[0] == 401
    status, error = await request(running.anonymous, "POST", "/api/v1/auth/login",
                                  json={"username": "carol", "password": PASSWORD})  # fmt: skip
    assert (status, error["error"]["message"]) == (403, "This account is disabled")


async def test_expired_tampered_unsigned_and_foreign_tokens_are_refused(marquee_hub):
    running = await marquee_hub()
    token = running.admin_token
    header, payload, signature = token.split(".")
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=="))
    forged_claims = base64.urlsafe_b64encode(orjson.dumps({**claims, "sub": "someone-else"})).rstrip(b"=").decode()
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    foreign = jwt.encode(claims, "another-servers-key", algorithm="HS256")
    key = (running.hub.data_dir / "auth" / "signing.key").read_text()
    expired = jwt.encode({**claims, "exp": int(time.time()) - 10}, bytes.fromhex(key), algorithm="HS256")
    for bad in (f"{header}.{forged_claims}.{signature}", unsigned, foreign, expired, "garbage", token[:-2]):
        status, body = await request(running.anonymous, "GET", "/api/v1/users/me",
                                     headers={"Authorization": f"Bearer {bad}"})  # fmt: skip
        assert status == 401, bad
        assert body["error"]["message"] == "Invalid or expired credentials"


async def test_login_throttling_locks_out_and_says_when_to_retry(marquee_hub):
    running = await marquee_hub(
        "auth:\n  argon2: {time_cost: 1, memory_kib: 8192}\n  login_limits: {max_attempts: 3, lockout_seconds: 30}\n"
    )
    for _ in range(3):
        status, _ = await request(running.anonymous, "POST", "/api/v1/auth/login",
                                  json={"username": "admin", "password": "wrong-password"})  # fmt: skip
        assert status == 401
    status, body = await request(running.anonymous, "POST", "/api/v1/auth/login",
                                 json={"username": "admin", "password": ADMIN_PASSWORD})  # fmt: skip
    assert status == 429
    assert body["error"]["retry_after"] > 0


async def test_client_names_are_stored_without_control_characters(marquee_hub):
    running = await marquee_hub()
    await running.login("admin", ADMIN_PASSWORD, device_id="evil", device_name="TV\r\nSet-Cookie: x=1",
                        client="App\x00\x1b[31m")  # fmt: skip
    devices = (await running.get_json("/api/v1/users/me/devices"))[1]
    evil = next(d for d in devices if d["device_key"] == "evil")
    assert evil["name"] == "TVSet-Cookie: x=1"
    assert evil["client"] == "App[31m"


async def test_oversized_body_is_a_413(marquee_hub):
    running = await marquee_hub()
    status, body = await request(running.anonymous, "POST", "/api/v1/auth/login", data=b"{" + b" " * (2 << 20) + b"}")
    assert status == 413
    assert body["error"]["message"].startswith("Request body is larger than")


async def test_security_headers_on_every_response(marquee_hub):
    running = await marquee_hub()
    async with running.anonymous.get("/health/live") as response:
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS
