"""HLS master and media playlists, DASH MPD. Every URL carries the session's media token (players fetch these
without headers)."""

from __future__ import annotations

from collections.abc import Callable
from xml.sax.saxutils import quoteattr

from integrations.playback.compatibility import SubtitleDelivery
from integrations.playback.subtitles import is_text_subtitle
from integrations.streaming.plans import ALTERNATE_AUDIO, Plan
from integrations.streaming.sessions import PlaySession
from integrations.streaming.timeline import Timeline


def _text_subtitles(session: PlaySession) -> list[dict]:
    from integrations.playback.sources import source_streams

    if session.decision.subtitle_delivery is SubtitleDelivery.BURN_IN:
        return []
    return [
        s for s in source_streams(session.source) if s.get("type") == "subtitle" and is_text_subtitle(s.get("codec"))
    ]


def master(session: PlaySession, plans: list[Plan]) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    subtitles = _text_subtitles(session)
    chosen = (session.decision.subtitle_stream or {}).get("index")
    for stream in subtitles:
        name = stream.get("title") or stream.get("language") or f"Subtitle {stream['index']}"
        attributes = [
            'TYPE=SUBTITLES', 'GROUP-ID="subs"', f'NAME="{_attr(name)}"',
            f'DEFAULT={"YES" if stream["index"] == chosen else "NO"}', "AUTOSELECT=YES",
            f'FORCED={"YES" if stream.get("is_forced") else "NO"}',
        ]  # fmt: skip
        if stream.get("language"):
            attributes.append(f'LANGUAGE="{_attr(stream["language"])}"')
        attributes.append(f'URI="subtitles/{stream["index"]}.m3u8{session.query()}"')
        lines.append("#EXT-X-MEDIA:" + ",".join(attributes))
    alternates = [p for p in plans if p.is_audio]
    chosen_audio = (session.decision.audio_stream or {}).get("index")
    for plan in alternates:
        track = plan.audio_stream or {}
        name = track.get("title") or track.get("language") or f"Audio {track.get('index')}"
        attributes = ['TYPE=AUDIO', 'GROUP-ID="audio"', f'NAME="{_attr(name)}"',
                      f'DEFAULT={"YES" if track.get("index") == chosen_audio else "NO"}', "AUTOSELECT=YES"]  # fmt: skip
        if track.get("language"):
            attributes.append(f'LANGUAGE="{_attr(track["language"])}"')
        attributes.append(f'URI="{plan.name}/playlist.m3u8{session.query()}"')
        lines.append("#EXT-X-MEDIA:" + ",".join(attributes))
    for plan in plans:
        if plan.is_audio:
            continue
        attributes = [f"BANDWIDTH={plan.bandwidth + (ALTERNATE_AUDIO.bitrate if alternates else 0)}"]
        if plan.width and plan.height:
            attributes.append(f"RESOLUTION={plan.width}x{plan.height}")
        if plan.codecs:
            attributes.append(f'CODECS="{plan.codecs}{",mp4a.40.2" if alternates else ""}"')
        if alternates:
            attributes.append('AUDIO="audio"')
        if subtitles:
            attributes.append('SUBTITLES="subs"')
        lines += ["#EXT-X-STREAM-INF:" + ",".join(attributes), f"{plan.name}/playlist.m3u8{session.query()}"]
    return "\n".join(lines) + "\n"


def media(session: PlaySession, timeline: Timeline, extension: str) -> str:
    target = max(timeline.first, timeline.segment)
    lines = [
        "#EXTM3U", "#EXT-X-VERSION:7", f"#EXT-X-TARGETDURATION:{int(target + 0.999)}", "#EXT-X-PLAYLIST-TYPE:VOD",
        "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-INDEPENDENT-SEGMENTS",
    ]  # fmt: skip
    if extension == "m4s":
        lines.append(f'#EXT-X-MAP:URI="init.mp4{session.query()}"')
    for number in range(timeline.count()):
        lines += [f"#EXTINF:{timeline.length(number):.3f},", f"{number}.{extension}{session.query()}"]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def subtitle_playlist(session: PlaySession, duration: float, index: int) -> str:
    item_id, source_id = session.item["id"], session.source["id"]
    offset = session.decision.subtitle_offset_ticks
    url = f"/api/v1/items/{item_id}/subtitles/{source_id}/{index}.vtt{session.query(offset_ticks=offset)}"
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{int(duration + 1)}", "#EXT-X-PLAYLIST-TYPE:VOD"]
    return "\n".join([*lines, f"#EXTINF:{duration:.3f},", url, "#EXT-X-ENDLIST"]) + "\n"


def mpd(session: PlaySession, plans: list[Plan], timeline_of: Callable[[Plan], Timeline]) -> str:
    """One adaptation set of fMP4 representations: the same segments the HLS playlists name."""
    query = session.query().replace("&", "&amp;")
    representations = []
    duration = 0.0
    for plan in plans:
        timeline = timeline_of(plan)
        duration = timeline.duration
        timeline_xml = "".join(f'<S d="{round(timeline.length(n) * 1000)}"/>' for n in range(timeline.count()))
        size = f' width="{plan.width}" height="{plan.height}"' if plan.width and plan.height else ""
        representations.append(
            f'<Representation id={quoteattr(plan.name)} bandwidth="{plan.bandwidth}" codecs={quoteattr(plan.codecs)}'
            f'{size}><SegmentTemplate timescale="1000" startNumber="0" '
            f'initialization="../../hls/{session.id}/{plan.name}/init.mp4{query}" '
            f'media="../../hls/{session.id}/{plan.name}/$Number$.m4s{query}">'
            f"<SegmentTimeline>{timeline_xml}</SegmentTimeline></SegmentTemplate></Representation>"
        )
    seconds = f"PT{duration:.3f}S"
    mime = "audio/mp4" if session.decision.audio_only else "video/mp4"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" '
        f'mediaPresentationDuration="{seconds}" minBufferTime="PT2S">'
        f'<Period id="0" start="PT0S"><AdaptationSet mimeType="{mime}" segmentAlignment="true">'
        + "".join(representations)
        + "</AdaptationSet></Period></MPD>\n"
    )


def _attr(value: str) -> str:
    return str(value).replace('"', "'").replace("\n", " ")[:100]
