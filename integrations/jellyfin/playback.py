"""Playing: PlaybackInfo, static streams, universal audio, HLS, subtitles, stopping encodes.

Decisions are Marquee's (`integrations.playback.decision.decide`) on the Jellyfin DeviceProfile mapped to a
Marquee profile (profile.py); media_source.py turns them into PlaybackInfo's MediaSources. Direct play and direct
stream are the file itself (`Static=true`, with ranges).

HLS: the Jellyfin URLs (`/Videos/{id}/master.m3u8`, `main.m3u8`, `hls1/...`) open a play session in the
streaming integration through its public route (`POST /api/v1/items/{id}/playback-info`, called in-process with
the client's own token, see internal.py) and redirect (302) into Marquee's `/api/v1/hls/{session}/...` URLs,
which carry a media token. So there is one segment pipeline (the streaming job manager: sharing, limits,
seeks, init segments, idle clean-up) and one set of per-user session rules; this module only translates.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from core.bus import Event
from integrations.auth.credentials import token_of
from integrations.jellyfin import internal
from integrations.jellyfin.media_source import media_source_dto
from integrations.jellyfin.play_session import JellyfinPlaySession, SourcePlan
from integrations.jellyfin.playback_params import PlaybackInfoParams, checked_stream_index
from integrations.jellyfin.profile import (
    NAME,
    audio_codec_names,
    bitrate,
    check_names,
    container_names,
    from_jellyfin,
    from_stream_query,
)
from integrations.jellyfin.protocol import JellyfinError, Query, no_content, normalize_id, respond
from integrations.jellyfin.server import JellyfinServer
from integrations.jellyfin.system import authorization_fields, json_object
from integrations.jellyfin.track_events import track_events
from integrations.library.queries import get_item, media_sources
from integrations.library.ratings import may_see
from integrations.playback.sources import container_for, source_streams
from integrations.playback.subtitles import SubtitleError, is_text_subtitle, parse_webvtt, to_webvtt
from integrations.playstate.events import EVENT_PLAYBACK_STOPPED
from integrations.streaming.audio import TARGETS, pipe_ffmpeg, universal_argv
from integrations.streaming.direct import file_response
from plugin_sdk.auth import Principal

SOURCE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SEGMENT = re.compile(r"^(\d{1,6})\.(ts|mp4|m4s)$")
SESSION_TTL = 12 * 3600.0
MAX_SESSIONS = 10_000
MAX_TICKS = 10**15
NO_STORE = {"Cache-Control": "no-store"}
HLS_EXTENSIONS = {"ts": "ts", "mp4": "m4s", "m4s": "m4s"}


class PlaybackRoutes:
    def __init__(self, server: JellyfinServer) -> None:
        self.server = server
        self.sessions: dict[str, JellyfinPlaySession] = {}

    def register(self) -> None:
        route = self.server.route
        media = {"token_in_query": True}
        route("/Items/{itemId}/PlaybackInfo", self.playback_info, methods=["GET", "POST"])
        streams = ["/Videos/{itemId}/stream", "/Videos/{itemId}/stream.{container}",
                   "/Audio/{itemId}/stream", "/Audio/{itemId}/stream.{container}"]  # fmt: skip
        route(streams, self.stream, methods=["GET", "HEAD"], **media)
        route("/Audio/{itemId}/universal", self.universal, methods=["GET", "HEAD"], **media)
        route(["/Videos/{itemId}/master.m3u8", "/Audio/{itemId}/master.m3u8"], self.master, **media)
        route(["/Videos/{itemId}/main.m3u8", "/Audio/{itemId}/main.m3u8"], self.main, **media)
        route(["/Videos/{itemId}/hls1/{playlistId}/{segment}", "/Audio/{itemId}/hls1/{playlistId}/{segment}"],
              self.hls_segment, **media)  # fmt: skip
        route("/Videos/ActiveEncodings", self.stop_encodings, methods=["DELETE"])
        subtitles = ["/Videos/{itemId}/{mediaSourceId}/Subtitles/{index}/Stream.{format}",
                     "/Videos/{itemId}/{mediaSourceId}/Subtitles/{index}/{startTicks}/Stream.{format}"]  # fmt: skip
        route(subtitles, self.subtitle, **media)
        self.server.scope.bus.listen(EVENT_PLAYBACK_STOPPED, self._player_stopped)

    def _player_stopped(self, event: Event) -> None:
        """A stop report naming a play session: forget it (streaming ends its transcodes), so a later request
        with the same PlaySessionId opens a fresh one instead of following a closed Marquee session."""
        session = self.sessions.get(event.data.get("play_session_id") or "")
        if session is not None and session.user_id == event.data["user_id"]:
            del self.sessions[session.id]

    # -- helpers ----------------------------------------------------------------------------------------------

    async def _item(self, principal: Principal, raw_id: str) -> dict[str, Any]:
        item = await get_item(self.server.db, normalize_id(raw_id, "item id"))
        if item is None or not may_see(principal, item):
            raise JellyfinError(404, "Item not found")
        return item

    async def _source(self, item: dict[str, Any], source_id: str | None) -> dict[str, Any]:
        sources = await media_sources(self.server.db, item["id"])
        if not sources:
            raise JellyfinError(404, "The item has no playable media source")
        if source_id is None:
            return sources[0]
        if not SOURCE_ID.match(source_id):
            raise JellyfinError(400, "Invalid MediaSourceId")
        for source in sources:
            if source["id"] == source_id or source["id"].replace("-", "") == source_id.replace("-", "").lower():
                return source
        raise JellyfinError(404, "Media source not found")

    @staticmethod
    def _file(source: dict[str, Any]) -> Path:
        path = Path(source["path"])
        if not path.is_file():
            raise JellyfinError(404, "The media file is missing on disk")
        return path

    def _remember(self, session: JellyfinPlaySession) -> None:
        cutoff = time.monotonic() - SESSION_TTL
        for key in [k for k, s in self.sessions.items() if s.created < cutoff]:
            del self.sessions[key]
        while len(self.sessions) >= MAX_SESSIONS:
            self.sessions.pop(next(iter(self.sessions)))
        self.sessions[session.id] = session

    # -- PlaybackInfo -----------------------------------------------------------------------------------------

    async def playback_info(self, request: Request) -> Response:
        query = Query(request)
        body = await json_object(request) if request.method == "POST" else {}
        params = PlaybackInfoParams(query, body)
        user_id = params.raw("UserId")
        principal = await self.server.acting_user(request, str(user_id) if user_id else None)
        item = await self._item(principal, request.path_params["itemId"])
        sources = await media_sources(self.server.db, item["id"])
        wanted = params.raw("MediaSourceId")
        if wanted:
            sources = [await self._source(item, str(wanted))]
        if not sources:
            raise JellyfinError(404, "The item has no playable media source")
        max_bitrate = bitrate(params.raw("MaxStreamingBitrate"), "MaxStreamingBitrate")
        profile = from_jellyfin(params.body.get("deviceprofile"), max_bitrate)
        start = params.integer("StartTimeTicks", 0, MAX_TICKS) or 0
        audio = params.integer("AudioStreamIndex", 0, 100_000)
        subtitle = params.integer("SubtitleStreamIndex", -1, 100_000)
        enable = {name: params.boolean(f"Enable{name}", True) for name in ("DirectPlay", "DirectStream", "Transcoding")}
        burn_in = params.boolean("AlwaysBurnInSubtitleWhenTranscoding", False)
        token = token_of(request, allow_query=True) or ""
        device_key = params.query.text("DeviceId") or authorization_fields(request).get("deviceid")
        session = JellyfinPlaySession(secrets.token_hex(16), principal.user_id, device_key, item["id"])
        out = []
        for source in sources:
            strict = len(sources) == 1
            try:
                audio_index = checked_stream_index(audio, source, "audio")
                subtitle_index = checked_stream_index(subtitle, source, "subtitle")
            except JellyfinError:
                if strict:
                    raise
                audio_index = subtitle_index = None
            plan = SourcePlan(profile, audio_index, subtitle_index, start, max_bitrate, burn_in)
            out.append(media_source_dto(item, source, plan, enable, session, token))
            session.sources[source["id"]] = plan
        self._remember(session)
        answer: dict[str, Any] = {"MediaSources": out, "PlaySessionId": session.id}
        if not any(s["SupportsDirectPlay"] or s["SupportsDirectStream"] or s.get("TranscodingUrl") for s in out):
            answer["ErrorCode"] = "NoCompatibleStream"
        return respond(request, answer)

    # -- static streams -----------------------------------------------------------------------------------------

    async def stream(self, request: Request) -> Response:
        principal = self.server.caller(request)
        query = Query(request)
        check_names(query)
        asked = request.path_params.get("container")
        if asked is not None and not NAME.match(asked):
            raise JellyfinError(400, "Invalid container")
        item = await self._item(principal, request.path_params["itemId"])
        source = await self._source(item, query.text("MediaSourceId"))
        path = self._file(source)
        if not query.boolean("Static", False):
            wanted = container_names(asked or query.text("Container"), "Container")
            if wanted and container_for(source) not in wanted:
                raise JellyfinError(400, "Progressive transcoding is not offered; use the TranscodingUrl (HLS)")
        return file_response(request, path, None)

    async def universal(self, request: Request) -> Response:
        principal = self.server.caller(request)
        query = Query(request)
        check_names(query)
        item = await self._item(principal, request.path_params["itemId"])
        source = await self._source(item, query.text("MediaSourceId"))
        path = self._file(source)
        containers: dict[str, set[str] | None] = {}
        for entry in query.csv("Container"):
            name, _, codecs = entry.partition("|")
            found = container_names(name, "Container")
            for container in found:
                allowed = audio_codec_names(codecs, "Container") if codecs else None
                current = containers.get(container, set())
                containers[container] = None if allowed is None or current is None else current | allowed
        audio = next((s for s in source_streams(source) if s.get("type") == "audio"), None)
        cap = bitrate(query.text("MaxStreamingBitrate") or query.text("AudioBitRate"), "MaxStreamingBitrate")
        cap = min(max(cap or 320_000, 32_000), 1_536_000)
        container = container_for(source)
        if audio is not None and container in containers:
            allowed = containers[container]
            codec = "pcm" if str(audio.get("codec") or "").startswith("pcm_") else audio.get("codec")
            if (allowed is None or codec in allowed) and (source.get("bitrate") or 0) <= cap * 1.05:
                return file_response(request, path, None)
        if not principal.can("transcode"):
            raise JellyfinError(403, "This user may not transcode")
        target = next(iter(audio_codec_names(query.text("AudioCodec"), "AudioCodec") & set(TARGETS)), None)
        if target is None:
            transcoding = (query.text("TranscodingContainer") or "").lower()
            target = "aac" if transcoding in ("aac", "m4a", "mp4", "ts") else "opus" if transcoding == "ogg" else "mp3"
        from integrations.ffmpeg import get_ffmpeg

        params = {"container": [], "audio_codec": [], "transcode_codec": target, "max_bitrate": cap}
        argv, media_type = universal_argv(get_ffmpeg(self.server.scope), str(path), source, params)
        if request.method == "HEAD":
            return Response(status_code=200, media_type=media_type, headers=NO_STORE)
        return StreamingResponse(pipe_ffmpeg(argv), media_type=media_type, headers=NO_STORE)

    # -- HLS -------------------------------------------------------------------------------------------------

    async def _open(self, request: Request) -> tuple[JellyfinPlaySession | None, SourcePlan, str]:
        """The Marquee HLS master URL for this request, opening the play session on first use."""
        principal = self.server.caller(request)
        query = Query(request)
        check_names(query)
        item = await self._item(principal, request.path_params["itemId"])
        source = await self._source(item, query.text("MediaSourceId"))
        session = self.sessions.get(query.text("PlaySessionId") or request.path_params.get("playlistId") or "")
        if session is not None and (session.user_id != principal.user_id or session.item_id != item["id"]):
            session = None
        plan = session.sources.get(source["id"]) if session is not None else None
        audio = query.integer("AudioStreamIndex", None, 0, 100_000)
        subtitle = query.integer("SubtitleStreamIndex", None, -1, 100_000)
        start = query.integer("StartTimeTicks", None, 0, MAX_TICKS)
        if plan is None:
            plan = SourcePlan(from_stream_query(query), None, None, 0, None, False)
            if session is None:
                session = JellyfinPlaySession(query.text("PlaySessionId") or secrets.token_hex(16),
                                              principal.user_id, query.text("DeviceId"), item["id"])  # fmt: skip
                if SOURCE_ID.match(session.id):
                    self._remember(session)
            session.sources[source["id"]] = plan
        wanted = {
            "audio_index": checked_stream_index(audio, source, "audio") if audio is not None else plan.audio_index,
            "subtitle_index": checked_stream_index(subtitle, source, "subtitle") if subtitle is not None
            else plan.subtitle_index,
            "start_ticks": start if start is not None else plan.start_ticks,
        }  # fmt: skip
        changed = False
        for name, value in wanted.items():
            if getattr(plan, name) != value:
                setattr(plan, name, value)
                changed = changed or name != "start_ticks"  # a new start is a seek: same session, same segments
        if plan.hls_url is None or changed:
            await self._close(request, plan)
            plan.hls_url = await self._marquee_session(request, item, source, plan)
            plan.rendition = None
        return session, plan, plan.hls_url

    async def _marquee_session(self, request: Request, item: dict[str, Any], source: dict[str, Any],
                               plan: SourcePlan) -> str:  # fmt: skip
        profile = {**plan.profile.as_dict(), "video_containers": [], "audio_containers": [], "hls": True}
        body = {"device_profile": profile, "media_source_id": source["id"], "audio_index": plan.audio_index,
                "subtitle_index": plan.subtitle_index, "start_ticks": plan.start_ticks,
                "max_bitrate": plan.max_bitrate, "burn_in_subtitles": plan.burn_in}  # fmt: skip
        app = self.server.scope.root.http
        status, answer = await internal.call(app, request, "POST", f"/api/v1/items/{item['id']}/playback-info", body)
        if status != 200:
            raise JellyfinError(status if status in (400, 403, 404) else 502, internal.error_text(answer))
        url = (answer["media_sources"][0] if answer.get("media_sources") else {}).get("hls_url")
        if not url:
            raise JellyfinError(400, "This media source can't be streamed over HLS to this client")
        return str(url)

    async def _rendition(self, request: Request, plan: SourcePlan) -> str:
        if plan.rendition is None:
            assert plan.hls_url is not None
            status, text = await internal.call(self.server.scope.root.http, request, "GET", plan.hls_url)
            if status != 200 or not isinstance(text, str):
                raise JellyfinError(502 if status >= 500 else status, internal.error_text(text))
            first = next((line for line in text.splitlines() if line and not line.startswith("#")), None)
            if first is None:
                raise JellyfinError(502, "The master playlist names no stream")
            plan.rendition = first.split("/", 1)[0]
        return plan.rendition

    async def master(self, request: Request) -> Response:
        _, _, url = await self._open(request)
        return RedirectResponse(url, status_code=302, headers=NO_STORE)

    async def main(self, request: Request) -> Response:
        _, plan, url = await self._open(request)
        rendition = await self._rendition(request, plan)
        base, _, token = url.partition("?")
        return RedirectResponse(f"{base.rsplit('/', 1)[0]}/{rendition}/playlist.m3u8?{token}", 302, headers=NO_STORE)

    async def hls_segment(self, request: Request) -> Response:
        match = SEGMENT.match(request.path_params["segment"])
        if match is None:
            raise JellyfinError(404, "No such segment")
        _, plan, url = await self._open(request)
        rendition = await self._rendition(request, plan)
        base, _, token = url.partition("?")
        target = f"{base.rsplit('/', 1)[0]}/{rendition}/{int(match.group(1))}.{HLS_EXTENSIONS[match.group(2)]}"
        return RedirectResponse(f"{target}?{token}", 302, headers=NO_STORE)

    async def _close(self, request: Request, plan: SourcePlan) -> None:
        if plan.hls_url is None:
            return
        marquee_id = plan.hls_url.split("/api/v1/hls/", 1)[-1].split("/", 1)[0]
        if SOURCE_ID.match(marquee_id):
            await internal.call(self.server.scope.root.http, request, "DELETE", f"/api/v1/hls/{marquee_id}")
        plan.hls_url = plan.rendition = None

    async def stop_encodings(self, request: Request) -> Response:
        principal = self.server.caller(request)
        query = Query(request)
        play_session, device = query.text("PlaySessionId"), query.text("DeviceId")
        if not play_session and not device:
            raise JellyfinError(400, "DeviceId or PlaySessionId is required")
        for session in list(self.sessions.values()):
            if session.user_id != principal.user_id:
                continue
            if (play_session and session.id != play_session) or (device and session.device_key not in (None, device)):
                continue
            for plan in session.sources.values():
                await self._close(request, plan)
        return no_content()

    # -- subtitles -------------------------------------------------------------------------------------------

    async def subtitle(self, request: Request) -> Response:
        principal = self.server.caller(request)
        item = await self._item(principal, request.path_params["itemId"])
        source = await self._source(item, request.path_params["mediaSourceId"])
        raw_index, raw_start = request.path_params["index"], request.path_params.get("startTicks", "0")
        if not raw_index.isdigit() or len(raw_index) > 6 or not raw_start.isdigit() or len(raw_start) > 15:
            raise JellyfinError(400, "Invalid subtitle index or start position")
        index, start = int(raw_index), int(raw_start)
        fmt = request.path_params["format"].lower()
        stream = next((s for s in source_streams(source) if s["index"] == index and s.get("type") == "subtitle"), None)
        if stream is None:
            raise JellyfinError(404, "Subtitle stream not found")
        if fmt in ("srt", "subrip") and stream.get("is_external") and stream.get("codec") in ("subrip", "srt") \
                and start == 0 and stream.get("path") and Path(stream["path"]).is_file():  # fmt: skip
            return FileResponse(stream["path"], media_type="application/x-subrip")
        if fmt not in ("vtt", "webvtt", "js"):
            raise JellyfinError(400, f"Subtitle format '{fmt[:10]}' is not offered; ask for vtt or js")
        if not is_text_subtitle(stream.get("codec")):
            raise JellyfinError(400, "This subtitle is an image format; it can only be burned in")
        from integrations.ffmpeg import get_ffmpeg

        try:
            text = await to_webvtt(stream, str(self._file(source)), offset_ticks=start,
                                   ffmpeg=get_ffmpeg(self.server.scope).path)  # fmt: skip
        except SubtitleError as err:
            raise JellyfinError(500, f"The subtitle can't be converted: {err}") from None
        if fmt == "js":  # jellyfin-web's own subtitle renderer takes the cues as JSON track events
            return respond(request, {"TrackEvents": track_events(parse_webvtt(text))})
        return Response(text, media_type="text/vtt; charset=utf-8")
