"""Integration lifecycle against a real hub: real HTTP on loopback, real SQLite, plugins on disk."""

import logging

from core.const import EVENT_NOTIFICATION
from tests.conftest import make_plugin

ROUTE_PLUGIN = """
from starlette.responses import JSONResponse

async def async_setup(hub, config):
    async def hello(request):
        return JSONResponse({"hello": "world"})
    hub.http.register_route("/api/v1/hello", hello, methods=["GET"])
    return True
"""

TRACE_PLUGIN = """
import asyncio, time

async def async_setup(hub, config):
    trace = hub.root.__dict__.setdefault("trace", [])
    trace.append(("start", hub.domain, time.monotonic()))
    await asyncio.sleep({delay})
    trace.append(("end", hub.domain, time.monotonic()))
    return True
"""


async def states(running):
    status, body = await running.get_json("/api/v1/integrations")
    assert status == 200
    return {row["domain"]: row for row in body}


async def test_setup_raising_is_isolated_and_notified(marquee_hub, config_dir):
    make_plugin(config_dir, "broken", "async def async_setup(hub, config):\n    raise RuntimeError('boom')\n")
    make_plugin(config_dir, "fine", ROUTE_PLUGIN)
    running = await marquee_hub("broken: {}\nfine: {}\n", config_dir=config_dir)
    rows = await states(running)
    assert rows["broken"]["state"] == "failed"
    assert rows["broken"]["reason"] == "setup failed: RuntimeError: boom"
    assert rows["fine"]["state"] == "loaded"
    assert (await running.get_json("/api/v1/hello")) == (200, {"hello": "world"})
    _status, notes = await running.get_json("/api/v1/system/notifications")
    assert {"title": "Integration 'broken' failed", "message": "setup failed: RuntimeError: boom"}.items() <= (
        notes[0].items()
    )


async def test_setup_timeout_and_false_result(marquee_hub, config_dir):
    make_plugin(
        config_dir, "sleepy", "import asyncio\nasync def async_setup(hub, config):\n    await asyncio.sleep(30)\n"
    )
    make_plugin(config_dir, "refuses", "async def async_setup(hub, config):\n    return False\n")
    running = await marquee_hub("core:\n  setup_timeout: 0.5\nsleepy: {}\nrefuses: {}\n", config_dir=config_dir)
    rows = await states(running)
    assert rows["sleepy"]["state"] == "failed"
    assert rows["sleepy"]["reason"] == "setup timed out after 0.5 s"
    assert rows["refuses"]["reason"] == "async_setup returned False instead of True"
    assert (await running.get_json("/health/ready"))[0] == 200


async def test_slow_setup_warns(marquee_hub, config_dir, caplog):
    make_plugin(config_dir, "slow", TRACE_PLUGIN.format(delay=0.4))
    with caplog.at_level(logging.WARNING, logger="core.setup"):
        running = await marquee_hub("core:\n  setup_warning: 0.1\nslow: {}\n", config_dir=config_dir)
    assert "Setup of 'slow' is taking over 0.1 s" in caplog.text
    assert (await states(running))["slow"]["setup_seconds"] >= 0.4


async def test_dependency_cycle_and_missing_dependency_fail_only_their_chain(marquee_hub, config_dir):
    make_plugin(config_dir, "alpha", dependencies=["beta"])
    make_plugin(config_dir, "beta", dependencies=["alpha"])
    make_plugin(config_dir, "upper", dependencies=["lower"])
    make_plugin(config_dir, "lower", dependencies=["ghost"])
    make_plugin(config_dir, "standalone")
    running = await marquee_hub("alpha: {}\nupper: {}\nstandalone: {}\n", config_dir=config_dir)
    rows = await states(running)
    assert rows["alpha"]["reason"] == "dependency cycle: alpha -> beta -> alpha"
    assert rows["beta"]["reason"] == "dependency cycle: alpha -> beta -> alpha"
    assert rows["upper"]["reason"] == "missing dependency: upper -> lower -> ghost (not found)"
    assert rows["lower"]["reason"] == "missing dependency: lower -> ghost (not found)"
    assert rows["standalone"]["state"] == "loaded"
    assert rows["system"]["state"] == "loaded"


async def test_incompatible_core_and_invalid_manifest_are_shown(marquee_hub, config_dir):
    make_plugin(config_dir, "future", core=">=5.0")
    make_plugin(config_dir, "sloppy", kind="Not-A-Kind")
    running = await marquee_hub("future: {}\nsloppy: {}\n", config_dir=config_dir)
    rows = await states(running)
    assert rows["future"]["state"] == "failed"
    assert rows["future"]["reason"].startswith("requires core >=5.0, but this is core 0.1.0")
    assert rows["sloppy"]["state"] == "failed"
    assert "'kind': does not match regular expression" in rows["sloppy"]["reason"]


