async def test_unknown_domain_and_action(marquee_hub):
    running = await marquee_hub()
    assert (await running.get_json("/api/v1/integrations/nope"))[1]["error"]["message"] == "No integration 'nope'"
    status, body = await running.post_json("/api/v1/integrations/system/explode")
    assert status == 404
    assert body["error"]["message"] == "Unknown action 'explode'; use one of: reload, enable, disable"


async def test_the_api_cannot_disable_itself(marquee_hub):
    running = await marquee_hub()
    status, _body = await running.post_json("/api/v1/integrations/integrations/disable")
    assert status == 409


async def test_settings_need_a_schema_and_a_json_object(marquee_hub):
    running = await marquee_hub()
    status, body = await running.request("PUT", "/api/v1/integrations/system/settings", json={"x": 1})
    assert status == 400
    assert body["error"]["problems"] == ["Integration 'system' has no runtime settings (or is not loaded)"]
    status, body = await running.request("PUT", "/api/v1/integrations/logger/settings", data=b"{not json")
    assert status == 400
    assert body["error"]["message"].startswith("Body is not valid JSON")
    status, body = await running.request("PUT", "/api/v1/integrations/logger/settings", json=[1, 2])
    assert (status, body["error"]["message"]) == (400, "Body must be a JSON object of settings")


async def test_list_shows_state_reason_and_setup_time(marquee_hub):
    running = await marquee_hub()
    status, rows = await running.get_json("/api/v1/integrations")
    assert status == 200
    system = next(row for row in rows if row["domain"] == "system")
    assert system["state"] == "loaded"
    assert system["reason"] is None
    assert system["setup_seconds"] is not None and system["setup_seconds"] >= 0
    assert system["kind"] == "system"
