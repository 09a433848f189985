"""Direct play: the original file with byte ranges, conditional requests, large chunks, pathsend, and an
opt-in X-Accel-Redirect hand-off to nginx. Range parsing and multipart responses are Starlette's; the common
cases (one range, or the whole file where the server has no pathsend) are sent here with one `os.pread` per
chunk in a reader thread: Starlette's anyio file (open, seek, read, close: four thread hops) and its per-request
disconnect task group cost about half of a 1 MiB range request's CPU time."""

from __future__ import annotations

import asyncio
import mimetypes
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import FileResponse, MalformedRangeHeader, RangeNotSatisfiable, Response
from starlette.types import Message, Receive, Scope, Send

from core.responses import error_response

CHUNK = 1 << 20  # 1 MiB reads: 64 KiB chunks measured 3-10x slower than nginx here (DESIGN §5)
PACED_CHUNK = 256 << 10  # for a client that reads at its player's pace
PACED_SEND_S = 0.05  # a send that waited this long met a full socket: the client is paced
PATHSEND = "http.response.pathsend"
MIME_BY_EXTENSION = {
    ".mkv": "video/x-matroska", ".mka": "audio/x-matroska", ".webm": "video/webm", ".mp4": "video/mp4",
    ".m4v": "video/mp4", ".m4a": "audio/mp4", ".mov": "video/quicktime", ".ts": "video/mp2t", ".m2ts": "video/mp2t",
    ".avi": "video/x-msvideo", ".mp3": "audio/mpeg", ".flac": "audio/flac", ".ogg": "audio/ogg",
    ".opus": "audio/ogg", ".wav": "audio/wav", ".aac": "audio/aac",
}  # fmt: skip

# Reads never run on the event loop (a cold disk or a network share can take many milliseconds). Reads of the
# page cache take well under a millisecond each, so a few threads serve thousands of streams.
_READERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="marquee-read")


