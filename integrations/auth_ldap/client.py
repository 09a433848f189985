"""The LDAP conversation behind one login: find the user, bind as them, map their groups to a role.

Blocking by design (ldap3's SYNC strategy): `LdapClient.authenticate` is called in a worker thread
(`hub.run_in_executor`). Each login opens its own connections and closes them, so nothing is shared between
threads; every network step is bounded by the configured timeout.
"""

from __future__ import annotations

import contextlib
import logging
import math
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ldap3 import ANONYMOUS, NONE, SIMPLE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn

from plugin_sdk.auth import AuthenticationRejected, Identity

_LOGGER = logging.getLogger(__name__)

PROVIDER = "auth_ldap"
MAX_USERNAME_LENGTH = 256

# LDAP result codes (RFC 4511).
SUCCESS = 0
SIZE_LIMIT_EXCEEDED = 4
NO_SUCH_OBJECT = 32
INAPPROPRIATE_AUTHENTICATION = 48
INVALID_CREDENTIALS = 49
INSUFFICIENT_ACCESS_RIGHTS = 50
UNWILLING_TO_PERFORM = 53
# A user bind answered with one of these: the server knows the account and refuses it (wrong password,
# locked or disabled account, password policy). Anything else is a server problem, not a verdict.
REFUSED = frozenset(
    {INAPPROPRIATE_AUTHENTICATION, INVALID_CREDENTIALS, INSUFFICIENT_ACCESS_RIGHTS, UNWILLING_TO_PERFORM}
)


class LdapUnavailable(Exception):
    """The directory can't answer this login (unreachable, service bind refused, search failed)."""


@dataclass(frozen=True, slots=True)
class _User:
    dn: str
    username: str
    display_name: str | None
    email: str | None


def normalize_dn(dn: str) -> str:
    """A DN in a form fit for comparison: attribute types and values lower-cased, spacing removed."""
    return ",".join(f"{attr.strip().lower()}={value.strip().lower()}" for attr, value, _ in parse_dn(dn, strip=True))


def _values(attributes: Mapping[str, Any], name: str) -> list[str]:
    """An attribute's values as strings, whatever shape ldap3 returned them in (absent: empty list)."""
    value = attributes.get(name)  # ldap3 returns a case-insensitive dict
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    result = []
    for item in items:
        if isinstance(item, bytes):
            item = item.decode("utf-8", errors="replace")
        text = str(item)
        if text:
            result.append(text)
    return result


def _first(attributes: Mapping[str, Any], name: str) -> str | None:
    values = _values(attributes, name)
    return values[0] if values else None


