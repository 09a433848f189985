"""One BaseItemDto from an item row and what its page read (page_data.py): the members every item has, those
`Fields` asks for, what it shows of its parents (lineage.py), its user data, people, media sources, trickplay."""

from __future__ import annotations

from typing import Any

import orjson

from integrations.jellyfin.fields import EMPTY_ROW, Wanted
from integrations.jellyfin.item_types import EXTRA_TYPES, FOLDER_TYPES, MEDIA_TYPES, PRIMARY_ASPECT, TYPE_NAMES
from integrations.jellyfin.lineage import add_lineage
from integrations.jellyfin.media_info import media_source
from integrations.jellyfin.names import name_pairs, person_dto
from integrations.jellyfin.page_data import PageData
from integrations.jellyfin.protocol import Prepared, jf_date
from integrations.jellyfin.user_data import user_data_dto

_NO_VALUES: dict[str, list[str]] = {}
_PLAIN_COLUMNS = (
    ("CriticRating", "critic_rating"),
    ("OfficialRating", "official_rating"),
    ("RunTimeTicks", "runtime_ticks"),
    ("ProductionYear", "year"),
    ("IndexNumber", "index_number"),
    ("IndexNumberEnd", "index_number_end"),
    ("ParentIndexNumber", "parent_index_number"),
)


def item_dto(row: dict[str, Any], want: Wanted, page: PageData, server_id: str, may_download: bool) -> dict[str, Any]:
    """The DTO of `row`, one of `page.rows`; None values are still in it."""
    item_id, kind = row["id"], row["type"]
    values = page.values.get(item_id, _NO_VALUES)
    dto = _members(row, want, page, server_id, values)
    add_lineage(dto, row, page.parents, page.images, values)
    page.images.attach_blurhashes(dto)
    dto["UserData"] = user_data_dto(item_id, page.user_data.get(item_id), row.get("runtime_ticks"))
    if want.can_download:
        dto["CanDownload"] = kind in MEDIA_TYPES and may_download
    if want.people:
        dto["People"] = [person_dto(p) for p in page.people.get(item_id, [])]
    source_count = page.source_counts.get(item_id, 0)
    if want.media_sources and kind in MEDIA_TYPES:
        full = {**EMPTY_ROW, **row}
        dto["MediaSources"] = [media_source(source, full) for source in page.sources.get(item_id, [])]
        if dto["MediaSources"]:
            dto["MediaStreams"] = dto["MediaSources"][0]["MediaStreams"]
            dto["Container"] = dto["MediaSources"][0]["Container"]
        source_count = len(dto["MediaSources"])
    if item_id in page.trickplay:
        dto["Trickplay"] = page.trickplay[item_id]
    if want.aspect_ratio and "Primary" in dto["ImageTags"]:
        dto["PrimaryImageAspectRatio"] = PRIMARY_ASPECT.get(kind)
    if want.media_source_count and MEDIA_TYPES.get(kind) == "Video" and source_count != 1:
        dto["MediaSourceCount"] = source_count  # Jellyfin sends it only when not 1
    return dto


def _members(
    row: dict[str, Any], want: Wanted, page: PageData, server_id: str, values: dict[str, list[str]]
) -> dict[str, Any]:
    """The members read from the row itself: those every item has, and those `Fields` asks for."""
    kind = row["type"]
    item_id = row["id"]
    get = row.get
    own = page.images.of(item_id)
    dto: dict[str, Any] = Prepared({  # Prepared from the start: dto.py's last pass need not copy it
        "Name": row["name"],
        "ServerId": server_id,
        "Id": item_id,
        "IsFolder": kind in FOLDER_TYPES,
        "Type": TYPE_NAMES.get(kind, "Folder"),
        "ImageTags": own.tags,
        "BackdropImageTags": own.backdrops,
        "LocationType": "FileSystem",
        "MediaType": MEDIA_TYPES.get(kind, "Unknown"),
    })  # fmt: skip
    for key, column in _PLAIN_COLUMNS:  # None values are left out, not written and filtered later
        value = get(column)
        if value is not None:
            dto[key] = value
    if get("premiere_date") is not None:
        dto["PremiereDate"] = jf_date(row["premiere_date"])
    if get("community_rating"):  # Jellyfin leaves out 0
        dto["CommunityRating"] = row["community_rating"]
    if want.external_urls:
        dto["ExternalUrls"] = []
    if want.play_access:
        dto["PlayAccess"] = "Full"
    if want.local_trailer_count:
        dto["LocalTrailerCount"] = 0
    if want.special_feature_count:
        dto["SpecialFeatureCount"] = 0
    if want.settings:
        dto["LockData"], dto["LockedFields"] = False, []
    if want.original_title:
        dto["OriginalTitle"] = get("original_title")
    if want.etag:
        dto["Etag"] = str(int(get("date_modified") or 0))
    if want.date_created:
        dto["DateCreated"] = jf_date(get("date_added"))
    if want.sort_name:
        dto["SortName"] = get("sort_name")
    if want.overview:
        dto["Overview"] = get("overview")
    if want.taglines:
        dto["Taglines"] = [row["tagline"]] if get("tagline") else []
    if want.genres:
        genres = values.get("genre", [])
        dto["Genres"] = genres
        dto["GenreItems"] = name_pairs("genre", genres)
    if want.studios:
        dto["Studios"] = name_pairs("studio", values.get("studio", []))
    if want.tags:
        dto["Tags"] = values.get("tag", [])
    if want.provider_ids:
        dto["ProviderIds"] = {k: str(v) for k, v in orjson.loads(get("provider_ids") or "{}").items()}
    if want.parent_id:
        dto["ParentId"] = get("parent_id") or row["library_id"]
    if want.child_count and kind in FOLDER_TYPES:
        dto["ChildCount"] = page.child_counts.get(item_id, 0)
    if want.display_preferences_id:
        dto["DisplayPreferencesId"] = item_id
    if want.can_delete:
        dto["CanDelete"] = False
    if kind == "extra":
        dto["ExtraType"] = EXTRA_TYPES.get(get("extra_type") or "", "Unknown")
    if kind in ("movie", "episode", "extra"):
        dto["VideoType"] = "VideoFile"
    return dto
