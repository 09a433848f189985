"""Marquee core: the platform (hub, bus, config, loader, HTTP, storage). Domain words belong in integrations."""

__version__ = "0.1.0"
