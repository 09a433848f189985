"""The integration kinds Marquee knows. The core only checks the shape of `kind`; this is the vocabulary."""

KINDS: dict[str, str] = {
    "system": "platform services: health, metrics, logging, the integrations API",
    "library": "libraries and scanning",
    "probe": "reads technical facts from media files",
    "metadata": "fetches descriptive metadata (titles, people, ratings)",
    "images": "fetches or renders artwork",
    "auth": "authenticates users",
    "transcoder": "builds transcoding jobs for one backend",
    "api": "an API surface (native, Jellyfin, ...)",
    "ui": "a web user interface",
    "storage": "a storage or cache backend",
    "notify": "delivers notifications",
    "other": "anything else",
}
