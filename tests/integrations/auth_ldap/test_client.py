"""The LDAP login against a real slapd: identities, roles, refusals, injection, outages and TLS."""

import logging
import socket
import subprocess
import time

import ldap3
import pytest

from integrations.auth_ldap import CONFIG_SCHEMA
from integrations.auth_ldap.client import LdapClient
from plugin_sdk.auth import AuthenticationRejected, Identity
from tests.integrations.auth_ldap.conftest import ALICE_DN, GROUPS, PASSWORDS, PEOPLE, SERVICE_DN, free_port

CLIENT_LOGGER = "integrations.auth_ldap.client"


def login(config: dict, username: str, password: str, **overrides) -> Identity | None:
    return LdapClient(CONFIG_SCHEMA({**config, **overrides})).authenticate(username, password)


@pytest.fixture
def binds(monkeypatch) -> list[str | None]:
    """Every DN that auth_ldap tries to bind as (None: anonymous)."""
    seen: list[str | None] = []
    original = ldap3.Connection.bind

    def spy(self, *args, **kwargs):
        seen.append(self.user)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ldap3.Connection, "bind", spy)
    return seen


def test_alice_logs_in_as_admin_with_name_and_email(ldap_config):
    assert login(ldap_config, "alice", PASSWORDS["alice"]) == Identity(
        username="alice",
        provider="auth_ldap",
        display_name="Alice Liddell",
        email="alice@example.org",
        role="admin",
    )


def test_the_username_comes_back_as_stored(ldap_config):
    identity = login(ldap_config, "ALICE", PASSWORDS["alice"])
    assert identity is not None
    assert identity.username == "alice"


def test_bob_is_a_user_without_email(ldap_config):
    identity = login(ldap_config, "bob", PASSWORDS["bob"])
    assert identity == Identity("bob", "auth_ldap", display_name="Bob Builder", email=None, role="user")


def test_role_mapping_order_decides_and_unmapped_users_get_the_default_role(ldap_config):
    # alice is in both groups: the first entry of the mapping that matches wins.
    reordered = {"users": "user", f"cn=admins,{GROUPS}": "admin"}
    assert login(ldap_config, "alice", PASSWORDS["alice"], role_mapping=reordered).role == "user"
    # Keys match DNs without regard to case or spacing.
    spaced = {"CN=Admins, OU=Groups, DC=example, DC=org": "admin"}
    assert login(ldap_config, "alice", PASSWORDS["alice"], role_mapping=spaced).role == "admin"
    # eve is in no group at all.
    assert login(ldap_config, "eve(ops)*", PASSWORDS["eve(ops)*"]).role == "guest"
    # Without a group base, nobody's groups are looked up.
    config = {k: v for k, v in ldap_config.items() if k != "group_base_dn"}
    assert login(config, "alice", PASSWORDS["alice"]).role == "guest"


def test_wrong_password_is_rejected(ldap_config):
    with pytest.raises(AuthenticationRejected):
        login(ldap_config, "alice", "not-her-password")


def test_unknown_user_is_none(ldap_config):
    assert login(ldap_config, "mallory", "whatever") is None
    assert login(ldap_config, "", "whatever") is None


def test_empty_password_is_rejected_without_binding_as_the_user(ldap_config, slapd, binds):
    # The server itself would accept it: an "unauthenticated bind" (DN + empty password) succeeds here.
    whoami = subprocess.run(
        ["ldapwhoami", "-x", "-H", slapd.url, "-D", ALICE_DN, "-w", ""], capture_output=True, text=True, check=False
    )
    assert whoami.returncode == 0, whoami.stderr

    with pytest.raises(AuthenticationRejected):
        login(ldap_config, "alice", "")
    assert binds == [SERVICE_DN]  # the service account searched; nobody bound as alice
    # Someone the directory doesn't know is still not its business.
    assert login(ldap_config, "mallory", "") is None


