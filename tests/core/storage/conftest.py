"""Storage tests run against both backends for real: a SQLite file, and a throwaway PostgreSQL database."""

import pytest
import pytest_asyncio

from core.storage import open_database


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
