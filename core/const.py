"""Names shared across the core and integrations: event types, defaults, environment variables."""

from typing import Final

from core import __version__

CORE_VERSION: Final = __version__

ENV_CONFIG_DIR: Final = "MARQUEE_CONFIG"
DEFAULT_CONFIG_DIR: Final = "~/.marquee"
CONFIG_FILE: Final = "configuration.yaml"
SECRETS_FILE: Final = "secrets.yaml"
PLUGINS_DIR: Final = "plugins"
ENTRY_POINT_GROUP: Final = "marquee.integrations"

DEFAULT_HOST: Final = "0.0.0.0"
DEFAULT_PORT: Final = 8096

# Top-level configuration keys owned by the core; every other key names an integration.
CORE_SECTIONS: Final = frozenset({"core", "http", "database"})

# Events that cross integration boundaries.
EVENT_HUB_STARTED: Final = "hub.started"
EVENT_HUB_STOPPING: Final = "hub.stopping"
EVENT_INTEGRATION_LOADED: Final = "integration.loaded"
EVENT_INTEGRATION_FAILED: Final = "integration.failed"
EVENT_INTEGRATION_UNLOADED: Final = "integration.unloaded"
EVENT_NOTIFICATION: Final = "notification"
EVENT_CONFIG_ENTRY_CHANGED: Final = "config_entry.changed"
MATCH_ALL: Final = "*"

# pluggy project name: hookspec/hookimpl markers in plugin_sdk use it.
HOOK_PROJECT: Final = "marquee"
