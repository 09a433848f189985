"""Marquee core: the platform (hub, bus, config, loader, HTTP, storage). No media vocabulary lives here."""

__version__ = "0.1.0"
