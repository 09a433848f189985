"""Run the real jellyfin-web client against Marquee in headless Chromium and check what a user would do with it.

jellyfin-web is not on PyPI or npm as a built client, so this is a manual check, not part of the test suite:
build it yourself (`git clone https://github.com/jellyfin/jellyfin-web -b v10.11.9 && npm ci && npm run
build:production`) and pass its `dist` folder. The script generates the demo library, starts Marquee on a free
port with `jellyfin: web_path: <dist>`, creates an admin, and then, in Chromium (Debian's, driven by Playwright):

1. signs in through the web client's manual login form and waits for the home screen's libraries;
2. plays a film that direct-plays (H.264/AAC in MP4) and one that must be transcoded (HEVC 10-bit → HLS);
3. plays an episode and an album track;
4. checks that the web client's stop report reached Marquee's own watch state.

Every HTTP answer of 400 or more that the client received is listed; any step that fails makes the exit code 1.
Usage: ``scripts/check-jellyfin-web /path/to/jellyfin-web/dist [--keep]``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
CHROMIUM = "/usr/bin/chromium"
ADMIN = {"username": "admin", "password": "correct horse battery"}
START_TIMEOUT_S = 60.0
# jellyfin-web itself asks for "/web/null" (an <img> whose URL it never set); that 404 is the client's, not ours.
CLIENT_OWN_404 = ("/web/null",)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(base + path, data, headers, method=method), timeout=30) as r:
        raw = r.read()
    return json.loads(raw) if raw else None


def start_marquee(work: Path, dist: Path) -> tuple[subprocess.Popen[bytes], str]:
    media = work / "media"
    subprocess.run([str(PYTHON), str(REPO / "scripts" / "make_test_media.py"), str(media)], check=True)
    config = work / "config"
    config.mkdir()
    (config / "configuration.yaml").write_text(f"jellyfin:\n  web_path: {dist}\n", encoding="utf-8")
    port = free_port()
    log = (work / "marquee.log").open("wb")
    process = subprocess.Popen(
        [str(PYTHON), "-m", "core", "run", "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "MARQUEE_DEMO_MEDIA": str(media)},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            api(base, "GET", "/health/ready")
            return process, base
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"Marquee did not become ready; see {work / 'marquee.log'}")


def wait_for_library(base: str, token: str) -> dict[str, str]:
    """Item names to ids, once the demo scan has found the films, the episode and the album tracks."""
    for _ in range(120):
        found = api(base, "GET", "/Items?Recursive=true&IncludeItemTypes=Movie,Episode,MusicAlbum", token=token)
        names = {item["Name"]: item["Id"] for item in found["Items"]}
        if {"Sintel Test", "HDR Demo", "Pilot", "Test Album"} <= names.keys():
            return names
        time.sleep(0.5)
    raise SystemExit("The demo library was not scanned in time")


class Check:
    def __init__(self) -> None:
        self.failed = 0

    def step(self, name: str, run: Callable[[], str]) -> None:
        started = time.monotonic()
        try:
            detail = run()
            print(f"PASS  {name} ({time.monotonic() - started:.1f} s): {detail}", flush=True)
        except Exception as err:  # a failed step is reported, and the next ones still run
            self.failed += 1
            print(f"FAIL  {name}: {type(err).__name__}: {str(err)[:300]}", flush=True)


def play(page: Any, base: str, item_id: str, *, hls: bool = False) -> str:
    """Open the item's page, press its play button, and wait until the media element's clock moves."""
    page.goto(f"{base}/web/#/details?id={item_id}", wait_until="networkidle")
    # The details page has several play buttons (Play, Resume), some hidden: the first one shown.
    page.locator(".page:not(.hide) .btnPlay:visible").first.click(timeout=15_000)
    for _ in range(100):
        page.wait_for_timeout(150)
        state = page.evaluate(
            "() => { const m = document.querySelector('video, audio'); return m && "
            "{tag: m.tagName, t: m.currentTime, src: m.currentSrc, err: m.error && m.error.code}; }"
        )
        if state and state["err"]:
            raise AssertionError(f"the media element failed with code {state['err']}")
        if state and state["t"] > 0.3:
            source = "MSE (hls.js)" if state["src"].startswith("blob:") else state["src"].split("?")[0]
            if hls and not state["src"].startswith("blob:"):
                raise AssertionError(f"expected HLS through hls.js, got {source}")
            return f"<{state['tag'].lower()}> at {state['t']:.2f} s from {source.replace(base, '')}"
    raise AssertionError("the media element never started playing")


def run_browser(base: str, token: str, ids: dict[str, str], check: Check) -> list[str]:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on(
            "response",
            lambda r: r.status >= 400 and not r.url.endswith(CLIENT_OWN_404) and errors.append(f"{r.status} {r.url}"),
        )

        def sign_in() -> str:
            page.goto(f"{base}/web/", wait_until="networkidle")
            manual = page.locator(".btnManual")
            if manual.is_visible():
                manual.click()
            page.fill("#txtManualName", ADMIN["username"])
            page.fill("#txtManualPassword", ADMIN["password"])
            page.click(".manualLoginForm button[type=submit]")
            page.get_by_text("Demo Movies").first.wait_for(timeout=20_000)
            return f"home screen with {page.locator('.card').count()} cards"

        check.step("sign in and see the libraries", sign_in)
        check.step("direct play a film", lambda: play(page, base, ids["Sintel Test"]))
        check.step(
            "play an HEVC 10-bit film through an HLS transcode", lambda: play(page, base, ids["HDR Demo"], hls=True)
        )
        check.step("play an episode", lambda: play(page, base, ids["Pilot"]))
        check.step("play an album", lambda: play(page, base, ids["Test Album"]))
        page.wait_for_timeout(3000)  # the clips are seconds long: let the last stop report arrive
        browser.close()
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dist", type=Path, help="a built jellyfin-web dist folder (holds index.html)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary config, media and log")
    args = parser.parse_args()
    if not (args.dist / "index.html").is_file():
        parser.error(f"{args.dist} holds no index.html: pass jellyfin-web's built dist folder")
    work = Path(tempfile.mkdtemp(prefix="marquee-jellyfin-web-"))
    process, base = start_marquee(work, args.dist.resolve())
    check = Check()
    try:
        api(base, "POST", "/api/v1/auth/first-admin", ADMIN)
        token = api(base, "POST", "/api/v1/auth/login", ADMIN)["access_token"]
        ids = wait_for_library(base, token)
        errors = run_browser(base, token, ids, check)

        def watch_state() -> str:
            data = api(base, "GET", f"/api/v1/items/{ids['Sintel Test']}/user-data", token=token)
            # The clips are seconds long and the check moves on at once, so Marquee's resume rules keep no position
            # (under 30 s); the stop report still stamps when the user last played it.
            if not data.get("last_played_at"):
                raise AssertionError(f"Marquee has no watch state from the web client: {data}")
            return f"Marquee's own API: last played at {data['last_played_at']:.0f}, played={data.get('played')}"

        check.step("the web client's reports reach Marquee's watch state", watch_state)
        print(f"HTTP answers >= 400 seen by the client: {len(errors)}")
        for line in errors[:30]:
            print(f"  {line}")
    finally:
        process.terminate()
        process.wait(timeout=30)
        if not args.keep:
            subprocess.run(["rm", "-rf", str(work)], check=False)
        else:
            print(f"Kept {work}")
    return 1 if check.failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
