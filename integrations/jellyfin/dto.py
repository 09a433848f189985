"""BaseItemDto from Marquee's rows: items and libraries (CollectionFolder).

Everything a page needs is read in a handful of batched queries (page_data.py), never per item, except media
sources, which are only built for details and when `Fields` asks. The parts live beside this module: fields.py
(`Fields=`), item_dto.py (one item), lineage.py (parents), names.py (genres, studios, people), media_info.py
(media sources and streams), user_data.py (UserData).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.storage import Database
from integrations.jellyfin.artwork import ImageSigner
from integrations.jellyfin.fields import Wanted
from integrations.jellyfin.item_dto import item_dto
from integrations.jellyfin.item_types import COLLECTION_TYPES
from integrations.jellyfin.page_data import PageData, PageReaders, read_item_page, read_listing_page, read_page
from integrations.jellyfin.protocol import Prepared, jf_date
from integrations.jellyfin.user_data import user_data_dto
from integrations.library.models import Library
from integrations.library.queries import Page
from plugin_sdk.auth import Principal
from plugin_sdk.reads import BatchRead


class DtoBuilder:
    def __init__(self, db: Database, server_id: str, hooks: Any, signer: ImageSigner, trickplay: Any = None) -> None:
        self.server_id = server_id
        self.readers = PageReaders(db, signer, hooks, trickplay)  # trickplay: a TrickplayStore, for `Trickplay`

    def library(self, library: Library, child_count: int | None = None) -> dict[str, Any]:
        return {
            "Name": library.name,
            "ServerId": self.server_id,
            "Id": library.id,
            "Etag": library.id[:8],
            "DateCreated": jf_date(library.created_at),
            "CanDelete": False,
            "CanDownload": False,
            "SortName": library.name.lower(),
            "ExternalUrls": [],
            "Taglines": [],
            "Genres": [],
            "PlayAccess": "Full",
            "RemoteTrailers": [],
            "ProviderIds": {},
            "IsFolder": True,
            "Type": "CollectionFolder",
            "CollectionType": COLLECTION_TYPES.get(library.type),
            "People": [],
            "Studios": [],
            "GenreItems": [],
            "LocalTrailerCount": 0,
            "UserData": user_data_dto(library.id, None, None),
            "ChildCount": child_count,
            "SpecialFeatureCount": 0,
            "DisplayPreferencesId": library.id,
            "Tags": [],
            "ImageTags": {},
            "BackdropImageTags": [],
            "LocationType": "FileSystem",
            "MediaType": "Unknown",
            "LockedFields": [],
            "LockData": False,
        }

    async def items(
        self,
        rows: list[dict[str, Any]],
        principal: Principal,
        fields: Iterable[str] = (),
        *,
        detail: bool = False,
        partial: bool = False,
    ) -> list[dict[str, Any]]:
        """BaseItemDtos for item rows, in the order given: full rows (SELECT * FROM items), or with `partial`
        listing rows (the library's LIST_COLUMNS, None values possibly left out). As Jellyfin does, what `Fields`
        names is only filled in when asked for (details get everything); each part a page needs is one batched
        query, never one per item."""
        if not rows:
            return []
        want = Wanted(fields, detail)
        page = await read_page(rows, principal, want, self.readers, partial=partial)
        return self._built(page, want, principal)

    async def listing(
        self, listing: BatchRead, principal: Principal, fields: Iterable[str] = ()
    ) -> tuple[Page, list[dict[str, Any]]]:
        """A library listing (`listing_read`, with unsummarized rows) and the BaseItemDtos of its items, read in
        one round trip: the library's Page, and the DTOs."""
        want = Wanted(fields, False)
        found, page = await read_listing_page(listing, principal, want, self.readers)
        return found, self._built(page, want, principal)

    def _built(self, page: PageData, want: Wanted, principal: Principal) -> list[dict[str, Any]]:
        may_download = principal.can("download")
        return [_prepared(item_dto(row, want, page, self.server_id, may_download)) for row in page.rows]

    async def item(
        self, item_id: str, principal: Principal, fields: Iterable[str] = ()
    ) -> tuple[dict[str, Any], Prepared] | None:
        """An item's row and its detailed DTO, read together in one round trip; None when no item has that id.
        The caller decides whether the principal may see it."""
        want = Wanted(fields, True)
        page = await read_item_page(item_id, principal, want, self.readers)
        if page is None:
            return None
        row = page.rows[0]
        return row, _prepared(item_dto(row, want, page, self.server_id, principal.can("download")))


def _prepared(dto: dict[str, Any]) -> Prepared:
    """The DTO without None values, ready for `respond` as it is (its media sources and streams are built
    Prepared already; no other member nests a None)."""
    if None in dto.values():
        return Prepared({key: value for key, value in dto.items() if value is not None})
    return dto if type(dto) is Prepared else Prepared(dto)
