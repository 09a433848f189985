"""The Marquee plugin SDK: what third-party integrations import.

from plugin_sdk import hookimpl

@hookimpl
def system_info(hub):
    return {"my_plugin": "ok"}
"""

from core.commands import CliCommand
from plugin_sdk.markers import hookimpl, hookspec

__all__ = ["CliCommand", "hookimpl", "hookspec"]
