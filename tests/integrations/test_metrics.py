from prometheus_client.parser import text_string_to_metric_families


async def scrape(running):
    status, text = await running.get_json("/metrics")
    assert status == 200
    return {family.name: family for family in text_string_to_metric_families(text)}


async def test_request_durations_are_labelled_by_route_template(marquee_hub):
    running = await marquee_hub()
    for domain in ("system", "logger", "metrics"):
        await running.get_json(f"/api/v1/integrations/{domain}")
    await running.get_json("/nothing/here")
    families = await scrape(running)
    counts = {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for s in families["marquee_http_request_duration_seconds"].samples
        if s.name.endswith("_count")
    }
    assert counts[("GET", "/api/v1/integrations/{domain}", "200")] == 3
    assert counts[("GET", "unmatched", "404")] == 1
    in_flight = families["marquee_http_requests_in_flight"].samples[0].value
    assert in_flight == 1  # the scrape itself


async def test_integration_states_are_exported(marquee_hub):
    running = await marquee_hub()
    await running.post_json("/api/v1/integrations/logger/disable")
    families = await scrape(running)
    active = {
        s.labels["domain"]: s.labels["state"] for s in families["marquee_integration_state"].samples if s.value == 1
    }
    assert active["logger"] == "disabled"
    assert active["system"] == "loaded"
    setup = {s.labels["domain"] for s in families["marquee_integration_setup_seconds"].samples}
    assert {"system", "metrics"} <= setup