class LdapClient:
    """Authenticates against one directory with a validated `auth_ldap` configuration."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = dict(config)
        self.timeout: float = float(config["timeout"])
        self._receive_timeout = max(1, math.ceil(self.timeout))
        self._role_mapping: list[tuple[str, bool, str]] = [
            (normalize_dn(key) if "=" in key else key.strip().lower(), "=" in key, role)
            for key, role in config["role_mapping"].items()
        ]

    # -- the login ---------------------------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> Identity | None:
        """Identity for good credentials; None when the directory doesn't know the user or can't be asked;
        raises AuthenticationRejected when it knows the user and refuses the password."""
        if not username or len(username) > MAX_USERNAME_LENGTH:
            return None
        try:
            with self._service_connection() as conn:
                user = self._find_user(conn, username)
                if user is None:
                    return None
                if not password:
                    # Never send it: an empty password is an "unauthenticated bind" that many servers accept.
                    _LOGGER.info("LDAP login refused for %r: empty password", user.username)
                    raise AuthenticationRejected("empty password")
                self._bind_as_user(user, password)
                role = self._role_for(conn, user)
        except LdapUnavailable as err:
            _LOGGER.warning("LDAP login for %r not checked: %s", username, err)
            return None
        except LDAPException as err:
            _LOGGER.warning(
                "LDAP login for %r not checked: %s unreachable or failing (%s: %s)",
                username,
                self.config["server"],
                type(err).__name__,
                err,
            )
            return None
        return Identity(
            username=user.username,
            provider=PROVIDER,
            display_name=user.display_name,
            email=user.email,
            role=role,
        )

    # -- steps -------------------------------------------------------------------------------------------

    def _find_user(self, conn: Connection, username: str) -> _User | None:
        config = self.config
        search_filter = config["user_filter"].replace("{username}", escape_filter_chars(username))
        username_attribute = config["username_attribute"]
        attributes = list(
            dict.fromkeys([username_attribute, config["display_name_attribute"], config["email_attribute"]])
        )
        entries = self._search(conn, config["user_base_dn"], search_filter, attributes, size_limit=2)
        if not entries:
            return None
        if len(entries) > 1:
            _LOGGER.warning(
                "LDAP login for %r refused: the filter %s matches more than one entry under %s",
                username,
                search_filter,
                config["user_base_dn"],
            )
            raise AuthenticationRejected("ambiguous user")
        dn, found = entries[0]
        stored = _values(found, username_attribute)
        match = next((value for value in stored if value.lower() == username.lower()), None)
        return _User(
            dn=dn,
            username=match or (stored[0] if stored else username),
            display_name=_first(found, config["display_name_attribute"]),
            email=_first(found, config["email_attribute"]),
        )

    def _bind_as_user(self, user: _User, password: str) -> None:
        conn = self._connection(user.dn, password)
        try:
            self._open(conn)
            if conn.bind():
                return
            code, message = conn.result.get("result"), conn.result.get("description")
        finally:
            with contextlib.suppress(LDAPException):
                conn.unbind()
        if code in REFUSED:
            _LOGGER.info("LDAP login refused for %r: %s", user.username, message)
            raise AuthenticationRejected(str(message))
        raise LdapUnavailable(f"binding as {user.dn} failed: {message} ({code})")

    def _role_for(self, conn: Connection, user: _User) -> str:
        config = self.config
        if not config.get("group_base_dn") or not self._role_mapping:
            return config["default_role"]
        search_filter = (
            config["group_filter"]
            .replace("{user_dn}", escape_filter_chars(user.dn))
            .replace("{username}", escape_filter_chars(user.username))
        )
        groups = self._search(conn, config["group_base_dn"], search_filter, ["cn"])
        dns = {normalize_dn(dn) for dn, _ in groups}
        names = {name.lower() for _, attributes in groups for name in _values(attributes, "cn")}
        for key, is_dn, role in self._role_mapping:
            if key in (dns if is_dn else names):
                return role
        return config["default_role"]

    # -- plumbing ----------------------------------------------------------------------------------------

    def _search(
        self, conn: Connection, base: str, search_filter: str, attributes: list[str], size_limit: int = 0
    ) -> list[tuple[str, Mapping[str, Any]]]:
        conn.search(
            search_base=base,
            search_filter=search_filter,
            search_scope=SUBTREE,
            attributes=attributes,
            size_limit=size_limit,
            time_limit=self._receive_timeout,
        )
        code = conn.result.get("result")
        if code not in (SUCCESS, SIZE_LIMIT_EXCEEDED):
            if code == NO_SUCH_OBJECT:
                raise LdapUnavailable(f"the search base {base} does not exist")
            raise LdapUnavailable(f"searching {base} failed: {conn.result.get('description')} ({code})")
        return [
            (item["dn"], item.get("attributes") or {})
            for item in conn.response or []
            if item.get("type") == "searchResEntry" and item.get("dn")
        ]

    @contextlib.contextmanager
    def _service_connection(self) -> Iterator[Connection]:
        conn = self._connection(self.config.get("bind_dn"), self.config.get("bind_password"))
        try:
            self._open(conn)
            if not conn.bind():
                who = self.config.get("bind_dn") or "anonymous"
                result = conn.result
                raise LdapUnavailable(
                    f"the service bind as {who} was refused: {result.get('description')} ({result.get('result')})"
                )
            yield conn
        finally:
            with contextlib.suppress(LDAPException):
                conn.unbind()

    def _server(self) -> Server:
        url: str = self.config["server"].rstrip("/")
        tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=self.config.get("ca_file"))
        return Server(
            url,
            use_ssl=url.lower().startswith("ldaps://"),
            tls=tls,
            get_info=NONE,
            connect_timeout=self.timeout,
        )

    def _connection(self, user: str | None, password: str | None) -> Connection:
        return Connection(
            self._server(),
            user=user,
            password=password,
            authentication=SIMPLE if user else ANONYMOUS,
            receive_timeout=self._receive_timeout,  # ldap3 packs it into SO_RCVTIMEO: whole seconds
            auto_referrals=False,
            read_only=True,
            raise_exceptions=False,
        )

    def _open(self, conn: Connection) -> None:
        conn.open()
        if self.config["start_tls"] and not conn.start_tls():
            raise LdapUnavailable(f"StartTLS failed: {conn.result.get('description')}")
