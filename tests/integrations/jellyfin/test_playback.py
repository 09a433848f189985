"""Playing through the Jellyfin API: PlaybackInfo decisions, static streams with ranges, HLS through the
TranscodingUrl, subtitles, and bad input that must never reach ffmpeg."""

from pathlib import Path

import pytest

from tests.integrations.jellyfin.conftest import call, header, jellyfin_login, media_hub
from tests.integrations.streaming.conftest import jobs_after_stop

ADMIN_PASSWORD = "correct horse battery"

# Roughly what jellyfin-web 10.11 sends from Chrome: mp4/webm direct play, HLS (fMP4 and TS) for the rest.
WEB_PROFILE = {
    "MaxStreamingBitrate": 120000000,
    "MaxStaticBitrate": 100000000,
    "DirectPlayProfiles": [
        {"Container": "webm", "Type": "Video", "VideoCodec": "vp8,vp9,av1", "AudioCodec": "vorbis,opus"},
        {"Container": "mp4,m4v", "Type": "Video", "VideoCodec": "h264,vp9,av1", "AudioCodec": "aac,mp3,opus,flac"},
        {"Container": "opus", "Type": "Audio"},
        {"Container": "mp3", "Type": "Audio", "AudioCodec": "mp3"},
        {"Container": "flac", "Type": "Audio"},
        {"Container": "m4a", "AudioCodec": "aac", "Type": "Audio"},
        {"Container": "webma,webm", "AudioCodec": "opus", "Type": "Audio"},
    ],
    "TranscodingProfiles": [
        {
            "Container": "ts",
            "Type": "Audio",
            "AudioCodec": "aac",
            "Context": "Streaming",
            "Protocol": "hls",
            "MaxAudioChannels": "2",
            "MinSegments": "1",
            "BreakOnNonKeyFrames": True,
        },
        {
            "Container": "mp4",
            "Type": "Video",
            "AudioCodec": "aac,mp3,opus,flac",
            "VideoCodec": "h264,vp9,av1",
            "Context": "Streaming",
            "Protocol": "hls",
            "MaxAudioChannels": "2",
            "MinSegments": "1",
            "BreakOnNonKeyFrames": True,
        },
        {
            "Container": "ts",
            "Type": "Video",
            "AudioCodec": "aac,mp3",
            "VideoCodec": "h264",
            "Context": "Streaming",
            "Protocol": "hls",
            "MaxAudioChannels": "2",
            "MinSegments": "1",
            "BreakOnNonKeyFrames": True,
        },
    ],
    "ContainerProfiles": [],
    "CodecProfiles": [
        {
            "Type": "VideoAudio",
            "Codec": "aac",
            "Conditions": [
                {"Condition": "Equals", "Property": "IsSecondaryAudio", "Value": "false", "IsRequired": False}
            ],
        },
        {
            "Type": "Video",
            "Codec": "h264",
            "Conditions": [
                {"Condition": "NotEquals", "Property": "IsAnamorphic", "Value": "true", "IsRequired": False},
                {
                    "Condition": "EqualsAny",
                    "Property": "VideoProfile",
                    "Value": "high|main|baseline|constrained baseline",
                    "IsRequired": False,
                },
                {"Condition": "EqualsAny", "Property": "VideoRangeType", "Value": "SDR", "IsRequired": False},
                {"Condition": "LessThanEqual", "Property": "VideoLevel", "Value": "52", "IsRequired": False},
            ],
        },
        {
            "Type": "Video",
            "Codec": "av1",
            "Conditions": [
                {"Condition": "EqualsAny", "Property": "VideoRangeType", "Value": "SDR|HDR10|HLG", "IsRequired": False},
                {"Condition": "LessThanEqual", "Property": "VideoLevel", "Value": "15", "IsRequired": False},
            ],
        },
    ],
    "SubtitleProfiles": [
        {"Format": "vtt", "Method": "External"},
        {"Format": "ass", "Method": "External"},
        {"Format": "ssa", "Method": "External"},
    ],
    "ResponseProfiles": [{"Type": "Video", "Container": "m4v", "MimeType": "video/mp4"}],
}


