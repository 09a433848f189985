"""API keys, two-factor sign-in, user management, preferences, passwords, profile images."""

import io
import time

import pyotp
from PIL import Image

from plugin_sdk.testing import ADMIN_PASSWORD
from tests.integrations.auth.conftest import PASSWORD, make_user, request


async def test_api_keys_are_shown_once_scoped_and_revocable(marquee_hub):
    running = await marquee_hub()
    status, created = await running.post_json("/api/v1/api-keys", {"name": "prometheus", "scope": "read"})
    assert status == 201 and created["key"].startswith("mq_")
    listed = (await running.get_json("/api/v1/api-keys"))[1]
    assert "key" not in listed[0] and "key_hash" not in listed[0]
    reader = {"Authorization": f"Bearer {created['key']}"}
    async with running.anonymous.get("/metrics", headers=reader) as response:
        assert response.status == 200
    status, body = await request(running.anonymous, "POST", "/api/v1/integrations/metrics/reload", headers=reader)
    assert (status, body["error"]["message"]) == (403, "This API key is read-only")
    assert (await running.get_json("/api/v1/api-keys"))[1][0]["last_used_at"] is not None

    status, narrow = await running.post_json(
        "/api/v1/api-keys", {"name": "scanner", "scope": "permissions", "permissions": ["manage_libraries"]}
    )
    narrow_headers = {"X-Emby-Token": narrow["key"]}
    assert (await request(running.anonymous, "GET", "/api/v1/users", headers=narrow_headers))[0] == 403
    assert (await request(running.anonymous, "GET", "/api/v1/libraries", headers=narrow_headers))[0] == 200

    assert (await running.request("DELETE", f"/api/v1/api-keys/{created['id']}"))[0] == 204
    async with running.anonymous.get("/metrics", headers=reader) as response:
        assert response.status == 401


async def test_two_factor_enrol_login_replay_and_recovery_codes(marquee_hub):
    running = await marquee_hub()
    status, enrolment = await running.post_json("/api/v1/auth/2fa/enroll")
    assert status == 200
    assert enrolment["provisioning_uri"].startswith("otpauth://totp/Marquee:admin?secret=")
    assert enrolment["qr_svg"].startswith("<svg")
    totp = pyotp.TOTP(enrolment["secret"])
    status, confirmed = await running.post_json("/api/v1/auth/2fa/confirm", {"code": totp.now()})
    assert status == 200 and len(confirmed["recovery_codes"]) == 10

    login = {"username": "admin", "password": ADMIN_PASSWORD}
    status, body = await request(running.anonymous, "POST", "/api/v1/auth/login", json=login)
    assert (status, body["error"]["two_factor_required"]) == (401, True)
    # The code that confirmed enrolment was consumed: replaying it fails; the next time step works.
    status, body = await request(running.anonymous, "POST", "/api/v1/auth/login", json={**login, "code": totp.now()})
    assert status == 401 and body["error"]["message"] == "Invalid two-factor code"
    next_code = totp.at(time.time() + 30)
    assert (await request(running.anonymous, "POST", "/api/v1/auth/login", json={**login, "code": next_code}))[0] == 200
    assert (await request(running.anonymous, "POST", "/api/v1/auth/login", json={**login, "code": next_code}))[0] == 401
    recovery = confirmed["recovery_codes"][0]
    assert (await request(running.anonymous, "POST", "/api/v1/auth/login", json={**login, "code": recovery}))[0] == 200
    assert (await request(running.anonymous, "POST", "/api/v1/auth/login", json={**login, "code": recovery}))[0] == 401


async def test_two_factor_brute_force_is_throttled_and_admin_can_reset(marquee_hub):
    running = await marquee_hub()
    await make_user(running, "hank")
    hank = await running.session_for("hank", PASSWORD)
    secret = (await request(hank, "POST", "/api/v1/auth/2fa/enroll"))[1]["secret"]
    await request(hank, "POST", "/api/v1/auth/2fa/confirm", json={"code": pyotp.TOTP(secret).now()})
    login = {"username": "hank", "password": PASSWORD}
    statuses = [
        (await request(running.anonymous, "POST", "/api/v1/auth/login", json={**login, "code": f"{n:06d}"}))[0]
        for n in range(6)
    ]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    users = {u["username"]: u for u in (await running.get_json("/api/v1/users"))[1]}
    assert users["hank"]["two_factor"] is True and users["hank"]["failed_logins"] == 5
    assert (await running.post_json(f"/api/v1/users/{users['hank']['id']}/2fa/reset"))[0] == 204
    users = {u["username"]: u for u in (await running.get_json("/api/v1/users"))[1]}
    assert users["hank"]["two_factor"] is False


