import json
import logging


async def test_levels_per_integration_from_yaml(marquee_hub):
    await marquee_hub("logger:\n  default: warning\n  logs:\n    system: debug\n    some.library: error\n")
    assert logging.getLogger().level == logging.WARNING
    assert logging.getLogger("marquee.system").level == logging.DEBUG
    assert logging.getLogger("integrations.system").level == logging.DEBUG
    assert logging.getLogger("some.library").level == logging.ERROR


async def test_json_format_writes_one_object_per_line(marquee_hub):
    await marquee_hub("logger:\n  format: json\n")
    handler = logging.getLogger().handlers[0]
    record = logging.LogRecord("marquee.test", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    line = json.loads(handler.format(record))
    assert line["level"] == "info"
    assert line["logger"] == "marquee.test"
    assert line["message"] == "hello world"


async def test_runtime_levels_are_stored_survive_restart_and_leave_yaml_alone(marquee_hub, config_dir):
    yaml_text = "logger:\n  default: info\n"
    first = await marquee_hub(yaml_text, config_dir=config_dir)
    yaml_text = (config_dir / "configuration.yaml").read_text()
    status, body = await first.request(
        "PUT", "/api/v1/integrations/logger/settings", json={"logs": {"metrics": "DEBUG"}}
    )
    assert (status, body) == (200, {"logs": {"metrics": "debug"}})
    assert logging.getLogger("marquee.metrics").level == logging.DEBUG
    await first.stop()
    logging.getLogger("marquee.metrics").setLevel(logging.NOTSET)

    second = await marquee_hub(config_dir=config_dir, keep_config=True)
    assert logging.getLogger("marquee.metrics").level == logging.DEBUG
    assert (config_dir / "configuration.yaml").read_text() == yaml_text
    status, body = await second.request(
        "PUT", "/api/v1/integrations/logger/settings", json={"logs": {"metrics": "loud"}}
    )
    assert status == 400
    assert body["error"]["problems"] == [
        "value must be one of ['critical', 'debug', 'error', 'info', 'warning'] for 'logs->metrics' (got 'loud')"
    ]
    await second.request("PUT", "/api/v1/integrations/logger/settings", json={})
    assert logging.getLogger("marquee.metrics").level == logging.NOTSET
