"""Run a real Hub in your tests: a real HTTP server on a free loopback port and a temporary config dir.

Installed as a pytest plugin (entry point `pytest11`), so any project that depends on Marquee gets the
`marquee_hub` fixture:

    async def test_my_route(marquee_hub):
        running = await marquee_hub({"my_plugin": {"greeting": "hi"}}, only=["my_plugin"])
        status, body = await running.get_json("/api/v1/my_plugin/hello")
        assert status == 200

Put a plugin folder under `running.config_dir / "plugins"` (or pass `plugins={"domain": path}`) to test an
integration that is not pip-installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import yaml

from core.config.check import CheckReport, check_configuration
from core.const import CONFIG_FILE, PLUGINS_DIR
from core.hub import Hub
from core.server import serve


class ConfigurationRejected(Exception):
    """The configuration given to the fixture has errors; `report` has them all."""

    def __init__(self, report: CheckReport) -> None:
        self.report = report
        super().__init__("\n".join(str(issue) for issue in report.issues))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "correct horse battery"
# Tests sign in many times: cheap Argon2 parameters unless the test configures its own.
FAST_AUTH = "auth:\n  argon2:\n    time_cost: 1\n    memory_kib: 8192\n"


class RunningHub:
    """A started hub, its base URL, and HTTP sessions to talk to it.

    `session` is signed in as the first admin when the auth integration is loaded (created on first start);
    `anonymous` sends no credentials.
    """

    def __init__(self, hub: Hub, url: str, task: asyncio.Task[None], stop: asyncio.Event) -> None:
        self.hub = hub
        self.url = url
        self._task = task
        self._stop = stop
        self.session = aiohttp.ClientSession(base_url=url)
        self.anonymous = aiohttp.ClientSession(base_url=url)
        self._sessions: list[aiohttp.ClientSession] = []
        self.admin_token: str | None = None

    async def sign_in_admin(self) -> None:
        """Create the first admin if the server has no users, then sign the main session in as them."""
        async with self.anonymous.get("/api/v1/auth/setup") as response:
            if response.status != 200:
                return  # no auth integration: nothing to sign in to
            required = (await response.json())["first_admin_required"]
        if required:
            body = {"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
            async with self.anonymous.post("/api/v1/auth/first-admin", json=body) as response:
                assert response.status == 201, await response.text()
        self.admin_token = (await self.login(ADMIN_USERNAME, ADMIN_PASSWORD))["access_token"]
        self.session.headers["Authorization"] = f"Bearer {self.admin_token}"

    async def login(self, username: str, password: str, **extra: Any) -> dict[str, Any]:
        body = {"username": username, "password": password, **extra}
        async with self.anonymous.post("/api/v1/auth/login", json=body) as response:
            data = await response.json()
            assert response.status == 200, data
            return data

    async def session_for(self, username: str, password: str, **extra: Any) -> aiohttp.ClientSession:
        """A new HTTP session signed in as that user (closed with the hub)."""
        token = (await self.login(username, password, **extra))["access_token"]
        session = aiohttp.ClientSession(base_url=self.url, headers={"Authorization": f"Bearer {token}"})
        self._sessions.append(session)
        return session

    @property
    def config_dir(self) -> Path:
        return self.hub.config_dir

    async def request(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        """(status, parsed JSON body or text)."""
        async with self.session.request(method, path, **kwargs) as response:
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, await response.text()

    async def get_json(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        return await self.request("GET", path, **kwargs)

    async def post_json(self, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        return await self.request("POST", path, json=body, **kwargs)

    async def stop(self) -> None:
        """Graceful shutdown, as on SIGTERM: stop accepting, finish requests, unload integrations."""
        for session in (self.session, self.anonymous, *self._sessions):
            await session.close()
        self._stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self._task, 30)


def write_config(config_dir: Path, config: Mapping[str, Any] | str | None) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    if config is None:
        config = {}
    text = config if isinstance(config, str) else (yaml.safe_dump(dict(config), sort_keys=False) if config else "")
    if not any(line.startswith("auth:") for line in text.splitlines()):
        text = text.rstrip("\n") + ("\n" if text.strip() else "") + FAST_AUTH
    (config_dir / CONFIG_FILE).write_text(text, encoding="utf-8")


async def start_hub(
    config_dir: Path,
    config: Mapping[str, Any] | str | None = None,
    *,
    only: Iterable[str] | None = None,
    plugins: Mapping[str, Path] | None = None,
    keep_config: bool = False,
    sign_in: bool = True,
) -> RunningHub:
    """Write the config (unless `keep_config`), copy plugin folders in, validate, and start a hub."""
    if not keep_config:
        write_config(config_dir, config)
    for domain, source in (plugins or {}).items():
        target = config_dir / PLUGINS_DIR / domain
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
    report = await asyncio.to_thread(check_configuration, config_dir)
    if report.issues or report.config is None:
        raise ConfigurationRejected(report)
    report.config.http.update({"host": "127.0.0.1", "port": free_port()})
    hub = Hub(report.config, only=only)
    ready, stop = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(hub, ready=ready, stop=stop, handle_signals=False))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED, timeout=60)
    if not ready.is_set():
        waiter.cancel()
        stop.set()
        if task.done() and task.exception():
            raise RuntimeError(f"The hub did not start: {task.exception()}") from task.exception()
        raise RuntimeError("The hub did not start within 60 s")
    # Lifespan startup completes before the server binds its socket: wait until it accepts connections.
    await _wait_listening("127.0.0.1", report.config.http["port"], task)
    running = RunningHub(hub, f"http://127.0.0.1:{report.config.http['port']}", task, stop)
    if sign_in:
        await running.sign_in_admin()
    return running


async def _wait_listening(host: str, port: int, task: asyncio.Task[None], timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection(host, port)
        except OSError:
            if task.done() or asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"The hub never listened on {host}:{port}") from None
            await asyncio.sleep(0.01)
        else:
            writer.close()
            await writer.wait_closed()
            return


HubFactory = Callable[..., Awaitable[RunningHub]]


@pytest_asyncio.fixture
async def marquee_hub(tmp_path: Path) -> AsyncIterator[HubFactory]:
    """Factory fixture: `await marquee_hub(config, only=[...], plugins={...}, config_dir=...)`.

    Every hub it starts is stopped gracefully at the end of the test.
    """
    started: list[RunningHub] = []

    async def factory(
        config: Mapping[str, Any] | str | None = None, *, config_dir: Path | None = None, **kwargs: Any
    ) -> RunningHub:
        running = await start_hub(config_dir or tmp_path / "config", config, **kwargs)
        started.append(running)
        return running

    yield factory
    for running in started:
        if not running._task.done():
            await running.stop()


@pytest.fixture
def marquee_config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    return folder
