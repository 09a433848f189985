"""Every hookspec is documented; every built-in integration passes the same linter third parties use."""

import inspect
import json
import re
from pathlib import Path

import pytest

import plugin_sdk.hookspecs
from plugin_sdk.lint import lint, main
from tests.conftest import make_plugin

ROOT = Path(__file__).parents[2]
HOOKS_DOC = ROOT / "plugin_sdk" / "docs" / "hooks.md"
HOOKSPECS = [
    name for name, func in inspect.getmembers(plugin_sdk.hookspecs, inspect.isfunction) if hasattr(func, "marquee_spec")
]


def test_there_are_hookspecs():
    assert {"system_info", "readiness_check", "notify"} <= set(HOOKSPECS)


@pytest.mark.parametrize("hook", HOOKSPECS)
def test_hookspec_is_documented(hook):
    headings = re.findall(r"^## (\w+)$", HOOKS_DOC.read_text(), flags=re.MULTILINE)
    assert hook in headings, f"plugin_sdk/docs/hooks.md has no '## {hook}' section"
    assert getattr(plugin_sdk.hookspecs, hook).__doc__, f"hookspec {hook} has no docstring"


@pytest.mark.parametrize("folder", sorted(p.parent for p in (ROOT / "integrations").glob("*/manifest.json")))
def test_builtin_integration_passes_the_linter(folder):
    assert lint(folder) == []


def test_linter_reports_problems(config_dir, capsys):
    folder = make_plugin(config_dir, "rough", "def async_setup(hub):\n    return True\n", kind="gizmo")
    problems = lint(folder)
    assert (
        "rough: kind 'gizmo' is not one of: system, library, probe, metadata, images, auth, transcoder, api, ui, "
        "storage, notify, other" in problems
    )
    assert "rough: manifest has no 'documentation' URL" in problems
    assert "rough: async_setup must be `async def`" in problems
    assert main([str(folder)]) == 1
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["name"] = 42
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert lint(folder) == [f"Invalid manifest {folder / 'manifest.json'}: 'name': expected str"]