async def _setup(marquee_hub, test_media):
    running, libraries = await media_hub(marquee_hub, test_media)
    result = await jellyfin_login(running, "admin", ADMIN_PASSWORD)
    token = result["AccessToken"]
    auth = header(token)
    anon = running.anonymous
    found = (await call(anon, "GET", "/Items?Recursive=true&IncludeItemTypes=Movie", headers=auth))[1]
    movies = {i["Name"]: i["Id"] for i in found["Items"]}
    return running, anon, auth, token, movies, result["User"]["Id"]


async def _info(anon, auth, item_id, body=None, query=""):
    body = {"DeviceProfile": WEB_PROFILE} if body is None else body
    return await call(anon, "POST", f"/Items/{item_id}/PlaybackInfo{query}", "PlaybackInfoResponse", json=body,
                      headers=auth)  # fmt: skip


async def test_playback_info_direct_play_and_static_stream(marquee_hub, test_media):
    running, anon, auth, token, movies, user_id = await _setup(marquee_hub, test_media)
    status, info = await _info(anon, auth, movies["Sintel Test"], query=f"?UserId={user_id}&StartTimeTicks=0")
    assert status == 200, info
    source = info["MediaSources"][0]
    assert info["PlaySessionId"] and len(info["MediaSources"]) == 1
    assert source["SupportsDirectPlay"] and source["SupportsDirectStream"] and source["SupportsTranscoding"]
    assert source["Container"] == "mp4" and source["Protocol"] == "File" and "Path" not in source
    assert "TranscodingUrl" not in source and source["Size"] > 0 and source["RunTimeTicks"] > 0
    kinds = [s["Type"] for s in source["MediaStreams"]]
    assert kinds[:2] == ["Video", "Audio"] and "Subtitle" in kinds
    video = source["MediaStreams"][0]
    assert video["Codec"] == "h264" and video["Width"] == 1280 and video["VideoRange"] == "SDR"
    assert isinstance(video["Level"], float | int)
    assert source["DefaultAudioStreamIndex"] == 1
    subtitles = [s for s in source["MediaStreams"] if s["Type"] == "Subtitle"]
    external = [s for s in subtitles if s["IsExternal"]]
    assert external and all(s["DeliveryMethod"] == "External" and "/Subtitles/" in s["DeliveryUrl"] for s in external)
    # The subtitle through its DeliveryUrl, as WebVTT; other formats are refused.
    status, vtt = await call(anon, "GET", external[0]["DeliveryUrl"])
    assert status == 200 and vtt.startswith(b"WEBVTT"), vtt
    # jellyfin-web's own renderer asks for the same cues as JSON track events.
    status, events = await call(anon, "GET", external[0]["DeliveryUrl"].replace("Stream.vtt", "Stream.js"))
    assert status == 200, events
    cues = events["TrackEvents"]
    assert cues and cues[0]["Id"] == "1" and cues[0]["Text"]
    assert all(0 <= c["StartPositionTicks"] < c["EndPositionTicks"] for c in cues)
    # A media source id is an item id to Jellyfin clients (a version is an item there): it answers with the
    # item, that version's streams included.
    status, version = await call(anon, "GET", f"/Users/{user_id}/Items/{source['Id']}", "BaseItemDto", headers=auth)
    assert status == 200 and version["Id"] == movies["Sintel Test"], version
    assert version["MediaSources"][0]["Id"] == source["Id"]
    assert [s["Index"] for s in version["MediaStreams"]] == [s["Index"] for s in source["MediaStreams"]]
    bad = external[0]["DeliveryUrl"].replace("Stream.vtt", "Stream.ass")
    assert (await call(anon, "GET", bad))[0] == 400
    missing = external[0]["DeliveryUrl"].replace(f"/Subtitles/{external[0]['Index']}/", "/Subtitles/77/")
    assert (await call(anon, "GET", missing))[0] == 404

    # Static stream with a range, token in the query only (as a <video> element fetches it).
    path = test_media / "movies" / "Sintel Test (2010).mp4"
    if not path.exists():
        path = next(Path(test_media, "movies").glob("Sintel*.mp4"))
    url = f"/Videos/{movies['Sintel Test']}/stream.mp4?Static=true&MediaSourceId={source['Id']}&api_key={token}"
    async with anon.get(url, headers={"Range": "bytes=100-1099"}) as response:
        assert response.status == 206
        assert await response.read() == path.read_bytes()[100:1100]
    async with anon.head(url.replace("stream.mp4", "STREAM.MP4")) as response:
        assert response.status == 200 and int(response.headers["content-length"]) == path.stat().st_size
    assert (await call(anon, "GET", url.split("&api_key")[0]))[0] == 401
    # EnableDirectPlay/DirectStream false: the same file over HLS.
    status, info = await _info(
        anon, auth, movies["Sintel Test"], query="?EnableDirectPlay=false&EnableDirectStream=false"
    )
    forced = info["MediaSources"][0]
    assert not forced["SupportsDirectPlay"] and forced["TranscodingUrl"].startswith("/Videos/")


