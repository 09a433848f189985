"""The identify integration's parse_path hookimpl, through a real hub and the real loader."""

from __future__ import annotations

from core.setup import State
from plugin_sdk.media import ParsedName


async def test_parse_path_is_wired_through_the_loader(marquee_hub, tmp_path):
    movie = tmp_path / "Movies" / "Big Buck Test (2008)" / "Big Buck Test (2008) - 1080p.mkv"
    movie.parent.mkdir(parents=True)
    movie.touch()
    running = await marquee_hub(only=["identify"])
    assert running.hub.integrations.records["identify"].state is State.LOADED
    assert [name.split("#")[0] for name in running.hub.hooks.implementers("parse_path")] == ["identify"]
    hook = running.hub.hooks.manager.hook
    assert hook.parse_path(path=str(movie), library_type="movies") == ParsedName(
        kind="movie", title="Big Buck Test", year=2008, version_label="1080p"
    )
    assert hook.parse_path(path=str(movie), library_type="music") is None
    assert await running.hub.hooks.call_first("parse_path", path=str(movie), library_type="movies") == ParsedName(
        kind="movie", title="Big Buck Test", year=2008, version_label="1080p"
    )
