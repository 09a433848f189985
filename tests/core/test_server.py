"""`marquee run` as a real process: start, serve, SIGTERM with a request in flight, exit 0."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from plugin_sdk.testing import free_port
from tests.conftest import make_plugin

SLOW_PLUGIN = """
import asyncio
from starlette.responses import JSONResponse

async def async_setup(hub, config):
    async def slow(request):
        await asyncio.sleep(1.5)
        return JSONResponse({"finished": True})
    hub.http.register_route("/api/v1/slow", slow, public=True)
    return True
"""


def start(config_dir, port):
    return subprocess.Popen(
        [sys.executable, "-m", "core", "run", "--config", str(config_dir), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def get(url, timeout=10.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode()


def wait_live(port, process, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{process.stdout.read()}")
        try:
            return get(f"http://127.0.0.1:{port}/health/live", timeout=1)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise AssertionError("server never answered")


@pytest.mark.parametrize("server", ["hypercorn", "uvicorn", "granian"])
def test_sigterm_finishes_in_flight_requests_then_exits_0(config_dir, server):
    make_plugin(config_dir, "slowpoke", SLOW_PLUGIN)
    (config_dir / "configuration.yaml").write_text(f"http:\n  server: {server}\nslowpoke: {{}}\n")
    port = free_port()
    process = start(config_dir, port)
    try:
        assert wait_live(port, process) == (200, '{"status":"alive"}')
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(get, f"http://127.0.0.1:{port}/api/v1/slow")
            time.sleep(0.5)
            process.send_signal(signal.SIGTERM)
            assert pending.result(timeout=15) == (200, '{"finished":true}')
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
    output = process.stdout.read()
    assert f"listening on http://127.0.0.1:{port}" in output
    assert f"Configuration: {config_dir / 'configuration.yaml'}" in output
    assert "Marquee stopped" in output


def test_first_run_writes_a_default_configuration(tmp_path):
    config_dir = tmp_path / "fresh"
    port = free_port()
    process = start(config_dir, port)
    try:
        wait_live(port, process)
        assert (config_dir / "configuration.yaml").is_file()
        assert (config_dir / "data" / "marquee.db").is_file()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0


def test_config_error_refuses_to_start_with_the_message(config_dir):
    (config_dir / "configuration.yaml").write_text("http:\n  port: 8096\n  colour: blue\n")
    original = (config_dir / "configuration.yaml").read_text()
    process = start(config_dir, free_port())
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "Invalid config for 'http' at configuration.yaml, line 3: 'colour' is an invalid option for 'http'" in output
    assert "Marquee did not start" in output
    assert (config_dir / "configuration.yaml").read_text() == original  # the user's YAML is never rewritten