async def test_user_lifecycle_rename_disable_delete_and_last_admin(marquee_hub):
    running = await marquee_hub()
    user = await make_user(running, "ivy", display_name="Ivy")
    status, body = await running.post_json("/api/v1/users", {"username": "ivy", "password": PASSWORD})
    assert (status, body["error"]["message"]) == (400, "user 'ivy' already exists")
    status, body = await running.post_json("/api/v1/users", {"username": "a b", "password": PASSWORD})
    assert status == 400
    status, renamed = await running.request("PUT", f"/api/v1/users/{user['id']}", json={"username": "ivy2"})
    assert renamed["username"] == "ivy2"
    me = (await running.get_json("/api/v1/users/me"))[1]
    status, body = await running.request("PUT", f"/api/v1/users/{me['id']}", json={"role": "user"})
    assert (status, body["error"]["message"]) == (409, "This is the last active admin; make someone else admin first")
    ivy = await running.session_for("ivy2", PASSWORD, device_id="d1")
    assert (await running.request("DELETE", f"/api/v1/users/{user['id']}"))[0] == 204
    assert (await request(ivy, "GET", "/api/v1/users/me"))[0] == 401
    assert (await running.hub.db.fetch_value("SELECT COUNT(*) FROM devices WHERE user_id = ?", (user["id"],))) == 0


async def test_preferences_password_change_and_profile_image(marquee_hub):
    running = await marquee_hub()
    await make_user(running, "jo")
    jo = await running.session_for("jo", PASSWORD)
    status, prefs = await request(jo, "PUT", "/api/v1/users/me/preferences",
                                  json={"audio_language": "fre", "subtitle_mode": "smart"})  # fmt: skip
    assert prefs == {"audio_language": "fre", "subtitle_mode": "smart"}
    status, body = await request(jo, "PUT", "/api/v1/users/me/preferences",
                                 json={"subtitle_mode": "sometimes", "max_streaming_bitrate": -1})  # fmt: skip
    assert status == 400
    assert sorted(body["error"]["problems"]) == [
        "value must be at least 64000 for 'max_streaming_bitrate' (got -1)",
        "value must be one of ['always', 'default', 'none', 'only_forced', 'smart'] for 'subtitle_mode' "
        "(got 'sometimes')",
    ]
    assert (await request(jo, "GET", "/api/v1/users/me"))[1]["preferences"]["audio_language"] == "fre"
    status, body = await request(jo, "POST", "/api/v1/users/me/password",
                                 json={"old_password": "wrong-old", "new_password": "brand-new-pass"})  # fmt: skip
    assert status == 403
    status, _ = await request(jo, "POST", "/api/v1/users/me/password",
                              json={"old_password": PASSWORD, "new_password": "brand-new-pass"})  # fmt: skip
    assert status == 204
    await running.login("jo", "brand-new-pass")

    png = io.BytesIO()
    Image.new("RGB", (800, 600), "teal").save(png, "PNG")
    assert (await request(jo, "PUT", "/api/v1/users/me/image", data=png.getvalue()))[0] == 204
    me = (await request(jo, "GET", "/api/v1/users/me"))[1]
    status, image = await request(jo, "GET", f"/api/v1/users/{me['id']}/image")
    assert status == 200 and Image.open(io.BytesIO(image)).size == (512, 384)
    assert (await request(jo, "PUT", "/api/v1/users/me/image", data=b"not an image"))[0] == 400


async def test_argon2_hashes_are_upgraded_when_parameters_change(marquee_hub, config_dir):
    first = await marquee_hub("auth:\n  argon2: {time_cost: 1, memory_kib: 8192}\n", config_dir=config_dir)
    await first.stop()
    second = await marquee_hub("auth:\n  argon2: {time_cost: 2, memory_kib: 9216}\n", config_dir=config_dir)
    stored = await second.hub.db.fetch_value("SELECT password_hash FROM users WHERE username = 'admin'")
    assert "m=9216,t=2" in stored


def test_user_command_creates_the_first_admin_from_the_shell(config_dir):
    import subprocess
    import sys

    (config_dir / "configuration.yaml").write_text("auth:\n  argon2: {time_cost: 1, memory_kib: 8192}\n")
    run = lambda *args, stdin="": subprocess.run(  # noqa: E731
        [sys.executable, "-m", "core", "user", *args, "--config", str(config_dir)],
        input=stdin, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    created = run("add", "boss", "--admin", "--password-stdin", stdin="long enough pass\n")
    assert created.returncode == 0, created.stderr
    assert "Created admin 'boss'." in created.stdout
    short = run("add", "tiny", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    listed = run("list")
    assert "boss  (admin, auth_local)" in listed.stdout
