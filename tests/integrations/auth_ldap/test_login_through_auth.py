"""Signing in to Marquee with LDAP accounts: users created on first login, roles from groups."""

import yaml

from tests.integrations.auth_ldap.conftest import PASSWORDS


def config(ldap_config: dict) -> str:
    return yaml.safe_dump(
        {
            "auth": {"backends": ["auth_local", "auth_ldap"], "argon2": {"time_cost": 1, "memory_kib": 8192}},
            "auth_ldap": {**ldap_config, "default_role": "user"},
        }
    )


async def test_ldap_users_are_created_on_first_login_with_mapped_roles(marquee_hub, ldap_config):
    running = await marquee_hub(config(ldap_config))
    alice = await running.login("alice", PASSWORDS["alice"])
    assert alice["user"]["provider"] == "auth_ldap"
    assert alice["user"]["role"] == "admin"  # member of cn=admins
    bob = await running.login("bob", PASSWORDS["bob"])
    assert bob["user"]["role"] == "user"
    async with running.anonymous.post("/api/v1/auth/login", json={"username": "bob", "password": "nope"}) as response:
        assert response.status == 401
    users = {u["username"]: u for u in (await running.get_json("/api/v1/users"))[1]}
    assert users["alice"]["provider"] == "auth_ldap" and users["bob"]["provider"] == "auth_ldap"
    # An LDAP account can't change its password through Marquee.
    session = await running.session_for("bob", PASSWORDS["bob"])
    async with session.post("/api/v1/users/me/password", json={"old_password": "x", "new_password": "y" * 9}) as r:
        assert r.status == 409


async def test_an_ldap_login_never_takes_over_a_local_account(marquee_hub, ldap_config):
    running = await marquee_hub(config(ldap_config))
    status, _ = await running.post_json("/api/v1/users", {"username": "alice", "password": "local-password"})
    assert status == 201
    async with running.anonymous.post(
        "/api/v1/auth/login", json={"username": "alice", "password": PASSWORDS["alice"]}
    ) as response:
        assert response.status == 401
    local = await running.login("alice", "local-password")
    assert local["user"]["provider"] == "auth_local" and local["user"]["role"] == "user"
