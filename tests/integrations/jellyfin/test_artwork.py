"""Artwork through the Jellyfin surface: blurhashes in BaseItemDto, and signed image tags that let jellyfin-web's
token-less <img> requests load exactly the images a user was shown, and nothing else."""

import io
from typing import Any

from blurhash_rs import blurhash_decode
from PIL import Image

from tests.integrations.auth.conftest import make_user
from tests.integrations.jellyfin.conftest import PASSWORD, call, header, jellyfin_login, media_hub

ADMIN_PASSWORD = "correct horse battery"
BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"


def flip(tag: str, at: int) -> str:
    """`tag` with one hex digit changed."""
    return tag[:at] + ("0" if tag[at] != "0" else "1") + tag[at + 1 :]


def assert_blurhash(value: str) -> None:
    """Well formed for its component count (first character), and decodable."""
    assert set(value) <= set(BASE83), value
    size = BASE83.index(value[0])
    x, y = size % 9 + 1, size // 9 + 1
    assert len(value) == 4 + 2 * x * y, value
    assert blurhash_decode(value, 8, 8).size == (8, 8)


async def _admin(running):
    result = await jellyfin_login(running, "admin", ADMIN_PASSWORD)
    return header(result["AccessToken"]), result["User"]["Id"]


async def _find(running, auth, query: str, name: str) -> dict:
    status, page = await call(running.anonymous, "GET", f"/Items?Recursive=true&{query}", "BaseItemDtoQueryResult",
                              headers=auth)  # fmt: skip
    assert status == 200
    return next(i for i in page["Items"] if i["Name"] == name)


async def test_items_carry_blurhashes_for_every_image_tag(marquee_hub, test_media):
    running, _ = await media_hub(marquee_hub, test_media)
    anon = running.anonymous
    auth, user_id = await _admin(running)
    movie = await _find(running, auth, "IncludeItemTypes=Movie", "Big Buck Test")
    status, detail = await call(anon, "GET", f"/Users/{user_id}/Items/{movie['Id']}", "BaseItemDto", headers=auth)
    primary, backdrop = detail["ImageTags"]["Primary"], detail["BackdropImageTags"][0]
    assert set(detail["ImageBlurHashes"]) == {"Primary", "Backdrop"}  # poster.jpg, fanart.jpg
    assert list(detail["ImageBlurHashes"]["Primary"]) == [primary]
    assert list(detail["ImageBlurHashes"]["Backdrop"]) == [backdrop]
    for value in (detail["ImageBlurHashes"]["Primary"][primary], detail["ImageBlurHashes"]["Backdrop"][backdrop]):
        assert_blurhash(value)
    assert movie["ImageBlurHashes"] == detail["ImageBlurHashes"]  # listings too, from the same batched query
    # Parents' images that an item's DTO names get theirs as well (Jellyfin fills them all in one map).
    episode = await _find(running, auth, "IncludeItemTypes=Episode", "Pilot")
    series_tag = episode["SeriesPrimaryImageTag"]
    assert_blurhash(episode["ImageBlurHashes"]["Primary"][series_tag])
    track = await _find(running, auth, "IncludeItemTypes=Audio", "First Song")
    assert_blurhash(track["ImageBlurHashes"]["Primary"][track["AlbumPrimaryImageTag"]])
    # Details read the item, its parents and their artwork with the DTO's parts, in one chain of reads.
    for listed, parent_tag in ((episode, "SeriesPrimaryImageTag"), (track, "AlbumPrimaryImageTag")):
        status, shown = await call(anon, "GET", f"/Users/{user_id}/Items/{listed['Id']}", "BaseItemDto", headers=auth)
        assert status == 200 and shown[parent_tag] == listed[parent_tag]
        assert (
            shown["ImageBlurHashes"]["Primary"][shown[parent_tag]]
            == listed["ImageBlurHashes"]["Primary"][listed[parent_tag]]
        )
    # The native API shows the stored hash beside each image.
    status, native = await running.get_json(f"/api/v1/items/{movie['Id']}")
    assert status == 200
    assert {i["type"]: i["blurhash"] for i in native["images"]} == {
        "Primary": detail["ImageBlurHashes"]["Primary"][primary],
        "Backdrop": detail["ImageBlurHashes"]["Backdrop"][backdrop],
    }


async def _get(session, path: str, **kwargs) -> tuple[int, bytes, Any]:
    async with session.get(path, **kwargs) as response:
        return response.status, await response.read(), response.headers  # case-insensitive


