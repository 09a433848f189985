"""Live events over the WebSocket, `marquee scan` as a real process, and the walker's bad-input cases."""

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

from integrations.library.walker import MAX_DEPTH, VIDEO_EXTENSIONS, walk
from tests.integrations.library.conftest import library_yaml


async def test_websocket_streams_scan_progress_and_finish(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(music=test_media / "music"))
    status, libraries = await running.get_json("/api/v1/libraries")
    async with running.session.ws_connect("/api/v1/ws") as ws:
        await ws.send_str('{"type": "ping"}')
        assert orjson.loads((await ws.receive(timeout=5)).data) == {"type": "pong"}
        running.hub.bus.fire("secret.internal", {"token": "x"})  # not listed by any integration: never sent
        await running.post_json(f"/api/v1/libraries/{libraries[0]['id']}/scan")
        seen = []
        while not seen or seen[-1]["type"] != "library.scan.finished":
            seen.append(orjson.loads((await ws.receive(timeout=10)).data))
    types = [message["type"] for message in seen]
    assert types[0] == "library.scan.progress"
    assert "secret.internal" not in types
    phases = [m["data"]["phase"] for m in seen if m["type"] == "library.scan.progress"]
    assert phases[0] == "walking" and phases[-1] == "finished" and "analysing" in phases
    analysing = next(m["data"] for m in seen if m["data"].get("phase") == "analysing")
    assert analysing["total"] == 4 and analysing["library"] == "music"
    assert seen[-1]["data"]["added"] == 4


def test_scan_command_prints_a_summary(config_dir, test_media):
    (config_dir / "configuration.yaml").write_text(library_yaml(movies=test_media / "movies"))
    result = subprocess.run(
        [sys.executable, "-m", "core", "scan", "movies", "--config", str(config_dir)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "movies: 5 added, 0 updated, 0 moved, 0 removed, 4 failed, 0 unchanged" in result.stdout
    assert "skipped " in result.stdout and "truncated.mkv: truncated" in result.stdout
    again = subprocess.run(
        [sys.executable, "-m", "core", "scan", "--config", str(config_dir)], capture_output=True, text=True, timeout=120
    )
    assert "movies: 0 added, 0 updated, 0 moved, 0 removed, 0 failed, 9 unchanged" in again.stdout
    unknown = subprocess.run(
        [sys.executable, "-m", "core", "scan", "films", "--config", str(config_dir)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert unknown.returncode == 1 and "No library named 'films'" in unknown.stderr


def test_walker_skips_hidden_system_loops_escapes_deep_trees_and_bad_names(tmp_path, test_media):
    root = tmp_path / "lib"
    root.mkdir()
    clip = test_media / "shows" / "Anime Test" / "Anime Test - 012.mkv"
    shutil.copyfile(clip, root / "keep.mkv")
    (root / ".hidden").mkdir()
    shutil.copyfile(clip, root / ".hidden" / "secret.mkv")
    (root / "@eaDir").mkdir()
    shutil.copyfile(clip, root / "@eaDir" / "thumb.mkv")
    (root / "loop").mkdir()
    os.symlink(root, root / "loop" / "back")  # a symlink loop
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copyfile(clip, outside / "escape.mkv")
    os.symlink(outside, root / "escape")  # points out of the library
    deep = root
    for level in range(MAX_DEPTH + 3):
        deep = deep / f"d{level}"
    deep.mkdir(parents=True)
    shutil.copyfile(clip, deep / "too-deep.mkv")
    (root / "empty.mkv").write_bytes(b"")
    bad_name = os.fsencode(str(root)) + b"/caf\xe9.mkv"  # Latin-1 bytes, not UTF-8
    with open(bad_name, "wb") as handle:
        handle.write(b"x")
    (root / "sample.mkv").write_bytes(b"x")
    (root / "Disc Movie (2001)" / "BDMV" / "STREAM").mkdir(parents=True)
    shutil.copyfile(clip, root / "Disc Movie (2001)" / "BDMV" / "STREAM" / "00001.m2ts")

    result = walk([str(root)], VIDEO_EXTENSIONS, ignore=["sample.*"])
    names = sorted(os.path.basename(f.path) for f in result.files)
    assert names == ["empty.mkv", "keep.mkv"]  # the 0-byte file is left to the probe, which records why
    reasons = sorted(reason.split(";")[0].removesuffix(": not followed") for _, reason in result.problems)
    assert reasons == [
        f"deeper than {MAX_DEPTH} folders",
        "disc structure (BDMV) is not supported yet",
        "name is not valid UTF-8",
        "symlink points outside the library folder",
    ]


def test_unreadable_folder_is_skipped_with_a_reason(test_media):
    """Run the walker as an unprivileged user (root reads everything), so permissions really apply."""
    base = Path(tempfile.mkdtemp(prefix="marquee-perm-"))  # pytest's tmp dirs are private to root
    os.chmod(base, 0o755)
    try:
        _walk_as_nobody(base, test_media)
    finally:
        os.chmod(base / "lib" / "locked", 0o755)
        shutil.rmtree(base)


def _walk_as_nobody(base, test_media):
    root = base / "lib"
    (root / "locked").mkdir(parents=True)
    shutil.copyfile(test_media / "shows" / "Anime Test" / "Anime Test - 012.mkv", root / "open.mkv")
    shutil.copyfile(root / "open.mkv", root / "locked" / "hidden.mkv")
    os.chmod(root / "locked", 0o000)
    os.chmod(root, 0o755)
    code = (
        "import json, sys; from integrations.library.walker import walk, VIDEO_EXTENSIONS; "
        f"r = walk([{str(root)!r}], VIDEO_EXTENSIONS); "
        "print(json.dumps([[f.path for f in r.files], r.problems]))"
    )
    command = [sys.executable, "-c", code]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=os.getcwd())
    assert result.returncode == 0, result.stderr
    files, problems = orjson.loads(result.stdout)
    assert [os.path.basename(f) for f in files] == ["open.mkv"]
    assert problems == [[str(root / "locked"), "folder skipped: Permission denied"]]


async def test_a_file_vanishing_mid_scan_is_not_an_error(marquee_hub, media_copy):
    music = media_copy / "music"
    running = await marquee_hub(library_yaml(music=music))
    status, libraries = await running.get_json("/api/v1/libraries")
    task = asyncio.create_task(running.post_json(f"/api/v1/libraries/{libraries[0]['id']}/scan?wait=true"))
    shutil.rmtree(music / "Various Artists")
    status, report = await task
    assert status == 200
    assert report["added"] + report["failed"] <= 4
    assert (await running.get_json("/health/live"))[0] == 200
