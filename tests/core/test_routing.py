"""The segment-indexed router picks exactly the route Starlette's ordered walk would pick."""

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from core.routing import SegmentRouter


def answer(text: str):
    async def endpoint(request):
        return PlainTextResponse(text)

    return endpoint


async def call(app, method: str, path: str) -> tuple[int, str, dict[str, str]]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": [],
             "server": ("test", 80), "client": ("127.0.0.1", 1)}  # fmt: skip
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body.decode(), {k.decode(): v.decode() for k, v in start["headers"]}


def routes():
    return [
        Route("/Items/Latest", answer("latest")),
        Route("/{anything}/Ping", answer("param-first ping")),  # registered before the generic item route
        Route("/Items/{item_id}", answer("item")),
        Route("/Items/{item_id}", answer("item delete"), methods=["DELETE"]),
        Route("/items/{item_id}", answer("lower-case items")),
        Route("/", answer("root")),
        Route("/slash/", answer("slash")),
        Mount("/web", routes=[Route("/index.html", answer("web index"))]),
    ]


async def test_the_same_route_as_starlettes_walk():
    indexed = Starlette()
    indexed.router = SegmentRouter()
    indexed.router.routes.extend(routes())
    plain = Starlette(routes=routes())
    cases = [
        ("GET", "/Items/Latest"),  # the literal route registered first wins over the parameter
        ("GET", "/Items/Ping"),  # a parameter-first route registered earlier wins over /Items/{item_id}
        ("GET", "/Items/abc"),
        ("DELETE", "/Items/abc"),
        ("POST", "/Items/Latest"),  # path fits, method doesn't: 405
        ("GET", "/items/abc"),
        ("GET", "/Users/Ping"),  # only the parameter-first route can match
        ("GET", "/"),
        ("GET", "/slash"),  # Starlette's trailing-slash redirect
        ("GET", "/web/index.html"),
        ("GET", "/nothing/here"),
    ]
    for method, path in cases:
        assert await call(indexed, method, path) == await call(plain, method, path), (method, path)
    assert (await call(indexed, "GET", "/Items/Ping"))[1] == "param-first ping"
    assert (await call(indexed, "POST", "/Items/Latest"))[0] == 405
    assert (await call(indexed, "GET", "/slash"))[0] == 307
    assert (await call(indexed, "GET", "/nothing/here"))[0] == 404


async def test_routes_added_or_removed_later_are_seen():
    app = Starlette()
    router = app.router = SegmentRouter()
    router.routes.append(Route("/a", answer("a")))
    assert (await call(app, "GET", "/a"))[1] == "a"
    late = Route("/b/{x}", answer("b"))
    router.routes.append(late)
    router.invalidate()
    assert (await call(app, "GET", "/b/1"))[1] == "b"
    router.routes.remove(late)
    router.invalidate()
    assert (await call(app, "GET", "/b/1"))[0] == 404
