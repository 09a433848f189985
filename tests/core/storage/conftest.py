"""Storage tests run against both backends for real: a SQLite file, and a throwaway PostgreSQL database."""

import asyncio
import os
import uuid

import asyncpg
import pytest
import pytest_asyncio

from core.storage import open_database

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


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres_url")


@pytest_asyncio.fixture
async def db(db_url):
    database = await open_database(db_url, readers=3)
    yield database
    await database.close()
