"""Streaming routes: playback info, direct play, universal audio, WebVTT subtitles, HLS, DASH, job control."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from pathlib import Path
from typing import Any

import voluptuous as vol
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse

from core.bus import Event
from core.request_data import BadRequest, NotFound, json_body, query_params
from core.responses import FastJSONResponse, error_response
from core.scope import IntegrationScope
from integrations.auth import get_service as auth_service
from integrations.ffmpeg import get_ffmpeg, ready_ffmpeg
from integrations.ffmpeg.argv.command import subtitle_extract_argv
from integrations.library.queries import media_sources
from integrations.playback.compatibility import SubtitleDelivery
from integrations.playback.decision import PlaybackDecision
from integrations.playback.sources import source_streams
from integrations.playback.subtitles import SubtitleError, is_text_subtitle, to_webvtt
from integrations.playstate.events import EVENT_PLAYBACK_STOPPED
from integrations.streaming import playlists
from integrations.streaming.access import SourceCache, direct_file, existing_file, item_source, visible_item
from integrations.streaming.audio import UNIVERSAL_PARAMS, pipe_ffmpeg, universal_argv, universal_direct
from integrations.streaming.direct import MediaFileResponse, file_response, media_type
from integrations.streaming.info import REQUEST, decide_for, describe, ladder_for, profile_for
from integrations.streaming.jobs import JobFailed, JobKey, JobLimitReached, JobManager
from integrations.streaming.plans import Plan, plans_for, transcode_request
from integrations.streaming.sessions import PlaySession, SessionStore
from integrations.streaming.timeline import Timeline
from plugin_sdk.auth import principal_of
from plugin_sdk.streaming import TranscoderBackend

SEGMENT = re.compile(r"^(\d{1,6})\.(m4s|ts)$")
SOURCE_QUERY = vol.Schema({vol.Optional("source_id"): vol.All(str, vol.Length(max=64))}, extra=vol.REMOVE_EXTRA)
VTT_QUERY = vol.Schema(
    {vol.Optional("offset_ticks", default=0): vol.All(vol.Coerce(int), vol.Range(min=0))}, extra=vol.REMOVE_EXTRA
)
NO_STORE = {"Cache-Control": "no-store"}


class StreamingRoutes:
    def __init__(self, scope: IntegrationScope, config: dict[str, Any], jobs: JobManager,
                 backends: asyncio.Task[list[TranscoderBackend]]) -> None:  # fmt: skip
        self.scope = scope
        self.config = config
        self.jobs = jobs
        self._backends = backends  # detected in the background at start-up
        self.sessions = SessionStore()
        self.sources = SourceCache()  # direct play: players ask for many ranges of one file

    def register(self) -> None:
        http = self.scope.http
        media = {"token_in_query": True}
        transcode = {"token_in_query": True, "permission": "transcode"}
        for path, handler, methods, access in (
            ("/api/v1/items/{item_id}/playback-info", self.playback_info, ["POST"], {}),
            ("/api/v1/items/{item_id}/stream", self.stream, ["GET", "HEAD"], media),
            ("/api/v1/items/{item_id}/download", self.download, ["GET"], {**media, "permission": "download"}),
            ("/api/v1/items/{item_id}/audio/universal", self.universal, ["GET"], media),
            ("/api/v1/items/{item_id}/subtitles/{source_id}/{index}.vtt", self.subtitle, ["GET"], media),
            ("/api/v1/hls/{session_id}/master.m3u8", self.master, ["GET"], transcode),
            ("/api/v1/hls/{session_id}/subtitles/{index}.m3u8", self.subtitle_playlist, ["GET"], transcode),
            ("/api/v1/hls/{session_id}/{rendition}/playlist.m3u8", self.media_playlist, ["GET"], transcode),
            ("/api/v1/hls/{session_id}/{rendition}/init.mp4", self.init_segment, ["GET"], transcode),
            ("/api/v1/hls/{session_id}/{rendition}/{segment}", self.segment, ["GET"], transcode),
            ("/api/v1/hls/{session_id}", self.stop_session, ["DELETE"], {}),
            ("/api/v1/dash/{session_id}/manifest.mpd", self.dash, ["GET"], transcode),
            ("/api/v1/transcodes", self.active_jobs, ["GET"], {"permission": "manage_server"}),
        ):
            http.register_route(path, handler, methods=methods, **access)
        # A player's stop report (native or Jellyfin) ends its transcodes, as DELETE on the session does.
        self.scope.bus.listen(EVENT_PLAYBACK_STOPPED, self._player_stopped)

    # -- deciding --------------------------------------------------------------------------------------

    async def playback_info(self, request: Request) -> Response:
        principal = principal_of(request)
        item = await visible_item(self.scope, principal, request.path_params["item_id"])
        body = await json_body(request, REQUEST)
        profile = profile_for(body)
        sources = await media_sources(self.scope.db, item["id"])
        if body.get("media_source_id"):
            sources = [s for s in sources if s["id"] == body["media_source_id"]]
            if not sources:
                raise NotFound(f"No media source '{body['media_source_id']}' for item '{item['id']}'")
        if not sources:
            raise NotFound(f"Item '{item['id']}' has no playable media source")
        service = auth_service(self.scope)
        token = service.issue_media_token(principal) if service is not None and principal is not None else None
        described = []
        for source in sources:
            decision = await self._burnable(source, decide_for(source, profile, body))
            session = self.sessions.add(
                user_id=principal.user_id if principal else None,
                device_id=principal.device_id if principal else None,
                item=item, source=source, decision=decision, profile=profile,
                renditions=ladder_for(source, decision, profile), media_token=token,
            )  # fmt: skip
            described.append(describe(session, "/api/v1"))
        return FastJSONResponse({"item_id": item["id"], "media_sources": described})

    async def _burnable(self, source: dict[str, Any], decision: PlaybackDecision) -> PlaybackDecision:
        """Embedded text subtitles are burned in from an extracted .ass file: the subtitles filter can't pick a
        stream of the input by itself, and reading the whole file at every seek would be slow."""
        stream = decision.subtitle_stream
        if decision.subtitle_delivery is not SubtitleDelivery.BURN_IN or stream is None or stream.get("is_external"):
            return decision
        if not is_text_subtitle(stream.get("codec")):
            return decision  # image subtitles are overlaid straight from the input
        target = self.scope.data_dir / "burn-in" / f"{source['id']}-{int(stream['index'])}.ass"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            argv = subtitle_extract_argv(get_ffmpeg(self.scope), str(source["path"]), int(stream["index"]), str(target))
            process = await asyncio.create_subprocess_exec(
                *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
            )
            _, errors = await asyncio.wait_for(process.communicate(), 120)
            if process.returncode != 0 or not target.exists():
                raise BadRequest(f"Subtitle stream {stream['index']} can't be burned in: {errors.decode()[-200:]}")
        extracted = {**stream, "is_external": True, "path": str(target), "codec": "ass"}
        return dataclasses.replace(decision, subtitle_stream=extracted)

    def _session(self, request: Request) -> PlaySession:
        principal = principal_of(request)
        session = self.sessions.get(request.path_params["session_id"], principal.user_id if principal else None)
        if session is None:
            raise NotFound("No such play session (expired, or not yours); ask for playback-info again")
        return session

    # -- direct ----------------------------------------------------------------------------------------

    async def stream(self, request: Request) -> Response:
        source_id = query_params(request, SOURCE_QUERY).get("source_id")
        path, stat_result = await direct_file(
            self.scope, self.sources, principal_of(request), request.path_params["item_id"], source_id
        )
        return file_response(request, path, self.config.get("accel_redirect"), stat_result)

    async def download(self, request: Request) -> Response:
        """The original file as an attachment: a separate permission from playing it."""
        item = await visible_item(self.scope, principal_of(request), request.path_params["item_id"])
        source_id = query_params(request, SOURCE_QUERY).get("source_id")
        path = existing_file(await item_source(self.scope, item, source_id, streams=False))
        # Starlette writes Content-Disposition, with an RFC 5987 name for non-ASCII file names.
        return MediaFileResponse(path, media_type=media_type(path), filename=path.name)

    async def universal(self, request: Request) -> Response:
        item = await visible_item(self.scope, principal_of(request), request.path_params["item_id"])
        params = query_params(request, UNIVERSAL_PARAMS)
        source = await item_source(self.scope, item, params.get("source_id"))
        path = existing_file(source)
        if universal_direct(source, params):
            return file_response(request, path, self.config.get("accel_redirect"))
        principal = principal_of(request)
        if principal is not None and not principal.can("transcode"):
            return error_response(403, "This requires the 'transcode' permission")
        argv, media_type = universal_argv(get_ffmpeg(self.scope), str(path), source, params)
        return StreamingResponse(pipe_ffmpeg(argv), media_type=media_type, headers=NO_STORE)

    async def subtitle(self, request: Request) -> Response:
        item = await visible_item(self.scope, principal_of(request), request.path_params["item_id"])
        source = await item_source(self.scope, item, request.path_params["source_id"])
        index = _int(request.path_params["index"], "subtitle index")
        stream = next((s for s in source_streams(source) if s["index"] == index and s.get("type") == "subtitle"), None)
        if stream is None:
            raise NotFound(f"No subtitle stream {index} in this media source")
        if not is_text_subtitle(stream.get("codec")):
            raise BadRequest(f"Subtitle stream {index} is an image format; it can only be burned in")
        offset = query_params(request, VTT_QUERY)["offset_ticks"]
        try:
            text = await to_webvtt(stream, str(existing_file(source)), offset_ticks=offset,
                                   ffmpeg=get_ffmpeg(self.scope).path)  # fmt: skip
        except SubtitleError as err:
            return error_response(422, f"The subtitle can't be converted: {err}")
        return Response(text, media_type="text/vtt; charset=utf-8")

    # -- HLS and DASH ----------------------------------------------------------------------------------

    def _timeline(self, session: PlaySession, plan: Plan | None = None) -> Timeline:
        """A short first segment only where the encoder places keyframes; a remux cuts at the source's."""
        seconds = max((session.source.get("duration_ticks") or 0) / 10_000_000, 0.1)
        segment = self.config["segment_seconds"]
        if plan is not None and plan.video is None:
            return Timeline(seconds, segment, segment, min_tail=segment / 2)
        return Timeline(seconds, segment, self.config["first_segment_seconds"])

    def _extension(self) -> str:
        return "m4s" if self.config["segment_container"] == "fmp4" else "ts"

    def _plan(self, session: PlaySession, name: str) -> Plan:
        for plan in plans_for(session):
            if plan.name == name:
                return plan
        raise NotFound(f"No rendition '{name}' in this play session")

    async def master(self, request: Request) -> Response:
        session = self._session(request)
        return Response(playlists.master(session, plans_for(session)), media_type="application/vnd.apple.mpegurl",
                        headers=NO_STORE)  # fmt: skip

    async def media_playlist(self, request: Request) -> Response:
        session = self._session(request)
        plan = self._plan(session, request.path_params["rendition"])
        body = playlists.media(session, self._timeline(session, plan), self._extension())
        return Response(body, media_type="application/vnd.apple.mpegurl", headers=NO_STORE)

    async def subtitle_playlist(self, request: Request) -> Response:
        session = self._session(request)
        index = _int(request.path_params["index"], "subtitle index")
        body = playlists.subtitle_playlist(session, self._timeline(session).duration, index)
        return Response(body, media_type="application/vnd.apple.mpegurl", headers=NO_STORE)

    async def dash(self, request: Request) -> Response:
        session = self._session(request)
        body = playlists.mpd(session, plans_for(session), lambda plan: self._timeline(session, plan))
        return Response(body, media_type="application/dash+xml", headers=NO_STORE)

    async def init_segment(self, request: Request) -> Response:
        session = self._session(request)
        plan = self._plan(session, request.path_params["rendition"])
        try:
            path = await self._produce(session, plan, None)
        except (_Busy, _TranscodeError) as err:
            return _job_error(err)
        return FileResponse(path, media_type="video/mp4", headers=NO_STORE)

    async def segment(self, request: Request) -> Response:
        session = self._session(request)
        plan = self._plan(session, request.path_params["rendition"])
        match = SEGMENT.match(request.path_params["segment"])
        if match is None or match.group(2) != self._extension():
            raise NotFound(f"No segment '{request.path_params['segment']}'")
        number = int(match.group(1))
        timeline = self._timeline(session, plan)
        if number >= timeline.count():
            raise NotFound(f"Segment {number} is past the end (this stream has {timeline.count()})")
        try:
            path = await self._produce(session, plan, number)
        except (_Busy, _TranscodeError) as err:
            return _job_error(err)
        media_type = "video/mp4" if self._extension() == "m4s" else "video/mp2t"
        return MediaFileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})

    async def _produce(self, session: PlaySession, plan: Plan, number: int | None) -> Path:
        """Segment `number` (or the init segment for None) from the job manager, mapped to HTTP errors."""
        timeline = self._timeline(session, plan)
        decision = session.decision
        audio_index = (
            (plan.audio_stream or {}).get("index") if plan.is_audio else (decision.audio_stream or {}).get("index")
        )
        key = JobKey(session.source["id"], plan.name, audio_index,
                     (decision.subtitle_stream or {}).get("index")
                     if decision.subtitle_delivery is SubtitleDelivery.BURN_IN else None)  # fmt: skip
        container = self.config["segment_container"]

        def build(backend: TranscoderBackend, ffmpeg: Any, directory: Path, start: int) -> list[str]:
            request = transcode_request(session, plan, directory, start, timeline, container)
            return backend.build_argv(request, ffmpeg)

        ffmpeg = await ready_ffmpeg(self.scope)
        first = timeline.index_at(decision.start_ticks / 10_000_000) if number is None else number
        try:
            existing_file(session.source)
            if number is None:
                return await self.jobs.init_segment(
                    key, first, build, await self._backends, ffmpeg, self._extension(), viewer=session.id
                )
            return await self.jobs.segment(
                key, number, build, await self._backends, ffmpeg, self._extension(), viewer=session.id
            )
        except JobLimitReached:
            raise _Busy from None
        except JobFailed as err:
            raise _TranscodeError(str(err)) from None

    async def stop_session(self, request: Request) -> Response:
        session = self._session(request)
        self.sessions.remove(session.id)
        stopped = await self.jobs.leave(session.id)
        return FastJSONResponse({"stopped_jobs": stopped})

    async def _player_stopped(self, event: Event) -> None:
        data = event.data
        for session in self.sessions.stopped_by(
            data["user_id"], data.get("device_id"), data["item_id"], data.get("play_session_id")
        ):
            self.sessions.remove(session.id)
            await self.jobs.leave(session.id)

    async def active_jobs(self, request: Request) -> Response:
        return FastJSONResponse(
            [{"job": j.directory.name, "source_id": j.key.source_id, "rendition": j.key.rendition,
              "backend": j.backend, "start_segment": j.start_segment, "produced": j.produced(), "paused": j.paused,
              "progress": j.progress} for j in self.jobs.jobs]
        )  # fmt: skip


class _Busy(Exception):
    pass


class _TranscodeError(Exception):
    pass


def _int(text: str, what: str) -> int:
    if not text.isdigit() or len(text) > 6:
        raise BadRequest(f"Invalid {what} '{text[:20]}'")
    return int(text)


def _job_error(err: Exception) -> Response:
    if isinstance(err, _Busy):
        return error_response(503, "Too many transcodes are running; retry shortly", headers={"Retry-After": "5"})
    return error_response(502, f"The transcoder failed: {err}")
