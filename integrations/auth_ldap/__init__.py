"""LDAP authentication: implements the `authenticate` hook against an LDAP directory (OpenLDAP, AD, ...).

A login searches the user with a service account (or anonymously), binds as the user's DN with the given
password, and maps the user's groups to a Marquee role. Built in, so it always loads: without an
`auth_ldap:` section it stays idle and answers None (it doesn't know anyone).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import voluptuous as vol

from core.scope import IntegrationScope
from plugin_sdk import hookimpl
from plugin_sdk.auth import Identity

if TYPE_CHECKING:
    from .client import LdapClient

DOMAIN = "auth_ldap"


def _dn(value: Any) -> str:
    # ldap3 loads here and at set-up with a config, not with every server (it costs ~0.1 s of start-up).
    from ldap3.core.exceptions import LDAPInvalidDnError
    from ldap3.utils.dn import parse_dn

    text = vol.All(str, vol.Length(min=1))(value)
    try:
        parse_dn(text, strip=True)
    except LDAPInvalidDnError as err:
        raise vol.Invalid(f"not a valid DN: {err}") from None
    return text


def _filter_with(*placeholders: str) -> Callable[[Any], str]:
    def validate(value: Any) -> str:
        text = vol.All(str, vol.Strip)(value)
        if not (text.startswith("(") and text.endswith(")")):
            raise vol.Invalid("an LDAP filter must be enclosed in parentheses")
        if not any(p in text for p in placeholders):
            raise vol.Invalid(f"the filter must contain {' or '.join(placeholders)}")
        return text

    return validate


def _role_key(value: Any) -> str:
    text = vol.All(str, vol.Strip, vol.Length(min=1))(value)
    return _dn(text) if "=" in text else text


_SERVICE_ACCOUNT = "bind_dn and bind_password go together (leave both out to search anonymously)"


def _check_tls(config: dict[str, Any]) -> dict[str, Any]:
    if config["start_tls"] and config["server"].lower().startswith("ldaps://"):
        raise vol.Invalid("start_tls is for ldap:// URLs; an ldaps:// connection is encrypted already", ["start_tls"])
    return config


_LDAP_SCHEMA = vol.Schema(
    vol.All(
        {
            vol.Required("server"): vol.All(
                str, vol.Strip, vol.Match(r"(?i)^ldaps?://[^/\s]+/?$", msg="expected an ldap:// or ldaps:// URL")
            ),
            vol.Inclusive("bind_dn", "service account", msg=_SERVICE_ACCOUNT): _dn,
            vol.Inclusive("bind_password", "service account", msg=_SERVICE_ACCOUNT): vol.All(str, vol.Length(min=1)),
            vol.Required("user_base_dn"): _dn,
            vol.Optional("user_filter", default="(uid={username})"): _filter_with("{username}"),
            vol.Optional("username_attribute", default="uid"): vol.All(str, vol.Length(min=1)),
            vol.Optional("display_name_attribute", default="cn"): vol.All(str, vol.Length(min=1)),
            vol.Optional("email_attribute", default="mail"): vol.All(str, vol.Length(min=1)),
            vol.Optional("group_base_dn"): _dn,
            vol.Optional("group_filter", default="(&(objectClass=groupOfNames)(member={user_dn}))"): _filter_with(
                "{user_dn}", "{username}"
            ),
            vol.Optional("role_mapping", default={}): {_role_key: vol.All(str, vol.Length(min=1))},
            vol.Optional("default_role", default="user"): vol.All(str, vol.Length(min=1)),
            vol.Optional("start_tls", default=False): bool,
            vol.Optional("timeout", default=5.0): vol.All(vol.Coerce(float), vol.Range(min=0.1, max=120)),
            vol.Optional("ca_file"): vol.IsFile(),
        },
        _check_tls,
    )
)


class _OptionalSection:
    """An absent or empty section validates to {} (the integration stays idle); anything else must be a full
    configuration. `validators` lets the core's error messages list the valid options."""

    validators = (_LDAP_SCHEMA,)

    def __call__(self, value: Any) -> dict[str, Any]:
        if value is None or value == {}:
            return {}
        return _LDAP_SCHEMA(value)


CONFIG_SCHEMA = vol.Schema(_OptionalSection())

# The hookimpl is module-level (the core registers it when the integration loads), so the active client
# lives here: set by async_setup, cleared by async_unload.
_ACTIVE: dict[str, Any] = {}


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    _ACTIVE.clear()
    if not config:
        hub.logger.debug("No 'auth_ldap' configuration: LDAP logins are off")
        return True
    server = config["server"]
    if re.match(r"(?i)^ldap://", server) and not config["start_tls"] and not _is_loopback(server):
        hub.logger.warning(
            "auth_ldap talks to %s without TLS: passwords cross the network in clear. Use ldaps:// or start_tls.",
            server,
        )
    from .client import LdapClient

    _ACTIVE.update(hub=hub, client=LdapClient(config))
    return True


async def async_unload(hub: IntegrationScope) -> None:
    _ACTIVE.clear()


@hookimpl
async def authenticate(username: str, password: str) -> Identity | None:
    """Check the credentials against the directory (in a worker thread: ldap3's API is blocking)."""
    hub: IntegrationScope | None = _ACTIVE.get("hub")
    client: LdapClient | None = _ACTIVE.get("client")
    if hub is None or client is None:
        return None
    return await hub.run_in_executor(client.authenticate, username, password)