async def test_independent_integrations_set_up_concurrently_after_dependencies_first(marquee_hub, config_dir):
    make_plugin(config_dir, "one", TRACE_PLUGIN.format(delay=0.3))
    make_plugin(config_dir, "two", TRACE_PLUGIN.format(delay=0.3))
    make_plugin(config_dir, "child", TRACE_PLUGIN.format(delay=0), dependencies=["one"])
    make_plugin(config_dir, "later", TRACE_PLUGIN.format(delay=0), after_dependencies=["two"])
    running = await marquee_hub("one: {}\ntwo: {}\nchild: {}\nlater: {}\n", config_dir=config_dir)
    at = {(kind, domain): t for kind, domain, t in running.hub.trace}
    # one and two overlap: each started before the other finished.
    assert at["start", "one"] < at["end", "two"] and at["start", "two"] < at["end", "one"]
    assert at["end", "one"] <= at["start", "child"]
    assert at["end", "two"] <= at["start", "later"]


async def test_reload_a_failed_integration_after_its_file_is_fixed(marquee_hub, config_dir):
    folder = make_plugin(config_dir, "greeter", "async def async_setup(hub, config):\n    raise ValueError('typo')\n")
    running = await marquee_hub("greeter: {}\n", config_dir=config_dir)
    assert (await states(running))["greeter"]["state"] == "failed"
    (folder / "__init__.py").write_text(ROUTE_PLUGIN)
    status, body = await running.post_json("/api/v1/integrations/greeter/reload")
    assert status == 200
    assert body["state"] == "loaded"
    assert body["reason"] is None
    assert (await running.get_json("/api/v1/hello")) == (200, {"hello": "world"})


async def test_reload_rereads_the_yaml_and_a_broken_yaml_changes_nothing(marquee_hub, config_dir):
    code = """
import voluptuous as vol
from starlette.responses import JSONResponse
CONFIG_SCHEMA = vol.Schema({"word": str})

async def async_setup(hub, config):
    async def word(request):
        return JSONResponse({"word": config["word"]})
    hub.http.register_route("/api/v1/word", word)
    return True
"""
    make_plugin(config_dir, "speaker", code)
    running = await marquee_hub("speaker:\n  word: one\n", config_dir=config_dir)
    assert (await running.get_json("/api/v1/word"))[1] == {"word": "one"}
    (config_dir / "configuration.yaml").write_text("speaker:\n  word: [broken\n")
    status, body = await running.post_json("/api/v1/integrations/speaker/reload")
    assert status == 400
    assert "line 3, column 1" in body["error"]["message"]
    assert (await running.get_json("/api/v1/word"))[1] == {"word": "one"}
    (config_dir / "configuration.yaml").write_text("speaker:\n  word: two\n")
    assert (await running.post_json("/api/v1/integrations/speaker/reload"))[1]["state"] == "loaded"
    assert (await running.get_json("/api/v1/word"))[1] == {"word": "two"}
    (config_dir / "configuration.yaml").write_text("speaker:\n  word: 3\n")
    status, body = await running.post_json("/api/v1/integrations/speaker/reload")
    assert body["state"] == "failed"
    assert "expected str for 'speaker->word'" in body["reason"]
    assert (await running.get_json("/api/v1/word"))[0] == 404
    assert (await running.get_json("/health/live"))[0] == 200


async def test_unload_removes_routes_listeners_tasks_and_hooks(marquee_hub, config_dir):
    code = """
import asyncio
from plugin_sdk import hookimpl
from starlette.responses import JSONResponse

STATE = {"events": 0, "task_cancelled": False}

@hookimpl
def system_info(hub):
    return {"events": STATE["events"]}

async def async_setup(hub, config):
    async def ping(request):
        return JSONResponse({"pong": True})
    async def forever():
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            STATE["task_cancelled"] = True
            raise
    def count(event):
        STATE["events"] += 1
    hub.http.register_route("/api/v1/ping", ping)
    hub.bus.listen("custom.event", count)
    hub.create_task(forever())
    return True
"""
    make_plugin(config_dir, "tracker", code)
    running = await marquee_hub("tracker: {}\n", config_dir=config_dir)
    hub = running.hub
    listeners_before = hub.bus.listener_count("custom.event")
    hub.bus.fire("custom.event")
    _, info = await running.get_json("/api/v1/system/info")
    assert info["extensions"]["tracker"] == {"events": 1}
    assert (await running.get_json("/api/v1/ping"))[0] == 200

    _, body = await running.post_json("/api/v1/integrations/tracker/disable")
    assert body["state"] == "disabled"
    module_state = __import__("marquee_plugins.tracker", fromlist=["STATE"]).STATE
    assert module_state["task_cancelled"] is True
    assert (await running.get_json("/api/v1/ping"))[0] == 404
    assert hub.bus.listener_count("custom.event") == listeners_before - 1
    assert "tracker" not in (await running.get_json("/api/v1/system/info"))[1]["extensions"]

    _status, body = await running.post_json("/api/v1/integrations/tracker/enable")
    assert body["state"] == "loaded"
    assert (await running.get_json("/api/v1/ping"))[0] == 200