class MediaFileResponse(FileResponse):
    chunk_size = CHUNK

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        span = self._fast_span(scope)
        if span is None:  # HEAD, pathsend, several ranges, bad or unsatisfiable ranges: Starlette's own path
            await super().__call__(scope, receive, send)
            return
        start, end, status = span
        headers = self.raw_headers
        if status == 206:
            headers = [(k, v) for k, v in headers if k != b"content-length"]
            headers += [(b"content-range", f"bytes {start}-{end - 1}/{self._size}".encode()),
                        (b"content-length", str(end - start).encode())]  # fmt: skip
        loop = asyncio.get_running_loop()
        path = str(self.path)
        try:  # the file is read (or opened) before the headers go: a file deleted since the stat is still a 404
            if end - start <= self.chunk_size:  # one read: nothing to stop early, so no disconnect watcher
                body = await loop.run_in_executor(_READERS, _read_span, path, start, end)
            else:
                fd = await _open(path)
        except FileNotFoundError:
            await error_response(404, "The media file is missing on disk; rescan the library")(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if end - start <= self.chunk_size:
            await send({"type": "http.response.body", "body": body, "more_body": False})
        else:
            await self._stream(scope, receive, send, fd, start, end)
        if self.background is not None:
            await self.background()

    @property
    def _size(self) -> int:
        assert self.stat_result is not None
        return self.stat_result.st_size

    def _fast_span(self, scope: Scope) -> tuple[int, int, int] | None:
        """(start, end, status) for a GET this class sends itself, or None to leave it to Starlette."""
        if scope["type"] != "http" or scope["method"] != "GET" or self.status_code != 200 or self.stat_result is None:
            return None
        headers = Headers(scope=scope)
        http_range = headers.get("range")
        if_range = headers.get("if-range")
        if http_range is None or (if_range is not None and not self._should_use_range(if_range)):
            if PATHSEND in scope.get("extensions", {}):
                return None  # the server sends the file itself (granian: from Rust, without the GIL)
            return 0, self._size, 200
        try:
            ranges = self._parse_range_header(http_range, self._size)
        except (MalformedRangeHeader, RangeNotSatisfiable):
            return None  # Starlette answers 400 or 416
        if len(ranges) != 1:
            return None  # multipart, or too many ranges (Starlette sends the whole file)
        return ranges[0][0], ranges[0][1], 206

    async def _stream(self, scope: Scope, receive: Receive, send: Send, fd: int, start: int, end: int) -> None:
        """Chunks of the file, the next read while this chunk is sent, for a client that takes them as fast as
        they come. A client paced by its player (a send that waits) gets smaller chunks and no read ahead: the
        server holds a few chunks per stream (granian queues 4), so that keeps thousands of streams in memory.
        Servers before ASGI 2.4 ignore sends to a closed connection: a watcher on `receive` ends those."""
        loop = asyncio.get_running_loop()
        watcher = None if _spec(scope) >= (2, 4) else asyncio.ensure_future(_disconnected(receive))
        size = self.chunk_size
        pending: Future[bytes] | None = _READERS.submit(os.pread, fd, min(size, end - start), start)
        try:
            while pending is not None:
                chunk = await asyncio.wrap_future(pending)
                pending = None
                if watcher is not None and watcher.done():
                    break  # the client left: nothing more to send (a short last body is a protocol error)
                start += len(chunk)
                more = bool(chunk) and start < end
                if more and size == self.chunk_size:
                    pending = _READERS.submit(os.pread, fd, min(size, end - start), start)
                sent = loop.time()
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
                if more and loop.time() - sent > PACED_SEND_S:
                    size = PACED_CHUNK
                if more and pending is None:
                    pending = _READERS.submit(os.pread, fd, min(size, end - start), start)
        finally:
            if watcher is not None:
                watcher.cancel()
            if pending is None:
                os.close(fd)
            else:  # closed after the read in flight (a thread can't be cancelled), never under it
                pending.add_done_callback(lambda _: os.close(fd))


async def _open(path: str) -> int:
    opening = _READERS.submit(os.open, path, os.O_RDONLY)
    try:
        return await asyncio.wrap_future(opening)
    except asyncio.CancelledError:  # the open still runs in its thread: close what it opens
        opening.add_done_callback(lambda done: done.exception() is None and os.close(done.result()))
        raise


def _read_span(path: str, start: int, end: int) -> bytes:
    """Open, read and close in one thread hop: one request for one range needs nothing else."""
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.pread(fd, end - start, start)
        while len(data) < end - start:  # a short read is rare on a regular file; an empty one is the end
            more = os.pread(fd, end - start - len(data), start + len(data))
            if not more:
                break
            data += more
        return data
    finally:
        os.close(fd)


async def _disconnected(receive: Receive) -> None:
    message: Message = await receive()
    while message["type"] != "http.disconnect":
        message = await receive()


def _spec(scope: Scope) -> tuple[int, ...]:
    return tuple(int(part) for part in scope.get("asgi", {}).get("spec_version", "2.0").split("."))


def media_type(path: Path) -> str:
    return (
        MIME_BY_EXTENSION.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )


def file_response(
    request: Request, path: Path, accel: dict[str, str] | None, stat_result: os.stat_result | None = None
) -> Response:
    response = MediaFileResponse(
        path, media_type=media_type(path), headers={"Accept-Ranges": "bytes"}, stat_result=stat_result or os.stat(path)
    )
    etag = response.headers.get("etag")
    if etag and etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers={"ETag": etag})
    if accel is not None:
        try:
            return accel_redirect(path, accel, response)
        except ValueError:  # outside the folder nginx serves: Marquee sends it itself
            return response
    return response


def accel_redirect(path: Path, accel: dict[str, str], prepared: FileResponse) -> Response:
    """nginx serves the bytes (sendfile, ranges); Marquee only decides who may have them."""
    root = Path(accel["root"])
    relative = path.resolve().relative_to(root.resolve())
    location = accel["location"].rstrip("/") + "/" + quote(relative.as_posix())
    headers = {
        "X-Accel-Redirect": location,
        "Content-Type": prepared.media_type or "application/octet-stream",
        "ETag": prepared.headers.get("etag", ""),
    }
    return Response(status_code=200, headers=headers)