async def test_signed_tags_load_images_without_a_token(marquee_hub, test_media):
    running, libraries = await media_hub(marquee_hub, test_media)
    anon = running.anonymous
    auth, user_id = await _admin(running)
    movie = await _find(running, auth, "IncludeItemTypes=Movie", "Big Buck Test")
    series = await _find(running, auth, "IncludeItemTypes=Series", "Test Show")
    primary, backdrop = movie["ImageTags"]["Primary"], movie["BackdropImageTags"][0]
    assert len(primary) == 32 and int(primary, 16) >= 0  # hex, as long as Jellyfin's own tags
    base = f"/Items/{movie['Id']}/Images"

    # What jellyfin-web sends: no token at all, the tag it was given.
    status, body, headers = await _get(anon, f"{base}/Primary?tag={primary}&maxWidth=100&quality=90")
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(body)).size == (100, 150)
    assert "immutable" in headers["Cache-Control"]
    status, _, _ = await _get(anon, f"{base}/Primary?tag={primary}&maxWidth=100", headers={
        "If-None-Match": headers["ETag"]})  # fmt: skip
    assert status == 304
    status, body, _ = await _get(anon, f"{base}/Backdrop/0?tag={backdrop}")
    assert status == 200 and Image.open(io.BytesIO(body)).size == (640, 360)
    assert (await _get(anon, f"/items/{movie['Id']}/images/backdrop?tag={backdrop.upper()}"))[0] == 200

    # Anything that is not exactly the capability handed out is refused as an anonymous request is.
    flipped, content_changed = flip(primary, 31), flip(primary, 0)
    series_tag = series["ImageTags"]["Primary"]
    for path in (
        f"{base}/Primary",  # no tag
        f"{base}/Primary?tag=",
        f"{base}/Primary?tag={flipped}",  # forged signature
        f"{base}/Primary?tag={content_changed}",  # altered content tag
        f"{base}/Primary?tag={primary[:16]}",  # the content tag alone
        f"{base}/Primary?tag={primary}00",
        f"{base}/Primary?tag=not-hex-at-all",
        f"{base}/Primary?tag={series_tag}",  # another item's tag
        f"/Items/{series['Id']}/Images/Primary?tag={primary}",  # this tag on another item
        f"{base}/Backdrop/0?tag={primary}",  # another image type
        f"{base}/Thumb?tag={primary}",
        f"{base}/Primary/1?tag={primary}",  # another index
        f"{base}/Backdrop/1?tag={backdrop}",
        f"{base}/Nonsense?tag={primary}",
    ):
        status, body, headers = await _get(anon, path)
        assert status == 401, (path, status, body)
        assert headers.get("WWW-Authenticate") == "Bearer"

    # With a token, as before: the tag is not needed, and access rules still apply.
    assert (await _get(anon, f"{base}/Primary?maxWidth=80", headers=auth))[0] == 200
    assert (await _get(anon, f"{base}/Primary?tag={flipped}", headers=auth))[0] == 200
    token = auth["Authorization"].split('Token="')[1].rstrip('"')
    assert (await _get(anon, f"{base}/Logo?api_key={token}"))[0] == 404
    assert (await _get(anon, f"{base}/Primary?api_key=bogus&tag={primary}"))[0] == 401  # a bad token stays bad
    await make_user(running, "kim", library_access=[libraries["shows"]["id"]])
    kim = header((await jellyfin_login(running, "kim", PASSWORD, device="kim"))["AccessToken"], device="kim")
    assert (await _get(anon, f"{base}/Primary?tag={primary}", headers=kim))[0] == 404  # not her library


async def test_user_images_take_signed_tags(marquee_hub, test_media):
    running, _ = await media_hub(marquee_hub, test_media)
    anon = running.anonymous
    auth, user_id = await _admin(running)
    status, user = await call(anon, "GET", f"/Users/{user_id}", "UserDto", headers=auth)
    assert "PrimaryImageTag" not in user  # no image yet
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(picture, "PNG")
    assert (await running.request("PUT", "/api/v1/users/me/image", data=picture.getvalue()))[0] == 204
    status, user = await call(anon, "GET", f"/Users/{user_id}", "UserDto", headers=auth)
    tag = user["PrimaryImageTag"]
    status, body, _ = await _get(anon, f"/Users/{user_id}/Images/Primary?tag={tag}&height=50")
    assert status == 200 and Image.open(io.BytesIO(body)).format == "JPEG"
    kim = await make_user(running, "kim")
    for path in (
        f"/Users/{user_id}/Images/Primary",
        f"/Users/{user_id}/Images/Primary?tag={flip(tag, 31)}",
        f"/Users/{kim['id']}/Images/Primary?tag={tag}",
        f"/Users/{user_id}/Images/Backdrop?tag={tag}",
    ):
        assert (await _get(anon, path))[0] == 401, path
    assert (await _get(anon, f"/Users/{user_id}/Images/Primary", headers=auth))[0] == 200
    # An item's tag does not open a user's image of the same id shape, nor the other way round.
    movie = await _find(running, auth, "IncludeItemTypes=Movie", "Big Buck Test")
    assert (await _get(anon, f"/Items/{user_id}/Images/Primary?tag={tag}"))[0] == 401
    assert (await _get(anon, f"/Users/{movie['Id']}/Images/Primary?tag={movie['ImageTags']['Primary']}"))[0] == 401
