"""A jellyfin-web build served at /web: the redirect, index.html never cached, its player allowed to run."""


async def test_a_web_client_build_is_served_at_web(marquee_hub, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>Jellyfin</title>", encoding="utf-8")
    (dist / "main.jellyfin.bundle.js").write_text("console.log('hi')", encoding="utf-8")
    running = await marquee_hub(f"jellyfin:\n  web_path: {dist}\n", only=["auth", "auth_local", "library", "jellyfin"])
    anon = running.anonymous

    async with anon.get("/web", allow_redirects=False) as response:
        assert response.status == 302 and response.headers["location"] == "/web/index.html"
    async with anon.get("/web/") as response:
        assert response.status == 200 and "<title>Jellyfin</title>" in await response.text()
        assert response.headers["cache-control"] == "no-cache"
        policy = response.headers["content-security-policy"]
        assert "worker-src 'self' blob:" in policy and "default-src 'self'" in policy  # hls.js workers, nothing else
        assert "gstatic" not in policy
    async with anon.get("/web/main.jellyfin.bundle.js") as response:
        assert response.status == 200 and "no-cache" not in response.headers.get("cache-control", "")
        assert "worker-src" not in response.headers["content-security-policy"]  # Marquee's own policy
    async with anon.get("/web/../configuration.yaml") as response:
        assert response.status == 404
    async with anon.get("/web/%2e%2e/%2e%2e/etc/passwd") as response:
        assert response.status == 404


async def test_without_a_build_web_only_redirects(marquee_hub):
    running = await marquee_hub(only=["auth", "auth_local", "library", "jellyfin"])
    async with running.anonymous.get("/web", allow_redirects=False) as response:
        assert response.status == 302
    async with running.anonymous.get("/web/index.html") as response:
        assert response.status in (401, 404)  # nothing is served there; never a file
