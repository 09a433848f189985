"""Metadata providers (fetch_metadata hook) enrich items after local identification; local data and edits win."""

from integrations.library.const import EVENT_METADATA_UPDATED
from tests.conftest import make_plugin
from tests.integrations.library.conftest import by_name, library_yaml, scan

PROVIDER = """
from plugin_sdk import hookimpl
from plugin_sdk.media import ItemMetadata, MetadataMatch

QUERIES = []

@hookimpl
async def fetch_metadata(query):
    QUERIES.append((query.item_type, query.title, query.year))
    if query.item_type != "movie":
        return None
    return MetadataMatch(
        provider="fakedb",
        metadata=ItemMetadata(
            overview=f"Provider overview of {query.title}",
            genres=["Fantasy"],
            official_rating="R",
            provider_ids={"fakedb": query.title.lower().replace(" ", "-"), "tmdb": "999"},
        ),
        score=0.9,
    )

async def async_setup(hub, config):
    return True
"""

BROKEN = """
from plugin_sdk import hookimpl

@hookimpl
def fetch_metadata(query):
    raise ConnectionError("provider is down")

async def async_setup(hub, config):
    return True
"""


async def test_providers_fill_gaps_but_never_overwrite_local_metadata(marquee_hub, config_dir, test_media):
    make_plugin(config_dir, "fakedb", PROVIDER, kind="metadata")
    make_plugin(config_dir, "downdb", BROKEN, kind="metadata")
    running = await marquee_hub(
        library_yaml(movies=test_media / "movies") + "fakedb: {}\ndowndb: {}\n", config_dir=config_dir
    )
    updates = []
    running.hub.bus.listen(EVENT_METADATA_UPDATED, lambda e: updates.append(dict(e.data)))
    report = await scan(running, "movies")
    await running.hub.bus.wait_for(EVENT_METADATA_UPDATED, lambda e: len(updates) >= 3, timeout=10)
    library_id = report["library"]["id"]
    sintel = await by_name(running, library_id, "Sintel Test")
    assert sintel["overview"] == "Provider overview of Sintel Test"  # no NFO: the provider fills it
    assert sintel["genres"] == ["Fantasy"]
    assert sintel["provider_ids"] == {"fakedb": "sintel-test", "tmdb": "999"}
    big = await by_name(running, library_id, "Big Buck Test")
    assert big["genres"] == ["Animation", "Comedy"]  # from movie.nfo: kept
    assert big["official_rating"] == "PG"
    assert big["provider_ids"]["tmdb"] == "10378"  # the NFO's id wins over the provider's
    assert big["provider_ids"]["fakedb"] == "big-buck-test"
    assert {u["source"] for u in updates} == {"provider"}
    assert (await running.get_json("/health/live"))[0] == 200  # the failing provider broke nothing