async def test_hevc_transcodes_over_hls_through_transcoding_url(marquee_hub, test_media):
    running, anon, auth, token, movies, user_id = await _setup(marquee_hub, test_media)
    status, info = await _info(anon, auth, movies["HDR Demo"])
    assert status == 200, info
    source = info["MediaSources"][0]
    assert not source["SupportsDirectPlay"] and not source["SupportsDirectStream"] and source["SupportsTranscoding"]
    assert source["Container"] == "mkv" and source["TranscodingSubProtocol"] == "hls"
    assert source["TranscodingContainer"] in ("mp4", "ts")
    url = source["TranscodingUrl"]
    assert (
        url.startswith(f"/Videos/{movies['HDR Demo']}/master.m3u8?") and f"PlaySessionId={info['PlaySessionId']}" in url
    )
    video = source["MediaStreams"][0]
    assert video["Codec"] == "hevc" and video["VideoRange"] == "HDR" and video["BitDepth"] == 10

    status, master = await call(anon, "GET", url)  # 302 to Marquee's HLS session, followed
    assert status == 200 and master.startswith(b"#EXTM3U"), master
    main_url = url.replace("master.m3u8", "main.m3u8")
    async with anon.get(main_url) as response:
        media = (await response.read()).decode()
        assert response.status == 200 and "#EXTINF" in media, media
        base = str(response.url).split("playlist.m3u8")[0]
    segments = [line for line in media.splitlines() if line and not line.startswith("#")]
    async with anon.get(base + segments[0]) as response:
        body = await response.read()
        assert response.status == 200 and len(body) > 500
    # The Jellyfin-shaped segment URL reaches the same segment; far past the end is a 404.
    ext = "mp4" if source["TranscodingContainer"] == "mp4" else "ts"
    hls1 = f"/Videos/{movies['HDR Demo']}/hls1/{info['PlaySessionId']}/0.{ext}?PlaySessionId={info['PlaySessionId']}"
    async with anon.get(hls1 + f"&MediaSourceId={source['Id']}&api_key={token}") as response:
        assert response.status == 200 and len(await response.read()) > 500
    async with anon.get(hls1.replace("/0.", "/99999.") + f"&api_key={token}") as response:
        assert response.status == 404
    jobs = (await running.get_json("/api/v1/transcodes"))[1]
    assert jobs
    stop = f"/Videos/ActiveEncodings?DeviceId=dev-1&PlaySessionId={info['PlaySessionId']}"
    assert (await call(anon, "DELETE", stop, headers=auth))[0] == 204
    assert (await call(anon, "DELETE", "/Videos/ActiveEncodings", headers=auth))[0] == 400


async def test_a_stop_report_ends_the_transcode(marquee_hub, test_media):
    running, anon, auth, token, movies, user_id = await _setup(marquee_hub, test_media)
    item_id = movies["HDR Demo"]
    status, info = await _info(anon, auth, item_id)
    assert status == 200, info
    async with anon.get(info["MediaSources"][0]["TranscodingUrl"].replace("master.m3u8", "main.m3u8")) as response:
        media = (await response.read()).decode()
        base = str(response.url).split("playlist.m3u8")[0]
    first = next(line for line in media.splitlines() if line and not line.startswith("#"))
    async with anon.get(base + first) as response:
        assert response.status == 200
    assert len((await running.get_json("/api/v1/transcodes"))[1]) == 1
    report = {"ItemId": item_id, "PositionTicks": 20_000_000, "PlaySessionId": info["PlaySessionId"]}
    assert (await call(anon, "POST", "/Sessions/Playing/Stopped", json=report, headers=auth))[0] == 204
    assert await jobs_after_stop(running, 0) == []
    assert list((running.hub.data_dir / "streaming" / "transcodes").iterdir()) == []
    # The same PlaySessionId asked for again starts afresh rather than following the closed session.
    status, master = await call(anon, "GET", info["MediaSources"][0]["TranscodingUrl"])
    assert status == 200 and master.startswith(b"#EXTM3U"), master


