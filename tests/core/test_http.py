"""The HTTP bus over real loopback HTTP: errors, request ids, access log, proxies, runtime middleware."""

import logging

import aiohttp

from tests.conftest import make_plugin

PLUGIN = """
import pathlib
from starlette.responses import JSONResponse

class AddHeader:
    def __init__(self, app, *, value):
        self.app, self.value = app, value
    async def __call__(self, scope, receive, send):
        async def send_with_header(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-plugin", self.value.encode())]
            await send(message)
        await self.app(scope, receive, send_with_header)

async def async_setup(hub, config):
    async def crash(request):
        raise KeyError("secret-internal-detail")
    async def whoami(request):
        return JSONResponse({"client": request.client.host})
    async def echo(websocket):
        await websocket.accept()
        text = await websocket.receive_text()
        await websocket.send_text(text.upper())
        await websocket.close()
    static = pathlib.Path(__file__).parent / "static"
    static.mkdir(exist_ok=True)
    (static / "hello.txt").write_text("static hello")
    hub.http.register_route("/api/v1/crash", crash)
    hub.http.register_route("/api/v1/whoami", whoami)
    hub.http.register_websocket("/api/v1/echo", echo)
    hub.http.register_static("/files", static)
    hub.http.register_middleware(AddHeader, value="yes")
    return True
"""


async def start(marquee_hub, config_dir, extra=""):
    make_plugin(config_dir, "webby", PLUGIN)
    return await marquee_hub(f"webby: {{}}\n{extra}", config_dir=config_dir)


async def test_json_errors_with_request_id(marquee_hub, config_dir):
    running = await start(marquee_hub, config_dir)
    async with running.session.get("/no/such/route") as response:
        assert response.status == 404
        body = await response.json()
        assert body["error"]["message"] == "Not Found"
        assert body["error"]["request_id"] == response.headers["X-Request-ID"]
    async with running.session.delete("/health/live") as response:
        assert response.status == 405
        assert (await response.json())["error"]["status"] == 405


async def test_unhandled_error_is_a_json_500_and_the_server_stays_up(marquee_hub, config_dir, caplog):
    running = await start(marquee_hub, config_dir)
    with caplog.at_level(logging.ERROR):
        async with running.session.get("/api/v1/crash") as response:
            assert response.status == 500
            body = await response.json()
    assert body == {
        "error": {"status": 500, "message": "Internal server error", "request_id": body["error"]["request_id"]}
    }
    assert "secret-internal-detail" not in str(body)
    assert "secret-internal-detail" in caplog.text  # the log has it, the client does not
    assert (await running.get_json("/health/live"))[0] == 200


async def test_client_request_id_is_kept_when_valid(marquee_hub, config_dir):
    running = await start(marquee_hub, config_dir)
    async with running.session.get("/health/live", headers={"X-Request-ID": "abc-123"}) as response:
        assert response.headers["X-Request-ID"] == "abc-123"
    async with running.session.get("/health/live", headers={"X-Request-ID": "bad id\twith junk"}) as response:
        assert response.headers["X-Request-ID"] != "bad id\twith junk"
        assert len(response.headers["X-Request-ID"]) == 32


async def test_access_log_leaves_out_query_strings(marquee_hub, config_dir, caplog):
    running = await start(marquee_hub, config_dir)
    with caplog.at_level(logging.INFO, logger="core.http.access"):
        await running.get_json("/health/live?api_key=TOPSECRET")
    access = [r.getMessage() for r in caplog.records if r.name == "core.http.access"]
    assert any('"GET /health/live" 200' in line for line in access)
    assert "TOPSECRET" not in caplog.text


async def test_forwarded_for_only_from_trusted_proxies(marquee_hub, config_dir, tmp_path):
    headers = {"X-Forwarded-For": "198.51.100.9, 203.0.113.7"}
    running = await start(marquee_hub, config_dir)
    assert (await running.get_json("/api/v1/whoami", headers=headers))[1] == {"client": "127.0.0.1"}
    await running.stop()
    trusted = await start(marquee_hub, config_dir, "http:\n  trusted_proxies: [127.0.0.1/32]\n")
    assert (await trusted.get_json("/api/v1/whoami", headers=headers))[1] == {"client": "203.0.113.7"}


async def test_websocket_static_and_middleware_come_and_go_with_the_integration(marquee_hub, config_dir):
    running = await start(marquee_hub, config_dir)
    async with running.session.ws_connect("/api/v1/echo") as ws:
        await ws.send_str("hello")
        assert (await ws.receive()).data == "HELLO"
    async with running.session.get("/files/hello.txt") as response:
        assert await response.text() == "static hello"
        assert response.headers["X-Plugin"] == "yes"

    await running.post_json("/api/v1/integrations/webby/disable")
    async with running.session.get("/files/hello.txt") as response:
        assert response.status == 404
        assert "X-Plugin" not in response.headers
    try:
        async with running.session.ws_connect("/api/v1/echo"):
            raise AssertionError("websocket route should be gone")
    except aiohttp.WSServerHandshakeError:
        pass
