"""The empty answers for features Marquee doesn't have (live TV, intros, theme media), so apps that ask for
them carry on."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from integrations.jellyfin.browse import BrowseRoutes, query_result
from integrations.jellyfin.protocol import Query, respond

LIVE_TV_LISTS = ["/LiveTv/Programs/Recommended", "/LiveTv/Channels", "/LiveTv/Recordings", "/LiveTv/Timers",
                 "/LiveTv/Programs"]  # fmt: skip


class UnsupportedRoutes(BrowseRoutes):
    def register(self) -> None:
        route = self.server.route
        route(["/Items/{itemId}/Intros", "/Users/{userId}/Items/{itemId}/Intros"], self.empty_result)
        route("/Items/{itemId}/ThemeMedia", self.theme_media)
        route(LIVE_TV_LISTS, self.empty_result)
        route("/LiveTv/Programs", self.empty_result, methods=["POST"])
        route("/LiveTv/Info", self.live_tv_info)

    async def empty_result(self, request: Request) -> Response:
        query = Query(request)
        await self._principal(request, query)
        return respond(request, query_result([], 0, 0))

    async def theme_media(self, request: Request) -> Response:
        principal = self.server.caller(request)
        item = await self._visible_item(principal, request.path_params["itemId"])
        empty = {"Items": [], "TotalRecordCount": 0, "StartIndex": 0, "OwnerId": item["id"]}
        return respond(request, {"ThemeVideosResult": empty, "ThemeSongsResult": empty, "SoundtrackSongsResult": empty})

    async def live_tv_info(self, request: Request) -> Response:
        self.server.caller(request)
        return respond(request, {"Services": [], "IsEnabled": False, "EnabledUsers": []})
