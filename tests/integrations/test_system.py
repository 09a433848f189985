from tests.conftest import make_plugin

NOT_READY = """
from plugin_sdk import hookimpl
STATE = {"ready": False}

@hookimpl
async def readiness_check(hub):
    return None if STATE["ready"] else "warming up"

async def async_setup(hub, config):
    return True
"""


async def test_system_info_reports_version_uptime_and_integrations(marquee_hub):
    running = await marquee_hub("core:\n  name: Living Room\n")
    status, info = await running.get_json("/api/v1/system/info")
    assert status == 200
    assert info["name"] == "Living Room"
    assert info["version"] == "0.1.0"
    assert info["uptime_seconds"] >= 0
    assert info["integrations"]["loaded"] == info["integrations"]["total"] >= 4
    assert info["integrations"]["failed"] == 0


async def test_ready_is_503_while_a_readiness_check_objects(marquee_hub, config_dir):
    make_plugin(config_dir, "warmup", NOT_READY)
    running = await marquee_hub("warmup: {}\n", config_dir=config_dir)
    assert (await running.get_json("/health/live")) == (200, {"status": "alive"})
    assert (await running.get_json("/health/ready")) == (
        503,
        {"status": "not ready", "reasons": ["warmup: warming up"]},
    )
    __import__("marquee_plugins.warmup", fromlist=["STATE"]).STATE["ready"] = True
    assert (await running.get_json("/health/ready")) == (200, {"status": "ready"})


async def test_ready_is_503_when_the_database_does_not_answer(marquee_hub):
    running = await marquee_hub()
    await running.hub.db.close()
    status, body = await running.get_json("/health/ready")
    assert status == 503
    assert body["reasons"] == ["database does not answer"]