async def test_master_built_by_the_client_without_playback_info(marquee_hub, test_media):
    running, anon, auth, token, movies, _ = await _setup(marquee_hub, test_media)
    url = f"/Videos/{movies['HDR Demo']}/master.m3u8?VideoCodec=h264&AudioCodec=aac&SegmentContainer=ts&api_key={token}"
    status, master = await call(anon, "GET", url)
    assert status == 200 and master.startswith(b"#EXTM3U")


@pytest.mark.parametrize(
    ("name", "value"),
    [("VideoCodec", "h264 -f null"), ("AudioCodec", "aac;rm -rf /"), ("VideoCodec", "h264\n-y"),
     ("SegmentContainer", "ts -f"), ("Level", "41 -x"), ("Container", "mp4;x")],
)  # fmt: skip
async def test_injection_in_stream_parameters_is_refused(marquee_hub, test_media, name, value):
    running, anon, auth, token, movies, _ = await _setup(marquee_hub, test_media)
    from urllib.parse import quote

    for path in ("master.m3u8", "main.m3u8", "stream.mkv"):
        url = f"/Videos/{movies['HDR Demo']}/{path}?{name}={quote(value)}&api_key={token}"
        status, body = await call(anon, "GET", url)
        assert status == 400, (path, name, body)
    assert (await running.get_json("/api/v1/transcodes"))[1] == []


async def test_bad_playback_info_input(marquee_hub, test_media):
    running, anon, auth, token, movies, _ = await _setup(marquee_hub, test_media)
    sintel = movies["Sintel Test"]
    junk = {**WEB_PROFILE, "DirectPlayProfiles": [{"Container": "mp4", "Type": "Video", "VideoCodec": "h264 -f null"}]}
    status, body = await _info(anon, auth, sintel, {"DeviceProfile": junk})
    assert status == 400 and b"DirectPlayProfiles[0].VideoCodec" in body, body
    junk = {**WEB_PROFILE, "CodecProfiles": [{"Type": "Video", "Codec": "h264", "Conditions": [
        {"Condition": "LessThanEqual", "Property": "VideoLevel", "Value": "high"}]}]}  # fmt: skip
    status, body = await _info(anon, auth, sintel, {"DeviceProfile": junk})
    assert status == 400 and b"CodecProfiles[0].Conditions[0].Value" in body, body
    status, body = await _info(anon, auth, sintel, {"DeviceProfile": {**WEB_PROFILE, "DirectPlayProfiles": "x"}})
    assert status == 400 and b"DirectPlayProfiles" in body
    no_audio = {
        "DirectPlayProfiles": [{"Container": "mp4", "Type": "Video", "VideoCodec": "h264", "AudioCodec": "dts"}]
    }
    status, body = await _info(anon, auth, sintel, {"DeviceProfile": no_audio})
    assert status == 400 and b"audio_codecs" in body
    assert (await _info(anon, auth, sintel, {"MaxStreamingBitrate": "lots"}))[0] == 400
    assert (await _info(anon, auth, sintel, {"AudioStreamIndex": 99}))[0] == 404
    assert (await _info(anon, auth, sintel, {"SubtitleStreamIndex": 99}))[0] == 404
    assert (await _info(anon, auth, sintel, {"MediaSourceId": "f" * 32}))[0] == 404
    assert (await _info(anon, auth, sintel, {"MediaSourceId": "../../etc"}))[0] == 400
    assert (await _info(anon, auth, "0" * 32, {}))[0] == 404
    stream = f"/Videos/{sintel}/stream?Static=true&MediaSourceId={'e' * 32}&api_key={token}"
    assert (await call(anon, "GET", stream))[0] == 404
    # No DeviceProfile at all: Marquee's browser profile decides (the mp4 plays as it is).
    status, info = await _info(anon, auth, sintel, {})
    assert status == 200 and info["MediaSources"][0]["SupportsDirectPlay"]
    status, info = await call(anon, "GET", f"/Items/{sintel}/PlaybackInfo", "PlaybackInfoResponse", headers=auth)
    assert status == 200 and info["MediaSources"]