async def test_enable_disable_persists_across_restart(marquee_hub, config_dir):
    first = await marquee_hub("core: {}\n", config_dir=config_dir)
    assert (await first.get_json("/metrics"))[0] == 200
    assert (await first.post_json("/api/v1/integrations/metrics/disable"))[1]["state"] == "disabled"
    assert (await first.get_json("/metrics"))[0] == 404
    await first.stop()

    second = await marquee_hub(config_dir=config_dir, keep_config=True)
    assert (await states(second))["metrics"]["state"] == "disabled"
    assert (await second.get_json("/metrics"))[0] == 404
    assert (await second.post_json("/api/v1/integrations/metrics/enable"))[1]["state"] == "loaded"
    await second.stop()

    third = await marquee_hub(config_dir=config_dir, keep_config=True)
    assert (await third.get_json("/metrics"))[0] == 200


async def test_disabling_a_dependency_unloads_its_dependents(marquee_hub, config_dir):
    make_plugin(config_dir, "base")
    make_plugin(config_dir, "addon", ROUTE_PLUGIN, dependencies=["base"])
    running = await marquee_hub("addon: {}\n", config_dir=config_dir)
    rows = await states(running)
    assert rows["base"]["state"] == rows["addon"]["state"] == "loaded"
    await running.post_json("/api/v1/integrations/base/disable")
    rows = await states(running)
    assert rows["base"]["state"] == "disabled"
    assert rows["addon"]["state"] == "not_loaded"
    assert rows["addon"]["reason"] == "dependency 'base' was unloaded"
    assert (await running.get_json("/api/v1/hello"))[0] == 404
    _status, body = await running.post_json("/api/v1/integrations/addon/enable")
    assert body["state"] == "failed"
    assert body["reason"] == "dependency 'base' is disabled"


async def test_failure_fires_a_notification_event(marquee_hub, config_dir):
    make_plugin(config_dir, "flaky", "async def async_setup(hub, config):\n    return True\n")
    running = await marquee_hub("flaky: {}\n", config_dir=config_dir)
    seen = []
    running.hub.bus.listen(EVENT_NOTIFICATION, lambda e: seen.append(dict(e.data)))
    (config_dir / "plugins" / "flaky" / "__init__.py").write_text("async def async_setup(hub, config):\n    1/0\n")
    await running.post_json("/api/v1/integrations/flaky/reload")
    assert seen and seen[0]["source"] == "flaky"
    assert seen[0]["message"] == "setup failed: ZeroDivisionError: division by zero"


async def test_plugin_cannot_silently_shadow_a_builtin(marquee_hub, config_dir, caplog):
    make_plugin(config_dir, "system", ROUTE_PLUGIN)
    with caplog.at_level(logging.WARNING):
        running = await marquee_hub("core: {}\n", config_dir=config_dir)
    assert "would shadow the built-in one" in caplog.text
    assert (await states(running))["system"]["source"] == "builtin"
    assert (await running.get_json("/api/v1/hello"))[0] == 404
    await running.stop()

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        running = await marquee_hub("core:\n  allow_override: [system]\n", config_dir=config_dir)
    assert "overrides the built-in one (allowed by core: allow_override)" in caplog.text
    assert (await states(running))["system"]["source"] == "plugins_dir", await states(running)
    assert (await running.get_json("/api/v1/hello"))[0] == 200, str((await states(running))["system"])


async def test_notify_hook_receives_failures(marquee_hub, config_dir):
    make_plugin(
        config_dir,
        "pager",
        """
from plugin_sdk import hookimpl
RECEIVED = []

@hookimpl
async def notify(title, message, level, source):
    RECEIVED.append((title, level, source))

@hookimpl
def readiness_check(hub):
    return None

async def async_setup(hub, config):
    return True
""",
    )
    make_plugin(
        config_dir, "doomed", "async def async_setup(hub, config):\n    return True\n", after_dependencies=["pager"]
    )
    running = await marquee_hub("pager: {}\ndoomed: {}\n", config_dir=config_dir)
    (config_dir / "plugins" / "doomed" / "__init__.py").write_text(
        "async def async_setup(hub, config):\n    return None\n"
    )
    await running.post_json("/api/v1/integrations/doomed/reload")
    await running.hub.stop()  # waits for notification delivery
    received = __import__("marquee_plugins.pager", fromlist=["RECEIVED"]).RECEIVED
    assert received == [("Integration 'doomed' failed", "error", "doomed")]
