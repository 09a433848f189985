"""Shared test helpers. The `marquee_hub` fixture itself comes from plugin_sdk.testing (a pytest11 plugin)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import textwrap
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from core import __version__

PLUGIN_CORE_RANGE = f">={__version__},<1.0"


def make_plugin(
    config_dir: Path,
    domain: str,
    code: str = "async def async_setup(hub, config):\n    return True\n",
    **manifest: Any,
) -> Path:
    """Write <config>/plugins/<domain>/ with a manifest and an __init__.py; returns the folder."""
    folder = config_dir / "plugins" / domain
    folder.mkdir(parents=True, exist_ok=True)
    data = {"domain": domain, "name": domain.title(), "version": "1.0.0", "core": PLUGIN_CORE_RANGE}
    data.update(manifest)
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    (folder / "__init__.py").write_text(textwrap.dedent(code), encoding="utf-8")
    return folder


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    return folder


PG_ADMIN_URL = os.environ.get("MARQUEE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def _admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture
def postgres_url():
    """A fresh database per test, dropped afterwards. PostgreSQL runs on 127.0.0.1:5432 on these machines."""
    name = f"marquee_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


REPO = Path(__file__).resolve().parents[1]


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
