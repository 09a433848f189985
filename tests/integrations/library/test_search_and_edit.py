"""Search (typo and substring tolerance, filters, facets, sorting) and locked metadata edits."""

import io

from PIL import Image

from tests.integrations.library.conftest import by_name, library_yaml, scan


async def search(running, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    status, body = await running.get_json(f"/api/v1/search?{query}")
    assert status == 200, body
    return body


async def start(marquee_hub, test_media, config_dir=None, **extra):
    running = await marquee_hub(
        library_yaml(movies=test_media / "movies", shows=("tvshows", test_media / "shows"), music=test_media / "music"),
        **({"config_dir": config_dir} if config_dir else {}),
        **extra,
    )
    for name in ("movies", "shows", "music"):
        await scan(running, name)
    return running


async def test_search_tolerates_typos_and_substrings_and_finds_people(marquee_hub, test_media):
    running = await start(marquee_hub, test_media)
    assert [i["name"] for i in (await search(running, q="sintle"))["items"]] == ["Sintel Test"]  # typo
    assert [i["name"] for i in (await search(running, q="uck tes"))["items"]] == ["Big Buck Test"]  # substring
    assert [i["name"] for i in (await search(running, q="Big Buck Original"))["items"]] == ["Big Buck Test"]
    big = await by_name(running, (await running.get_json("/api/v1/libraries"))[1][0]["id"], "Big Buck Test")
    actor = next(p["name"] for p in big["people"] if p["kind"] == "Actor")
    assert "Big Buck Test" in [i["name"] for i in (await search(running, q=actor))["items"]]
    assert (await search(running, q="zzzzqqq")) == {"items": [], "total": 0, "limit": 50, "offset": 0}


async def test_filters_facets_sorting_and_paging(marquee_hub, test_media):
    running = await start(marquee_hub, test_media)
    page = await search(running, q="test", type="movie,series", facets="true", sort="name")
    assert [i["name"] for i in page["items"]] == ["Anime Test", "Big Buck Test", "Daily Show Test", "Sintel Test",
                                                   "Test Show"]  # fmt: skip
    assert {f["value"]: f["count"] for f in page["facets"]["types"]} == {"movie": 2, "series": 3}
    assert {"value": "Animation", "count": 1} in page["facets"]["genres"]
    assert {"value": 2008, "count": 1} in page["facets"]["years"]
    newest = await search(running, q="test", type="movie", sort="year", order="desc")
    assert [i["year"] for i in newest["items"]] == [2010, 2008]
    window = await search(running, q="test", type="movie,series", sort="name", limit=2, offset=2)
    assert ([i["name"] for i in window["items"]], window["total"]) == (["Daily Show Test", "Sintel Test"], 5)
    animated = await search(running, q="test", genre="Animation")
    assert [i["name"] for i in animated["items"]] == ["Big Buck Test"]
    years = await search(running, q="test", year_min=2009, year_max=2020, type="movie")
    assert [i["name"] for i in years["items"]] == ["Sintel Test"]
    assert (await running.get_json("/api/v1/search"))[0] == 400


async def test_edited_fields_are_locked_against_rescans(marquee_hub, test_media):
    running = await start(marquee_hub, test_media)
    library_id = (await running.get_json("/api/v1/libraries"))[1][0]["id"]
    big = await by_name(running, library_id, "Big Buck Test")
    status, body = await running.request(
        "PUT", f"/api/v1/items/{big['id']}/metadata", json={"name": "Big Buck Bunny", "genres": ["Family"]}
    )
    assert status == 200
    assert (body["name"], body["genres"], body["locked_fields"]) == ("Big Buck Bunny", ["Family"], ["genres", "name"])
    report = await scan(running, "movies", full="true")
    assert report["updated"] == 5
    after = (await running.get_json(f"/api/v1/items/{big['id']}"))[1]
    assert (after["name"], after["genres"], after["year"]) == ("Big Buck Bunny", ["Family"], 2008)
    assert [i["name"] for i in (await search(running, q="bunny"))["items"]] == ["Big Buck Bunny"]
    status, body = await running.request("PUT", f"/api/v1/items/{big['id']}/metadata", json={"year": "soon"})
    assert (status, body["error"]["problems"]) == (400, ["expected int for 'year' (got 'soon')"])
    await running.request("PUT", f"/api/v1/items/{big['id']}/metadata", json={"unlock": ["name"]})
    await scan(running, "movies", full="true")
    assert (await running.get_json(f"/api/v1/items/{big['id']}"))[1]["name"] == "Big Buck Test"


async def test_images_are_resized_cached_and_revalidated(marquee_hub, test_media):
    running = await start(marquee_hub, test_media)
    library_id = (await running.get_json("/api/v1/libraries"))[1][0]["id"]
    big = await by_name(running, library_id, "Big Buck Test")
    url = f"/api/v1/items/{big['id']}/images/Primary?width=100"
    async with running.session.get(url) as response:
        assert response.status == 200
        assert response.content_type == "image/jpeg"
        etag = response.headers["ETag"]
        image = Image.open(io.BytesIO(await response.read()))
    assert (image.width, image.height) == (100, 150)  # 300x450 poster, aspect kept
    async with running.session.get(url, headers={"If-None-Match": etag}) as response:
        assert response.status == 304
    async with running.session.get(f"/api/v1/items/{big['id']}/images/Backdrop?format=webp&height=90") as response:
        assert response.content_type == "image/webp"
        assert Image.open(io.BytesIO(await response.read())).size == (160, 90)
    assert (await running.get_json(f"/api/v1/items/{big['id']}/images/Logo"))[0] == 404
    status, body = await running.get_json(f"/api/v1/items/{big['id']}/images/Primary?width=-5")
    assert status == 400
