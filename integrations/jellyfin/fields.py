"""`Fields=`: which BaseItemDto parts Jellyfin fills only on request, and the columns those parts read."""

from __future__ import annotations

from collections.abc import Iterable

# The columns of `items` a DTO reads. Rows given as listings (library LIST_COLUMNS) lack those of some fields
# (overview, tagline, provider ids, etag): when asked for, they are read with the page's images, in one query.
ROW_COLUMNS = (
    "id", "library_id", "parent_id", "type", "name", "sort_name", "original_title", "year", "premiere_date",
    "index_number", "index_number_end", "parent_index_number", "community_rating", "critic_rating",
    "official_rating", "runtime_ticks", "date_added", "extra_type", "overview", "tagline", "provider_ids",
    "date_modified",
)  # fmt: skip
EMPTY_ROW = dict.fromkeys(ROW_COLUMNS)
_FIELD_COLUMNS = {"overview": "overview", "taglines": "tagline", "providerids": "provider_ids", "etag": "date_modified"}


class Wanted:
    """Which of the BaseItemDto parts that Jellyfin fills only on request (`Fields`) to fill: all for details."""

    def __init__(self, fields: Iterable[str], detail: bool) -> None:
        names = {f.lower() for f in fields}
        self.names, self.names_all = names, detail

        def has(name: str) -> bool:
            return detail or name in names

        self.overview, self.original_title, self.taglines = has("overview"), has("originaltitle"), has("taglines")
        self.genres, self.studios, self.tags = has("genres"), has("studios"), has("tags")
        self.provider_ids, self.sort_name, self.etag = has("providerids"), has("sortname"), has("etag")
        self.date_created, self.parent_id, self.child_count = has("datecreated"), has("parentid"), has("childcount")
        self.can_delete, self.can_download = has("candelete"), has("candownload")
        self.display_preferences_id, self.people = has("displaypreferencesid"), has("people")
        self.media_sources = has("mediasources") or has("mediastreams")
        self.media_source_count, self.trickplay = has("mediasourcecount"), has("trickplay")
        self.aspect_ratio = has("primaryimageaspectratio")
        self.external_urls, self.play_access, self.settings = has("externalurls"), has("playaccess"), has("settings")
        self.local_trailer_count, self.special_feature_count = has("localtrailercount"), has("specialfeaturecount")

    def columns(self, partial: bool) -> list[str]:
        """The columns that listing rows lack and `Fields` asks for (overview, tagline, ...), read beside the
        images; none for full rows."""
        if not partial:
            return []
        return [f"i.{c}" for f, c in _FIELD_COLUMNS.items() if self.names_all or f in self.names]

    @property
    def source_count_only(self) -> bool:
        """MediaSourceCount without the sources themselves: counted by a query of its own."""
        return self.media_source_count and not self.media_sources

    def value_kinds(self) -> list[str]:
        kinds = ["artist"]
        kinds += ["genre"] if self.genres else []
        kinds += ["studio"] if self.studios else []
        kinds += ["tag"] if self.tags else []
        return kinds
