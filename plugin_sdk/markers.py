"""The project's pluggy markers. Decorate implementations with `@hookimpl`."""

import pluggy

from core.const import HOOK_PROJECT

hookspec = pluggy.HookspecMarker(HOOK_PROJECT)
hookimpl = pluggy.HookimplMarker(HOOK_PROJECT)
