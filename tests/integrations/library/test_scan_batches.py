"""A scan cut into many worker jobs and write transactions builds the same catalog as one cut into few."""

from integrations.library import scanner
from tests.integrations.library.conftest import items, library_yaml, scan

LIBRARIES = ("movies", "shows", "music")


async def catalog(running) -> dict:
    found = {}
    for name in LIBRARIES:
        report = await scan(running, name)
        page = await items(running, report["library"]["id"], recursive="true", limit=500)
        found[name] = {
            "counts": tuple(report[k] for k in ("added", "updated", "moved", "removed", "failed", "unchanged")),
            "failures": sorted((f["path"], f["reason"]) for f in report["failures"]),
            "items": sorted(
                (i["type"], i["name"], i.get("index_number") or 0, i.get("year") or 0) for i in page["items"]
            ),
        }
    return found


async def test_small_jobs_and_transactions_build_the_same_catalog(marquee_hub, test_media, tmp_path, monkeypatch):
    yaml = library_yaml(
        movies=test_media / "movies", shows=("tvshows", test_media / "shows"), music=test_media / "music"
    )
    expected = await catalog(await marquee_hub(yaml, config_dir=tmp_path / "few"))
    assert expected["shows"]["counts"][0] > 2 and expected["music"]["counts"][0] > 2  # enough to cut up
    monkeypatch.setattr(scanner, "CHUNK", 1)  # a job per file
    monkeypatch.setattr(scanner, "TRANSACTION", 2)  # a series, season or album spans transactions
    assert await catalog(await marquee_hub(yaml, config_dir=tmp_path / "many")) == expected
