"""Helpers for library tests (the generated test media fixtures live in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path


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
