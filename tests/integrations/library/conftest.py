"""Library tests scan real files: the test library from scripts/make_test_media.py, generated once per run."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def _generator():
    spec = importlib.util.spec_from_file_location("make_test_media", REPO / "scripts" / "make_test_media.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def test_media(tmp_path_factory) -> Path:
    """The generated library; treat it as read-only (copy it with `media_copy` to change files)."""
    out = tmp_path_factory.mktemp("media")
    _generator().make_test_media(out)
    return out


@pytest.fixture
def media_copy(test_media, tmp_path) -> Path:
    target = tmp_path / "media"
    shutil.copytree(test_media, target)
    return target


def library_yaml(**folders: Path | tuple[str, Path]) -> str:
    """YAML for a `library:` section with no background work: tests scan explicitly."""
    lines = ["library:", "  scan_on_start: false", "  watch: false", "  libraries:"]
    for name, value in folders.items():
        kind, folder = value if isinstance(value, tuple) else (name, value)
        lines += [f"    - name: {name}", f"      type: {kind}", f"      folders: ['{folder}']"]
    return "\n".join(lines) + "\n"


async def scan(running, name: str, **params) -> dict:
    status, libraries = await running.get_json("/api/v1/libraries")
    library = next(lib for lib in libraries if lib["name"] == name)
    query = "&".join(f"{k}={v}" for k, v in {"wait": "true", **params}.items())
    status, report = await running.post_json(f"/api/v1/libraries/{library['id']}/scan?{query}")
    assert status == 200, report
    report["library"] = library
    return report


async def items(running, library_id: str, **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    status, body = await running.get_json(f"/api/v1/libraries/{library_id}/items?{query}")
    assert status == 200, body
    return body


async def by_name(running, library_id: str, name: str, **params) -> dict:
    page = await items(running, library_id, recursive="true", limit=500, **params)
    found = [item for item in page["items"] if item["name"] == name]
    assert len(found) == 1, [item["name"] for item in page["items"]]
    status, detail = await running.get_json(f"/api/v1/items/{found[0]['id']}")
    assert status == 200
    return detail
