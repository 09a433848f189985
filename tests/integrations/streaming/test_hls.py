"""HLS and DASH with real ffmpeg jobs: playlists, short first segment, seeks, sharing, limits, failures."""

import asyncio
import xml.etree.ElementTree as ET

import psutil

from tests.integrations.auth.conftest import request
from tests.integrations.library.conftest import by_name, library_yaml, scan
from tests.integrations.streaming.conftest import jobs_after_stop, lines


async def open_session(running, name: str, **body):
    library = (await scan(running, "movies"))["library"]
    item = await by_name(running, library["id"], name)
    status, info = await running.post_json(f"/api/v1/items/{item['id']}/playback-info", {"profile": "browser", **body})
    assert status == 200, info
    return item, info["media_sources"][0]


def ffmpeg_processes(marker: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "ffmpeg" and any(marker in part for part in process.info["cmdline"] or ()):
            found.append(process)
    return found


async def get(running, url, **kwargs):
    return await request(running.anonymous, "GET", url, **kwargs)


def playlist_urls(master_url: str, master: str) -> str:
    return master_url.split("master.m3u8")[0] + lines(master)[0]


async def test_transcode_playlists_segments_and_dash(marquee_hub, long_clips):
    running = await marquee_hub(library_yaml(movies=long_clips))
    item, source = await open_session(running, "Transcode Movie")
    assert source["method"] == "Transcode" and "VideoCodecNotSupported" in source["reasons"]
    status, master = await get(running, source["hls_url"])
    assert status == 200 and master.startswith(b"#EXTM3U")
    master = master.decode()
    assert 'CODECS="avc1.' in master and "RESOLUTION=320x180" in master
    media_url = playlist_urls(source["hls_url"], master)
    media = (await get(running, media_url))[1].decode()
    durations = [float(line.split(":")[1].rstrip(",")) for line in media.splitlines() if line.startswith("#EXTINF")]
    assert durations[0] == 2.0 and set(durations[1:-1]) == {6.0} and abs(sum(durations) - 40.0) < 0.2
    segment_urls = lines(media)
    assert len(segment_urls) == len(durations) and "#EXT-X-ENDLIST" in media
    base = media_url.split("playlist.m3u8")[0]
    status, first = await get(running, base + segment_urls[0])
    assert status == 200 and len(first) > 1000
    status, init = await get(running, base + "init.mp4?" + source["hls_url"].split("?")[1])
    assert status == 200 and b"ftyp" in init[:32]
    status, body = await get(running, base + f"999.m4s?{source['hls_url'].split('?')[1]}")
    assert status == 404 and "past the end" in body["error"]["message"]

    status, mpd = await get(running, source["dash_url"])
    root = ET.fromstring(mpd)
    namespace = {"d": "urn:mpeg:dash:schema:mpd:2011"}
    representation = root.find(".//d:Representation", namespace)
    assert representation is not None and representation.get("codecs").startswith("avc1.")
    timeline = root.findall(".//d:S", namespace)
    assert [int(s.get("d")) for s in timeline][:2] == [2000, 6000]


async def test_seek_far_ahead_restarts_the_encoder_there_and_jobs_are_shared(marquee_hub, long_clips):
    running = await marquee_hub(library_yaml(movies=long_clips))
    item, source = await open_session(running, "Transcode Movie")
    master = (await get(running, source["hls_url"]))[1].decode()
    media_url = playlist_urls(source["hls_url"], master)
    base, query = media_url.split("playlist.m3u8")[0], source["hls_url"].split("?")[1]
    results = await asyncio.gather(*(get(running, f"{base}0.m4s?{query}") for _ in range(3)))
    assert {status for status, _ in results} == {200}
    jobs = (await running.get_json("/api/v1/transcodes"))[1]
    assert len(jobs) == 1 and jobs[0]["start_segment"] == 0  # three viewers, one encoder
    status, body = await get(running, f"{base}6.m4s?{query}")  # a seek to ~32 s
    assert status == 200
    jobs = (await running.get_json("/api/v1/transcodes"))[1]
    assert [j["start_segment"] for j in jobs] == [6]
    status, stopped = await request(running.session, "DELETE", f"/api/v1/hls/{source['play_session_id']}")
    assert (status, stopped["stopped_jobs"]) == (200, 1)
    assert (await running.get_json("/api/v1/transcodes"))[1] == []
    assert list((running.hub.data_dir / "streaming" / "transcodes").iterdir()) == []


async def test_remux_plays_through_hls_without_reencoding(marquee_hub, long_clips):
    running = await marquee_hub(library_yaml(movies=long_clips))
    item, source = await open_session(running, "Remux Movie")
    assert source["method"] == "DirectStream" and source["video_copy"] is True
    master = (await get(running, source["hls_url"]))[1].decode()
    media_url = playlist_urls(source["hls_url"], master)
    base, query = media_url.split("playlist.m3u8")[0], source["hls_url"].split("?")[1]
    status, segment = await get(running, f"{base}0.m4s?{query}")
    assert status == 200 and len(segment) > 500


async def test_transcode_limit_idle_reaping_and_a_crashing_ffmpeg(marquee_hub, long_clips):
    running = await marquee_hub(
        library_yaml(movies=long_clips) + "streaming:\n  max_transcodes: 1\n  idle_timeout_seconds: 2\n"
    )
    _, transcode = await open_session(running, "Transcode Movie")
    _, remux = await open_session(running, "Remux Movie")

    async def first_segment(source):
        master = (await get(running, source["hls_url"]))[1].decode()
        media_url = playlist_urls(source["hls_url"], master)
        return await get(running, media_url.split("playlist.m3u8")[0] + "0.m4s?" + source["hls_url"].split("?")[1])

    assert (await first_segment(transcode))[0] == 200
    status, body = await first_segment(remux)
    assert status == 503 and body["error"]["message"] == "Too many transcodes are running; retry shortly"
    # Kill the running ffmpeg as if it crashed: the job goes, and the next request starts a fresh one.
    job = (await running.get_json("/api/v1/transcodes"))[1][0]
    for process in ffmpeg_processes("Transcode Movie"):
        process.kill()
    await asyncio.sleep(3.5)  # idle timeout 2 s: the reaper clears the dead or idle job
    assert (await running.get_json("/api/v1/transcodes"))[1] == []
    assert job["backend"] == "software"
    assert (await first_segment(remux))[0] == 200


async def test_webvtt_subtitles_with_offset_and_image_subtitles_refused(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(movies=test_media / "movies"))
    item, source = await open_session(running, "Sintel Test")
    query = source["direct_play_url"].split("?")[1]
    detail = (await running.get_json(f"/api/v1/items/{item['id']}"))[1]
    streams = detail["media_sources"][0]["streams"]
    embedded = next(i for i, s in enumerate(streams) if s["type"] == "subtitle" and not s.get("is_external"))
    status, vtt = await get(running, f"/api/v1/items/{item['id']}/subtitles/{source['id']}/{embedded}.vtt?{query}")
    assert status == 200 and vtt.startswith(b"WEBVTT")
    shifted = (await get(running, f"/api/v1/items/{item['id']}/subtitles/{source['id']}/{embedded}.vtt?"
                                  f"{query}&offset_ticks=5000000"))[1]  # fmt: skip
    assert shifted.startswith(b"WEBVTT") and shifted != vtt
    status, body = await get(running, f"/api/v1/items/{item['id']}/subtitles/{source['id']}/0.vtt?{query}")
    assert status == 404  # stream 0 is the video
    status, body = await get(running, f"/api/v1/items/{item['id']}/subtitles/{source['id']}/x.vtt?{query}")
    assert status == 400


async def test_stopping_the_hub_kills_every_ffmpeg_and_cleans_up(marquee_hub, long_clips):
    running = await marquee_hub(library_yaml(movies=long_clips))
    _, source = await open_session(running, "Transcode Movie")
    master = (await get(running, source["hls_url"]))[1].decode()
    media_url = playlist_urls(source["hls_url"], master)
    await get(running, media_url.split("playlist.m3u8")[0] + "0.m4s?" + source["hls_url"].split("?")[1])
    transcodes = running.hub.data_dir / "streaming" / "transcodes"
    assert any(transcodes.iterdir())
    await running.stop()
    assert not transcodes.exists()
    assert ffmpeg_processes("Transcode Movie") == []


BROKEN_BACKEND = """
from plugin_sdk import hookimpl
from plugin_sdk.streaming import TranscoderInfo


class Broken:
    name = "broken"

    async def detect(self, ffmpeg):
        return TranscoderInfo(name="broken", available=True, video_encoders=frozenset({"h264"}), hardware=True)

    def build_argv(self, request, ffmpeg):
        return [ffmpeg.path, "-hide_banner", "-no_such_option", "1"]


@hookimpl
def transcoders():
    return [Broken()]


async def async_setup(hub, config):
    return True
"""


async def test_a_backend_that_fails_to_start_falls_back_to_the_next(marquee_hub, long_clips, config_dir):
    from tests.conftest import make_plugin

    make_plugin(config_dir, "transcode_broken", BROKEN_BACKEND, kind="transcoder")
    running = await marquee_hub(
        library_yaml(movies=long_clips) + "transcode_broken: {}\nstreaming:\n  transcoders: [broken, software]\n",
        config_dir=config_dir,
    )
    fallbacks = []
    running.hub.bus.listen("transcode.fallback", lambda e: fallbacks.append(dict(e.data)))
    _, source = await open_session(running, "Transcode Movie")
    master = (await get(running, source["hls_url"]))[1].decode()
    media_url = playlist_urls(source["hls_url"], master)
    status, _ = await get(running, media_url.split("playlist.m3u8")[0] + "0.m4s?" + source["hls_url"].split("?")[1])
    assert status == 200
    assert fallbacks and fallbacks[0]["backend"] == "broken"
    assert "no_such_option" in fallbacks[0]["reason"] or "Unrecognized option" in fallbacks[0]["reason"]
    assert [j["backend"] for j in (await running.get_json("/api/v1/transcodes"))[1]] == ["software"]


async def test_one_viewer_leaving_keeps_a_job_another_viewer_shares(marquee_hub, long_clips):
    running = await marquee_hub(library_yaml(movies=long_clips))
    _, first = await open_session(running, "Transcode Movie")
    _, second = await open_session(running, "Transcode Movie")
    for source in (first, second):
        master = (await get(running, source["hls_url"]))[1].decode()
        media_url = playlist_urls(source["hls_url"], master)
        assert (await get(running, media_url.split("playlist.m3u8")[0] + "0.m4s?" + source["hls_url"].split("?")[1]))[
            0
        ] == 200
    assert len((await running.get_json("/api/v1/transcodes"))[1]) == 1  # two sessions, one encoder
    status, body = await request(running.session, "DELETE", f"/api/v1/hls/{first['play_session_id']}")
    assert body["stopped_jobs"] == 0
    assert len((await running.get_json("/api/v1/transcodes"))[1]) == 1
    status, body = await request(running.session, "DELETE", f"/api/v1/hls/{second['play_session_id']}")
    assert body["stopped_jobs"] == 1


def test_a_remux_timeline_folds_a_tail_that_has_no_keyframe_of_its_own():
    from integrations.streaming.timeline import Timeline

    uniform = Timeline(60.05, 6.0, 6.0, min_tail=3.0)
    assert uniform.count() == 10 and round(uniform.length(9), 2) == 6.05
    transcode = Timeline(40.0, 6.0, 2.0)
    assert transcode.count() == 8 and [transcode.length(n) for n in (0, 1, 7)] == [2.0, 6.0, 2.0]
    assert transcode.index_at(0.5) == 0 and transcode.index_at(8.1) == 2


async def test_embedded_text_subtitles_can_be_burned_in(marquee_hub, test_media):
    running = await marquee_hub(library_yaml(movies=test_media / "movies"))
    library = (await scan(running, "movies"))["library"]
    item = await by_name(running, library["id"], "Sintel Test")
    streams = item["media_sources"][0]["streams"]
    embedded = next(i for i, s in enumerate(streams) if s["type"] == "subtitle" and not s.get("is_external"))
    status, info = await running.post_json(
        f"/api/v1/items/{item['id']}/playback-info",
        {"profile": "browser", "subtitle_index": embedded, "burn_in_subtitles": True},
    )
    source = info["media_sources"][0]
    assert source["method"] == "Transcode" and "SubtitleBurnIn" in source["reasons"]
    assert source["subtitle"]["delivery"] == "BurnIn"
    master = (await get(running, source["hls_url"]))[1].decode()
    media_url = playlist_urls(source["hls_url"], master)
    status, segment = await get(
        running, media_url.split("playlist.m3u8")[0] + "0.m4s?" + source["hls_url"].split("?")[1]
    )
    assert status == 200, segment
    assert len(segment) > 1000


async def test_several_audio_tracks_become_alternate_audio_renditions(marquee_hub, two_language_clip):
    running = await marquee_hub(library_yaml(movies=two_language_clip))
    _, source = await open_session(running, "Bilingual Movie")
    master = (await get(running, source["hls_url"]))[1].decode()
    audio_lines = [line for line in master.splitlines() if line.startswith("#EXT-X-MEDIA:TYPE=AUDIO")]
    assert len(audio_lines) == 2
    assert 'LANGUAGE="eng"' in audio_lines[0] and "DEFAULT=YES" in audio_lines[0]
    assert 'LANGUAGE="fre"' in audio_lines[1] and "DEFAULT=NO" in audio_lines[1]
    assert 'AUDIO="audio"' in master
    query = source["hls_url"].split("?")[1]
    base = source["hls_url"].split("master.m3u8")[0]
    french = audio_lines[1].split('URI="')[1].split('"')[0]
    media = (await get(running, base + french))[1].decode()
    status, segment = await get(running, base + french.split("playlist.m3u8")[0] + lines(media)[0])
    assert status == 200 and len(segment) > 200
    video = lines(master)[0]
    status, segment = await get(running, base + video.split("playlist.m3u8")[0] + "0.m4s?" + query)
    assert status == 200


async def test_a_stop_report_ends_the_players_transcode_but_not_another_devices(marquee_hub, long_clips):
    running = await marquee_hub(library_yaml(movies=long_clips))
    other_device = await running.session_for("admin", "correct horse battery", device_id="second-screen")
    item, mine = await open_session(running, "Transcode Movie")
    status, theirs = await request(
        other_device, "POST", f"/api/v1/items/{item['id']}/playback-info", json={"profile": "browser"}
    )
    assert status == 200, theirs
    theirs = theirs["media_sources"][0]
    for source in (mine, theirs):
        master = (await get(running, source["hls_url"]))[1].decode()
        segment = playlist_urls(source["hls_url"], master).split("playlist.m3u8")[0] + "0.m4s?"
        assert (await get(running, segment + source["hls_url"].split("?")[1]))[0] == 200
    assert len(await jobs_after_stop(running, 1)) == 1  # one encoder shared by both devices

    # This device stops without naming its session: its own session ends, the other device's job goes on.
    report = {"item_id": item["id"], "position_ticks": 10_000_000}
    assert (await running.post_json("/api/v1/sessions/stopped", report))[0] == 200
    await asyncio.sleep(0.3)
    assert len(await jobs_after_stop(running, 1)) == 1
    assert (await get(running, mine["hls_url"]))[0] == 404  # the stopped session is gone

    # The other device names its session: the encoder stops and its directory is cleaned.
    report = {**report, "play_session_id": theirs["play_session_id"]}
    assert (await request(other_device, "POST", "/api/v1/sessions/stopped", json=report))[0] == 200
    assert await jobs_after_stop(running, 0) == []
    assert list((running.hub.data_dir / "streaming" / "transcodes").iterdir()) == []
