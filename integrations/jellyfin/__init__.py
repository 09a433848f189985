"""The Jellyfin API (10.11) as a second surface over Marquee's own services, so official Jellyfin apps work.

Nothing here keeps a second copy of media data: items come from the library, watch state from playstate,
streams from streaming, users and tokens from auth. The only table of its own holds display preferences.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import voluptuous as vol

from core.scope import IntegrationScope
from integrations.auth import get_service
from integrations.auth.secrets import load_or_create_key
from integrations.jellyfin.artwork import ImageSigner
from integrations.jellyfin.discovery import DEFAULT_PORT, DiscoveryProtocol, DiscoveryService
from integrations.jellyfin.facets import FacetRoutes
from integrations.jellyfin.images import ImageRoutes
from integrations.jellyfin.items import ItemRoutes
from integrations.jellyfin.playback import PlaybackRoutes
from integrations.jellyfin.protocol import CaseInsensitivePaths
from integrations.jellyfin.schema import MIGRATIONS
from integrations.jellyfin.search_hints import SearchHintRoutes
from integrations.jellyfin.server import DOMAIN, JellyfinServer
from integrations.jellyfin.shows import ShowRoutes
from integrations.jellyfin.socket import SocketRoute
from integrations.jellyfin.state import StateRoutes
from integrations.jellyfin.system import SystemRoutes
from integrations.jellyfin.trickplay import TrickplayRoutes, TrickplayStore
from integrations.jellyfin.unsupported import UnsupportedRoutes
from integrations.jellyfin.views import ViewRoutes


def _folder(value: Any) -> str:
    path = Path(str(value)).expanduser()
    if not path.is_dir():
        raise vol.Invalid(f"folder '{value}' does not exist")
    return str(path.resolve())


CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional("server_name"): vol.All(str, vol.Length(min=1, max=100)),
        vol.Optional("web_path"): _folder,  # a jellyfin-web build (its dist folder), served at /web
        # Answer Jellyfin clients' LAN discovery broadcasts ("who is JellyfinServer?") on UDP.
        vol.Optional("discovery", default=False): bool,
        vol.Optional("discovery_port", default=DEFAULT_PORT): vol.All(vol.Coerce(int), vol.Range(min=1, max=65535)),
    }
)


async def async_setup(hub: IntegrationScope, config: dict[str, Any]) -> bool:
    auth = get_service(hub)
    if auth is None:
        hub.logger.error("The Jellyfin API needs the auth integration")
        return False
    await hub.db.migrate(DOMAIN, MIGRATIONS)
    server_id = await hub.entries.get(DOMAIN, "server_id")
    if not server_id:
        server_id = uuid.uuid4().hex
        await hub.entries.set(DOMAIN, "server_id", server_id)
    # A secret of its own (data dir, mode 0600, like auth's signing key): it signs image tags and nothing else.
    signer = ImageSigner(load_or_create_key(hub.data_dir / "image-tags.key"))
    server = JellyfinServer(hub, auth, server_id, config, signer)
    server.trickplay = TrickplayStore(server)
    SystemRoutes(server).register()
    ViewRoutes(server).register()
    FacetRoutes(server).register()  # /Items/Filters before ItemRoutes' /Items/{itemId}
    ItemRoutes(server).register()
    ShowRoutes(server).register()
    SearchHintRoutes(server).register()
    UnsupportedRoutes(server).register()
    ImageRoutes(server).register()
    StateRoutes(server).register()
    PlaybackRoutes(server).register()
    SocketRoute(server).register()
    TrickplayRoutes(server, server.trickplay).register()
    hub.http.register_middleware(CaseInsensitivePaths, priority=50, canon=server.canon)
    if config.get("discovery"):
        http = hub.root.config.http
        protocol = DiscoveryProtocol(server_id, server.server_name, http.get("host", ""), int(http.get("port", 0)))
        discovery = DiscoveryService(protocol, "0.0.0.0", config["discovery_port"])
        if await discovery.start():  # a port in use is logged; the HTTP surface works without discovery
            hub.on_unload(discovery.close)
    return True
