"""LAN discovery: "who is JellyfinServer?" on UDP gets the server's address, id and name; nothing else does."""

from __future__ import annotations

import asyncio
import json
import socket

from tests.integrations.jellyfin.conftest import call, validate


def _udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ask(port: int, message: bytes, timeout: float = 1.0) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.bind(("127.0.0.1", 0))
        client.settimeout(timeout)
        client.sendto(message, ("127.0.0.1", port))
        try:
            return client.recv(4096)
        except TimeoutError:
            return None


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return False
        return True


async def test_discovery_answers_the_question_only(marquee_hub):
    port = _udp_port()
    running = await marquee_hub(f"jellyfin:\n  server_name: Living Room\n  discovery: true\n  discovery_port: {port}\n")
    raw = await asyncio.to_thread(_ask, port, b"who is JellyfinServer?")
    assert raw is not None
    answer = json.loads(raw)
    status, info = await call(running.anonymous, "GET", "/System/Info/Public", "PublicSystemInfo")
    http_port = running.hub.config.http["port"]
    assert answer == {"Address": f"http://127.0.0.1:{http_port}", "Id": info["Id"], "Name": "Living Room",
                      "EndpointAddress": None}  # fmt: skip
    validate("ServerDiscoveryInfo", {k: v for k, v in answer.items() if v is not None})
    for other in (b"who is EmbyServer?", b"who is jellyfinserver?", b"", b"\xff" * 600, b"who is JellyfinServer?x"):
        assert await asyncio.to_thread(_ask, port, other, 0.3) is None, other
    assert await asyncio.to_thread(_ask, port, b"who is JellyfinServer?") is not None  # still answering
    assert not _port_free(port)
    await running.stop()
    assert _port_free(port)  # closed on unload


async def test_discovery_is_off_by_default(marquee_hub):
    port = _udp_port()
    await marquee_hub(f"jellyfin:\n  discovery_port: {port}\n")
    assert _port_free(port)
    assert await asyncio.to_thread(_ask, port, b"who is JellyfinServer?", 0.3) is None