@pytest.mark.parametrize(
    "username",
    ["*", "*)(uid=*", "alice)(|(uid=*", "alice)(|(objectClass=*", "\\00", "\x00", "alice\x00", "al*", "*)", "(", "\\"],
)
@pytest.mark.parametrize("password", [PASSWORDS["alice"], "wrong", ""])
def test_ldap_injection_never_logs_anyone_in(ldap_config, username, password):
    try:
        result = login(ldap_config, username, password)
    except AuthenticationRejected:
        return
    assert result is None


def test_special_characters_still_match_their_own_user(ldap_config):
    identity = login(ldap_config, "eve(ops)*", PASSWORDS["eve(ops)*"])
    assert identity is not None
    assert identity.username == "eve(ops)*"
    assert login(ldap_config, "eve(ops)", PASSWORDS["eve(ops)*"]) is None
    assert login(ldap_config, "eve*", PASSWORDS["eve(ops)*"]) is None


def test_more_than_one_match_is_rejected_as_ambiguous(ldap_config, caplog):
    with caplog.at_level(logging.WARNING, CLIENT_LOGGER), pytest.raises(AuthenticationRejected):
        login(ldap_config, "twin", PASSWORDS["twin"])
    assert "matches more than one entry" in caplog.text


def test_anonymous_search_without_a_service_account(ldap_config):
    config = {k: v for k, v in ldap_config.items() if k not in ("bind_dn", "bind_password")}
    assert login(config, "alice", PASSWORDS["alice"]).role == "admin"


def test_a_closed_port_answers_none_quickly_with_a_warning(ldap_config, caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, CLIENT_LOGGER):
        assert login(ldap_config, "alice", PASSWORDS["alice"], server=f"ldap://127.0.0.1:{free_port()}") is None
    assert time.monotonic() - started < ldap_config["timeout"]
    assert "unreachable" in caplog.text
    assert PASSWORDS["alice"] not in caplog.text


def test_a_server_that_never_answers_times_out(ldap_config, caplog):
    with socket.socket() as silent:  # accepts connections (backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, CLIENT_LOGGER):
            result = login(ldap_config, "alice", PASSWORDS["alice"], server=f"ldap://127.0.0.1:{port}", timeout=1)
        elapsed = time.monotonic() - started
    assert result is None
    assert elapsed < 3
    assert "not checked" in caplog.text


def test_a_wrong_service_password_answers_none_with_a_warning(ldap_config, caplog):
    with caplog.at_level(logging.WARNING, CLIENT_LOGGER):
        assert login(ldap_config, "alice", PASSWORDS["alice"], bind_password="nope") is None
    assert f"service bind as {SERVICE_DN} was refused" in caplog.text
    assert "nope" not in caplog.text


def test_a_missing_search_base_answers_none_with_a_warning(ldap_config, caplog):
    with caplog.at_level(logging.WARNING, CLIENT_LOGGER):
        assert login(ldap_config, "alice", PASSWORDS["alice"], user_base_dn="ou=nowhere,dc=example,dc=org") is None
    assert "does not exist" in caplog.text


def test_ldaps_and_start_tls_verify_the_certificate(ldap_config, slapd, caplog):
    good = PASSWORDS["alice"]
    assert login(ldap_config, "alice", good, server=slapd.ldaps_url, ca_file=slapd.ca_file).role == "admin"
    start_tls = {"server": slapd.start_tls_url, "start_tls": True}
    assert login(ldap_config, "alice", good, ca_file=slapd.ca_file, **start_tls).role == "admin"
    with caplog.at_level(logging.WARNING, CLIENT_LOGGER):
        # The self-signed certificate is not trusted without ca_file: no login, a warning instead.
        assert login(ldap_config, "alice", good, server=slapd.ldaps_url) is None
        assert login(ldap_config, "alice", good, **start_tls) is None
    assert caplog.text.count("CERTIFICATE_VERIFY_FAILED") == 2


def test_the_harness_user_base_holds_the_people(slapd):
    # A sanity check of the fixture itself, so a broken LDIF fails loudly rather than as "unknown user".
    out = subprocess.run(
        ["ldapsearch", "-x", "-LLL", "-H", slapd.url, "-b", PEOPLE, "(objectClass=inetOrgPerson)", "uid"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.count("uid: ") == 5
