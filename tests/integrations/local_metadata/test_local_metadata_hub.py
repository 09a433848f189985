"""The local_metadata hookimpls, through a real hub and the real loader."""

from __future__ import annotations

from core.setup import State
from plugin_sdk.media import ItemMetadata, LocalImage, StreamInfo


async def test_hooks_are_wired_through_the_loader(marquee_hub, tmp_path):
    folder = tmp_path / "Movies" / "Big Buck Test (2008)"
    folder.mkdir(parents=True)
    movie = folder / "Big Buck Test (2008).mkv"
    for name in ["Big Buck Test (2008).mkv", "poster.jpg", "Big Buck Test (2008).en.forced.srt"]:
        (folder / name).touch()
    (folder / "movie.nfo").write_text(
        '<movie><title>Big Buck Test</title><uniqueid type="tmdb">10378</uniqueid></movie>'
    )

    running = await marquee_hub(only=["local_metadata"])
    assert running.hub.integrations.records["local_metadata"].state is State.LOADED
    hook = running.hub.hooks.manager.hook

    # firstresult: the value itself
    assert hook.read_local_metadata(path=str(movie), item_type="movie") == ItemMetadata(
        title="Big Buck Test", provider_ids={"tmdb": "10378"}
    )
    # the others: one list per implementation
    assert hook.find_local_images(path=str(movie), item_type="movie") == [
        [LocalImage(type="Primary", path=str(folder / "poster.jpg"))]
    ]
    assert hook.find_external_subtitles(media_path=str(movie)) == [
        [
            StreamInfo(
                index=-1,
                type="subtitle",
                codec="subrip",
                language="eng",
                is_forced=True,
                is_external=True,
                path=str(folder / "Big Buck Test (2008).en.forced.srt"),
            )
        ]
    ]
