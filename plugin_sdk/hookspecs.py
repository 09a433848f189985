"""Hook specifications: the typed contracts between integrations.

Every hookspec here must be documented in plugin_sdk/docs/hooks.md (tests/plugin_sdk/test_docs.py fails
otherwise). An implementation may be a plain function or `async def`; callers await results that are
awaitable. Later features add their hookspecs to this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from plugin_sdk.markers import hookspec

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from core.commands import CliCommand
    from core.scope import IntegrationScope
    from plugin_sdk.auth import Identity
    from plugin_sdk.media import (
        ItemMetadata,
        LocalImage,
        MetadataMatch,
        MetadataQuery,
        ParsedName,
        ProbeResult,
        StreamInfo,
    )
    from plugin_sdk.reads import BatchRead
    from plugin_sdk.streaming import TranscoderBackend


@hookspec
def system_info(hub: IntegrationScope) -> dict[str, Any] | None:
    """Extra keys for `GET /api/v1/system/info`, namespaced by the implementing integration."""


@hookspec
def readiness_check(hub: IntegrationScope) -> str | Awaitable[str | None] | None:
    """Return None when this integration is ready to serve, or a short reason why not.

    `GET /health/ready` answers 503 with the reasons while any implementation reports one.
    """


@hookspec
def cli_commands() -> list[CliCommand] | None:
    """Commands this integration adds to `marquee` (e.g. `marquee scan`). They run in a headless hub."""


@hookspec
def websocket_events() -> list[str] | None:
    """Event types that `GET /api/v1/ws` may deliver to clients. Events not named by any integration stay internal."""


@hookspec
def notify(title: str, message: str, level: str, source: str | None) -> Awaitable[None] | None:
    """Deliver a notification (an integration that failed, a finished job) to people: mail, push, webhooks."""


# -- media library ---------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def probe_file(path: str) -> ProbeResult | None:
    """Technical facts about one media file. Runs in a worker thread (may block).

    Raise plugin_sdk.media.ProbeError with a reason for a file that is not playable media.
    """


@hookspec(firstresult=True)
def parse_path(path: str, library_type: str) -> ParsedName | None:
    """What a media file's name and folders say it is (movie, episode, extra), for a library of that type."""


@hookspec(firstresult=True)
def read_local_metadata(path: str, item_type: str) -> ItemMetadata | None:
    """Metadata stored beside the media (NFO files). `path` is the file for movies, episodes and tracks, and the
    folder for series, seasons, albums and artists. Runs in a worker thread."""


@hookspec
def find_local_images(path: str, item_type: str) -> list[LocalImage] | None:
    """Artwork files that belong to an item (same `path` convention as read_local_metadata). Worker thread."""


@hookspec
def find_external_subtitles(media_path: str) -> list[StreamInfo] | None:
    """Subtitle files beside a media file, as subtitle StreamInfo with is_external and path set. Worker thread."""


@hookspec
def fetch_metadata(query: MetadataQuery) -> MetadataMatch | Awaitable[MetadataMatch | None] | None:
    """Enrich an identified item (after local metadata). Fields the user edited are never overwritten."""


@hookspec
def search_metadata(query: MetadataQuery) -> list[MetadataMatch] | Awaitable[list[MetadataMatch]] | None:
    """Candidate matches for a manual identify dialog, best first."""


# -- users and streaming ---------------------------------------------------------------------------------


@hookspec
def authenticate(username: str, password: str) -> Identity | Awaitable[Identity | None] | None:
    """Check credentials. Return an Identity when they are good, None when this backend doesn't know the user,
    and raise plugin_sdk.auth.AuthenticationRejected when it knows the user and the password is wrong.
    Backends are asked in the order configured under `auth: backends:`."""


@hookspec
def transcoders() -> list[TranscoderBackend] | None:
    """Transcoding backends this integration provides (software, VAAPI, NVENC, QSV...)."""


@hookspec(firstresult=True)
def item_query_filter(name: str, value: object, user_id: str) -> tuple[str, list[object]] | None:
    """SQL for a per-user item filter (`played`, `favorite`, `resumable`): a WHERE fragment on the items alias
    `i`, with `?` placeholders, and its parameters. Lets the library filter on state another integration owns."""


@hookspec(firstresult=True)
def item_user_data(user_id: str, item_ids: list[str]) -> dict[str, dict[str, object]] | Awaitable[dict] | None:
    """Per-user state of items (position, played, play count, favorite, rating), keyed by item id."""


@hookspec(firstresult=True)
def item_user_data_read(user_id: str) -> Callable[[list[str]], BatchRead] | None:
    """The read behind `item_user_data`, for callers that run it in their own batch or chain of queries: a
    function from item ids to a `BatchRead` whose answer is {item id: state} for the items that have state (the
    others have none to show). The function only builds queries, so a chained read may call it on a database
    thread once it knows the ids."""
