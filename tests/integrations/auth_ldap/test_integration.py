"""auth_ldap as the hub loads it: configuration checks and the `authenticate` hook through a real hub."""

import pytest
import voluptuous as vol

import integrations.auth_ldap as auth_ldap
from integrations.auth_ldap import CONFIG_SCHEMA
from plugin_sdk.auth import AuthenticationRejected, Identity
from plugin_sdk.testing import ConfigurationRejected
from tests.integrations.auth_ldap.conftest import PASSWORDS, PEOPLE

# -- configuration ---------------------------------------------------------------------------------------


def test_an_absent_section_leaves_the_integration_idle():
    assert CONFIG_SCHEMA({}) == {}
    assert CONFIG_SCHEMA(None) == {}


def test_defaults():
    config = CONFIG_SCHEMA({"server": "ldaps://ldap.example.org:636", "user_base_dn": PEOPLE})
    assert config == {
        "server": "ldaps://ldap.example.org:636",
        "user_base_dn": PEOPLE,
        "user_filter": "(uid={username})",
        "username_attribute": "uid",
        "display_name_attribute": "cn",
        "email_attribute": "mail",
        "group_filter": "(&(objectClass=groupOfNames)(member={user_dn}))",
        "role_mapping": {},
        "default_role": "user",
        "start_tls": False,
        "timeout": 5.0,
    }


@pytest.mark.parametrize(
    ("section", "complaint"),
    [
        ({"user_base_dn": PEOPLE}, "required key not provided"),
        ({"server": "ldap.example.org"}, "required key not provided"),
        ({"server": "http://ldap.example.org", "user_base_dn": PEOPLE}, "ldap:// or ldaps://"),
        ({"server": "ldap://h", "user_base_dn": PEOPLE, "bind_dn": "cn=svc,dc=x"}, "bind_password"),
        ({"server": "ldap://h", "user_base_dn": PEOPLE, "user_filter": "(uid=alice)"}, "{username}"),
        ({"server": "ldap://h", "user_base_dn": PEOPLE, "user_filter": "uid={username}"}, "parentheses"),
        ({"server": "ldap://h", "user_base_dn": "not a dn"}, "DN"),
        ({"server": "ldaps://h", "user_base_dn": PEOPLE, "start_tls": True}, "start_tls"),
        ({"server": "ldap://h", "user_base_dn": PEOPLE, "ca_file": "/nonexistent/ca.pem"}, "file"),
        ({"server": "ldap://h", "user_base_dn": PEOPLE, "timeout": 0}, "timeout"),
    ],
)
def test_invalid_sections_are_refused(section, complaint):
    with pytest.raises(vol.Invalid) as info:
        CONFIG_SCHEMA(section)
    errors = info.value.errors if isinstance(info.value, vol.MultipleInvalid) else [info.value]
    text = " ".join(f"{error.msg} {error.path}" for error in errors)
    assert complaint.lower() in text.lower()


async def test_a_bad_section_stops_the_hub_from_starting(marquee_hub):
    with pytest.raises(ConfigurationRejected) as info:
        await marquee_hub({"auth_ldap": {"server": "ldap://127.0.0.1", "usr_base_dn": PEOPLE}}, only=["auth_ldap"])
    text = str(info.value)
    assert "'usr_base_dn' is an invalid option" in text
    assert "user_base_dn" in text  # listed among the valid options, and as the missing required key


# -- through a real hub ----------------------------------------------------------------------------------


async def test_the_hook_authenticates_through_the_hub(marquee_hub, ldap_config):
    running = await marquee_hub({"auth_ldap": ldap_config}, only=["auth_ldap"])
    assert running.hub.integrations.records["auth_ldap"].state == "loaded"

    [result] = await running.hub.hooks.call_each("authenticate", username="alice", password=PASSWORDS["alice"])
    assert result.owner == "auth_ldap"
    assert result.error is None
    assert result.value == Identity("alice", "auth_ldap", "Alice Liddell", "alice@example.org", "admin")

    [result] = await running.hub.hooks.call_each("authenticate", username="bob", password="wrong")
    assert isinstance(result.error, AuthenticationRejected)

    [result] = await running.hub.hooks.call_each("authenticate", username="mallory", password="x")
    assert (result.value, result.error) == (None, None)


async def test_unloading_forgets_the_directory(marquee_hub, ldap_config):
    running = await marquee_hub({"auth_ldap": ldap_config}, only=["auth_ldap"])
    assert auth_ldap._ACTIVE
    await running.hub.integrations.unload("auth_ldap")
    assert not auth_ldap._ACTIVE
    assert await running.hub.hooks.call_each("authenticate", username="alice", password=PASSWORDS["alice"]) == []
    assert await auth_ldap.authenticate("alice", PASSWORDS["alice"]) is None


async def test_without_a_section_it_loads_and_knows_nobody(marquee_hub):
    running = await marquee_hub("auth_ldap:\n", only=["auth_ldap"])
    assert running.hub.integrations.records["auth_ldap"].state == "loaded"
    [result] = await running.hub.hooks.call_each("authenticate", username="alice", password=PASSWORDS["alice"])
    assert (result.value, result.error) == (None, None)
