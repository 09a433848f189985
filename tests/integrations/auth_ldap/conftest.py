"""A real OpenLDAP `slapd` for the auth_ldap tests, run from a temporary folder on a free loopback port.

It uses a static `slapd.conf` of its own and never touches the system's slapd configuration. The
directory holds two people in groups, a service account, a user whose uid needs escaping, and two entries
that share a uid. It also listens for ldaps:// and StartTLS with a throwaway self-signed certificate.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUFFIX = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "secret"
SERVICE_DN = f"cn=marquee,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "service-pass"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
ALICE_DN = f"uid=alice,{PEOPLE}"
BOB_DN = f"uid=bob,{PEOPLE}"
PASSWORDS = {"alice": "alice-pass", "bob": "bob-pass", "eve(ops)*": "eve-pass", "twin": "twin-pass"}

INSTALL_HINT = "run `apt-get install slapd ldap-utils` (CI installs them)"
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")


def ssha(password: str) -> str:
    """An {SSHA} userPassword value, as `slappasswd -s` makes."""
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def _ldif() -> str:
    def person(uid: str, rdn: str, cn: str, mail: str | None, password: str) -> str:
        lines = [
            f"dn: {rdn},{PEOPLE}",
            "objectClass: inetOrgPerson",
            f"uid: {uid}",
            f"cn: {cn}",
            f"sn: {cn.split()[-1]}",
            f"userPassword: {ssha(password)}",
        ]
        if mail:
            lines.append(f"mail: {mail}")
        return "\n".join(lines)

    return "\n\n".join(
        [
            f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example",
            f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
            f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups",
            f"dn: ou=services,{SUFFIX}\nobjectClass: organizationalUnit\nou: services",
            f"dn: {SERVICE_DN}\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\ncn: marquee\n"
            f"userPassword: {ssha(SERVICE_PASSWORD)}",
            person("alice", "uid=alice", "Alice Liddell", "alice@example.org", PASSWORDS["alice"]),
            person("bob", "uid=bob", "Bob Builder", None, PASSWORDS["bob"]),
            person("eve(ops)*", "cn=Eve Ops", "Eve Ops", "eve@example.org", PASSWORDS["eve(ops)*"]),
            person("twin", "cn=Twin One", "Twin One", None, PASSWORDS["twin"]),
            person("twin", "cn=Twin Two", "Twin Two", None, PASSWORDS["twin"]),
            f"dn: cn=admins,{GROUPS}\nobjectClass: groupOfNames\ncn: admins\nmember: {ALICE_DN}",
            f"dn: cn=users,{GROUPS}\nobjectClass: groupOfNames\ncn: users\nmember: {ALICE_DN}\nmember: {BOB_DN}",
        ]
    )


def _slapd_conf(folder: Path) -> str:
    includes = "\n".join(f"include /etc/ldap/schema/{name}.schema" for name in SCHEMAS)
    return f"""{includes}
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder / "slapd.pid"}
argsfile {folder / "slapd.args"}
TLSCertificateFile {folder / "cert.pem"}
TLSCertificateKeyFile {folder / "key.pem"}

# Accept "unauthenticated binds" (a DN with an empty password) like many servers do, so the tests prove
# that auth_ldap refuses empty passwords itself.
allow bind_anon_dn

database mdb
maxsize 16777216
suffix "{SUFFIX}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {folder / "db"}
access to attrs=userPassword by self write by anonymous auth by * none
access to * by * read
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tool(name: str, hint: str = INSTALL_HINT) -> str:
    path = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None
    )
    if path is None:
        pytest.fail(f"'{name}' is not installed: {hint}", pytrace=False)
    return path


@dataclass(slots=True)
class Slapd:
    folder: Path
    url: str
    ldaps_url: str  # by name (localhost), for certificate checks
    start_tls_url: str  # the plain listener, by name
    ca_file: str
    process: subprocess.Popen[bytes]
    start_seconds: float = 0.0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def log(self) -> str:
        return (self.folder / "slapd.log").read_text(errors="replace")


def _make_certificate(folder: Path) -> None:
    """A self-signed certificate for localhost (it is its own CA), for ldaps:// and StartTLS.

    The TLS tests connect by name: on Python >= 3.12 ldap3 2.9 checks host names with a backport that
    refuses IP addresses."""
    subprocess.run(
        [
            _tool("openssl", "run `apt-get install openssl`"),
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )


def _wait_listening(process: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"slapd exited with {process.returncode}:\n{log.read_text(errors='replace')}", pytrace=False)
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.02)
    pytest.fail(f"slapd did not listen on port {port} within {timeout:g} s:\n{log.read_text()}", pytrace=False)


def start_slapd(folder: Path) -> Slapd:
    slapd, ldapadd = _tool("slapd"), _tool("ldapadd")
    missing = [name for name in SCHEMAS if not Path(f"/etc/ldap/schema/{name}.schema").is_file()]
    if missing or not Path("/usr/lib/ldap").is_dir():
        pytest.fail(f"OpenLDAP's schemas or modules are missing: {INSTALL_HINT}", pytrace=False)
    started = time.perf_counter()
    (folder / "db").mkdir(parents=True)
    _make_certificate(folder)
    (folder / "slapd.conf").write_text(_slapd_conf(folder))
    port, tls_port = free_port(), free_port()
    while tls_port == port:
        tls_port = free_port()
    urls = f"ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{tls_port}/"
    log = folder / "slapd.log"
    with log.open("wb") as sink:
        # -d 0: stay in the foreground (no daemonizing), so the fixture owns the process.
        process = subprocess.Popen(
            [slapd, "-f", str(folder / "slapd.conf"), "-h", urls, "-d", "0"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = Slapd(
        folder=folder,
        url=f"ldap://127.0.0.1:{port}",
        ldaps_url=f"ldaps://localhost:{tls_port}",
        start_tls_url=f"ldap://localhost:{port}",
        ca_file=str(folder / "cert.pem"),
        process=process,
    )
    try:
        _wait_listening(process, port, log)
        (folder / "data.ldif").write_text(_ldif() + "\n")
        added = subprocess.run(
            [ldapadd, "-x", "-D", ADMIN_DN, "-w", ADMIN_PASSWORD, "-H", server.url, "-f", str(folder / "data.ldif")],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if added.returncode != 0:
            pytest.fail(f"ldapadd failed ({added.returncode}): {added.stderr}\n{server.log()}", pytrace=False)
    except BaseException:
        server.stop()
        raise
    server.start_seconds = time.perf_counter() - started
    return server


@pytest.fixture(scope="session")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Slapd]:
    server = start_slapd(tmp_path_factory.mktemp("slapd"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ldap_config(slapd: Slapd) -> dict:
    """A complete auth_ldap section for the test directory (service account, groups, role mapping)."""
    return {
        "server": slapd.url,
        "bind_dn": SERVICE_DN,
        "bind_password": SERVICE_PASSWORD,
        "user_base_dn": PEOPLE,
        "group_base_dn": GROUPS,
        "role_mapping": {f"cn=admins,{GROUPS}": "admin", "users": "user"},
        "default_role": "guest",
        "timeout": 5,
    }
