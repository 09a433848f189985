"""Local network discovery as Jellyfin does it (its AutoDiscoveryHost): clients broadcast the text
"who is JellyfinServer?" to UDP 7359 and every server answers the sender with a ServerDiscoveryInfo in JSON.

Off unless `jellyfin: discovery: true`. Anything else that arrives is ignored, without an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import Any

import orjson

_LOGGER = logging.getLogger(__name__)
QUESTION = b"who is JellyfinServer?"
DEFAULT_PORT = 7359
_WILDCARDS = frozenset({"", "0.0.0.0", "::", "*"})


def local_address(peer: tuple[Any, ...], fallback: str) -> str:
    """The address of ours that `peer` reaches us on (the interface a reply to it leaves from)."""
    family = socket.AF_INET6 if ":" in str(peer[0]) else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect(peer[:2])  # UDP: no packet is sent, the kernel only picks a route
            return str(probe.getsockname()[0])
    except OSError:
        return fallback


class DiscoveryProtocol(asyncio.DatagramProtocol):
    def __init__(self, server_id: str, server_name: str, http_host: str, http_port: int) -> None:
        self.server_id, self.server_name = server_id, server_name
        self.http_host, self.http_port = http_host, http_port
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def answer(self, peer: tuple[Any, ...]) -> bytes:
        host = self.http_host
        if host in _WILDCARDS:
            host = local_address(peer, "127.0.0.1")
        if ":" in host:
            host = f"[{host}]"
        body = {
            "Address": f"http://{host}:{self.http_port}",
            "Id": self.server_id,
            "Name": self.server_name,
            "EndpointAddress": None,
        }
        return orjson.dumps(body)

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        if data.strip(b"\x00\r\n ") != QUESTION or self.transport is None:
            return
        try:
            self.transport.sendto(self.answer(addr), addr)
        except OSError as err:  # a peer we can't reach: nothing to do but note it
            _LOGGER.debug("Discovery answer to %s failed: %s", addr, err)

    def error_received(self, exc: Exception) -> None:
        _LOGGER.debug("Discovery socket error: %s", exc)


class DiscoveryService:
    def __init__(self, protocol: DiscoveryProtocol, bind: str, port: int) -> None:
        self.protocol, self.bind, self.port = protocol, bind, port
        self.transport: asyncio.DatagramTransport | None = None

    async def start(self) -> bool:
        loop = asyncio.get_running_loop()
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            sock.bind((self.bind, self.port))
        except OSError as err:
            with contextlib.suppress(Exception):
                sock.close()
            _LOGGER.error("Jellyfin discovery can't listen on UDP %s:%d: %s", self.bind, self.port, err)
            return False
        transport, _ = await loop.create_datagram_endpoint(lambda: self.protocol, sock=sock)
        self.transport = transport
        self.port = sock.getsockname()[1]
        _LOGGER.info("Jellyfin discovery answering on UDP %s:%d", self.bind, self.port)
        return True

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None
