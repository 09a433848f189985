"""The whole hub on PostgreSQL: same migrations, same runtime state, surviving a restart."""


async def test_hub_runs_on_postgresql_and_keeps_state_across_restart(marquee_hub, config_dir, postgres_url):
    config = f"database:\n  url: {postgres_url}\n"
    first = await marquee_hub(config, config_dir=config_dir)
    assert (await first.get_json("/health/ready")) == (200, {"status": "ready"})
    assert first.hub.db.dialect == "postgresql"
    await first.post_json("/api/v1/integrations/metrics/disable")
    status, _body = await first.request("PUT", "/api/v1/integrations/logger/settings", json={"logs": {"core": "debug"}})
    assert status == 200
    await first.stop()

    second = await marquee_hub(config_dir=config_dir, keep_config=True)
    rows = {row["domain"]: row for row in (await second.get_json("/api/v1/integrations"))[1]}
    assert rows["metrics"]["state"] == "disabled"
    assert (await second.get_json("/api/v1/integrations/logger/settings")) == (200, {"logs": {"core": "debug"}})
