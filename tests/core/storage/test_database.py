import asyncio
import sqlite3

import pytest

from core.bus import EventBus
from core.config.entries import ConfigEntries
from core.storage import DatabaseError, Migration, open_database
from core.storage.core_tables import CORE_MIGRATIONS, CORE_OWNER
from core.storage.postgres import to_numbered

NOTES = [
    Migration(1, "notes", ["CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL, n INTEGER)"]),
    Migration(2, "index", ["CREATE INDEX notes_n ON notes (n)"]),
]


async def test_migrations_apply_once_in_order(db):
    assert await db.migrate("notes", NOTES) == [1, 2]
    assert await db.migrate("notes", NOTES) == []
    assert await db.schema_version("notes") == 2
    extended = [*NOTES, Migration(3, "column", ["ALTER TABLE notes ADD COLUMN extra TEXT"])]
    assert await db.migrate("notes", extended) == [3]
    await db.execute("INSERT INTO notes (id, body, n, extra) VALUES (?, ?, ?, ?)", ("a", "x", 1, "e"))
    assert await db.fetch_one("SELECT extra FROM notes WHERE id = ?", ("a",)) == {"extra": "e"}


async def test_owners_have_independent_versions(db):
    await db.migrate("notes", NOTES)
    other = [Migration(1, "other", ["CREATE TABLE other_things (id TEXT PRIMARY KEY)"])]
    assert await db.migrate("other", other) == [1]
    assert await db.schema_version("other") == 1
    assert await db.schema_version("notes") == 2


async def test_failing_migration_rolls_back_and_names_itself(db):
    await db.migrate("notes", NOTES)
    broken = [*NOTES, Migration(3, "half done", ["ALTER TABLE notes ADD COLUMN good TEXT", "NOT SQL AT ALL"])]
    with pytest.raises(DatabaseError, match=r"Migration notes #3 'half done' failed"):
        await db.migrate("notes", broken)
    assert await db.schema_version("notes") == 2
    # The first statement of the failed migration was rolled back with it.
    with pytest.raises(DatabaseError):
        await db.fetch_all("SELECT good FROM notes")


async def test_migration_versions_must_increase(db):
    with pytest.raises(ValueError, match="unique, increasing"):
        await db.migrate("bad", [Migration(2, "b"), Migration(1, "a")])


async def test_dialect_specific_statements(db):
    migration = Migration(
        1,
        "auto ids",
        {
            "sqlite": ["CREATE TABLE counters (id INTEGER PRIMARY KEY AUTOINCREMENT, v INTEGER)"],
            "postgresql": ["CREATE TABLE counters (id SERIAL PRIMARY KEY, v INTEGER)"],
        },
    )
    await db.migrate("counters", [migration])
    await db.execute("INSERT INTO counters (v) VALUES (?)", (5,))
    assert await db.fetch_value("SELECT id FROM counters WHERE v = ?", (5,)) == 1


async def test_transaction_commits_together_or_not_at_all(db):
    await db.migrate("notes", NOTES)
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO notes (id, body) VALUES (?, ?)", ("t1", "one"))
            raise RuntimeError("abort")
    assert await db.fetch_value("SELECT COUNT(*) FROM notes") == 0
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO notes (id, body) VALUES (?, ?)", ("t1", "one"))
        await conn.executemany("INSERT INTO notes (id, body) VALUES (?, ?)", [("t2", "two"), ("t3", "three")])
        assert await conn.fetch_value("SELECT COUNT(*) FROM notes") == 3  # sees its own writes
    rows = await db.fetch_all("SELECT id, body FROM notes ORDER BY id")
    assert rows == [{"id": "t1", "body": "one"}, {"id": "t2", "body": "two"}, {"id": "t3", "body": "three"}]


async def test_run_transaction_commits_together_or_not_at_all(db):
    await db.migrate("notes", NOTES)

    async def write(conn, fail: bool) -> int:
        changed = await conn.execute("INSERT INTO notes (id, body) VALUES (?, ?) ON CONFLICT DO NOTHING", ("r1", "x"))
        await conn.executemany("INSERT INTO notes (id, body) VALUES (?, ?)", [("r2", "y"), ("r3", "z")])
        if fail:
            raise RuntimeError("abort")
        return changed + await conn.fetch_value("SELECT COUNT(*) FROM notes")  # sees its own writes

    with pytest.raises(RuntimeError, match="abort"):
        await db.run_transaction(lambda conn: write(conn, True))
    assert await db.fetch_value("SELECT COUNT(*) FROM notes") == 0
    assert await db.run_transaction(lambda conn: write(conn, False)) == 4
    with pytest.raises(DatabaseError):
        await db.run_transaction(lambda conn: write(conn, False))  # r2 exists: rolled back whole
    assert await db.fetch_value("SELECT COUNT(*) FROM notes") == 3


async def test_sqlite_run_transaction_refuses_work_that_suspends(tmp_path):
    database = await open_database(f"sqlite:///{tmp_path / 'test.db'}")
    try:
        await database.migrate("notes", NOTES)

        async def suspends(conn) -> None:
            await conn.execute("INSERT INTO notes (id, body) VALUES (?, ?)", ("s1", "x"))
            await asyncio.sleep(0)

        with pytest.raises(RuntimeError, match="awaited something other"):
            await database.run_transaction(suspends)
        assert await database.fetch_value("SELECT COUNT(*) FROM notes") == 0
        async with database.transaction() as conn:  # the writer is usable afterwards
            await conn.execute("INSERT INTO notes (id, body) VALUES (?, ?)", ("s2", "y"))
        assert await database.fetch_value("SELECT COUNT(*) FROM notes") == 1
    finally:
        await database.close()


async def test_a_batch_of_reads_answers_each_in_order(db):
    await db.migrate("notes", NOTES)
    await db.executemany("INSERT INTO notes (id, body) VALUES (?, ?)", [("b1", "one"), ("b2", "two")])
    answers = await db.fetch_batch(
        [
            ("SELECT body FROM notes WHERE id = ?", ("b2",)),
            ("SELECT id FROM notes ORDER BY id", ()),
            ("SELECT body FROM notes WHERE id = ?", ("missing",)),
        ]
    )
    assert answers == [[{"body": "two"}], [{"id": "b1"}, {"id": "b2"}], []]
    assert await db.fetch_batch([]) == []
    with pytest.raises(DatabaseError, match=r"no_such_table|does not exist"):
        await db.fetch_batch([("SELECT 1", ()), ("SELECT * FROM no_such_table", ())])
    assert await db.fetch_value("SELECT COUNT(*) FROM notes") == 2  # the pool still answers after the error


async def test_a_chain_of_reads_feeds_each_stage_the_rows_of_the_one_before(db):
    await db.migrate("notes", NOTES)
    await db.executemany("INSERT INTO notes (id, body, n) VALUES (?, ?, ?)", [("c1", "one", 1), ("c2", "two", 2)])
    seen: list[list[list[dict]]] = []

    def bodies_of(stage):  # the ids the first stage found, asked for again
        seen.append(stage)
        ids = [row["id"] for row in stage[0]]
        return [(f"SELECT body FROM notes WHERE id IN ({', '.join('?' * len(ids))}) ORDER BY id", ids)]

    def nothing_more(stage):
        seen.append(stage)
        return []

    stages = await db.fetch_chain(
        [("SELECT id FROM notes WHERE n >= ? ORDER BY id", (1,)), ("SELECT COUNT(*) AS c FROM notes", ())],
        bodies_of,
        nothing_more,
    )
    assert stages == [[[{"id": "c1"}, {"id": "c2"}], [{"c": 2}]], [[{"body": "one"}, {"body": "two"}]], []]
    assert seen == [stages[0], stages[1]]
    assert await db.fetch_chain([]) == [[]]


async def test_a_failing_chain_raises_and_leaves_the_pool_usable(db):
    await db.migrate("notes", NOTES)

    def broken_sql(_):
        return [("SELECT * FROM no_such_table", ())]

    def raises(_):
        raise ValueError("a step's own error")

    for _ in range(5):  # more than the pool's readers: each must have ended its read transaction
        with pytest.raises(DatabaseError, match=r"no_such_table|does not exist"):
            await db.fetch_chain([("SELECT 1 AS one", ())], broken_sql)
        with pytest.raises(ValueError, match="a step's own error"):
            await db.fetch_chain([("SELECT 1 AS one", ())], raises)
    assert await db.fetch_chain([("SELECT COUNT(*) AS c FROM notes", ())]) == [[[{"c": 0}]]]


async def test_a_chain_reads_one_snapshot_on_sqlite(tmp_path):
    """A row committed by another connection between two stages is not seen by the later stage."""
    path = tmp_path / "chain.db"
    database = await open_database(f"sqlite:///{path}")
    try:
        await database.migrate("notes", NOTES)
        await database.execute("INSERT INTO notes (id, body) VALUES (?, ?)", ("before", "x"))

        def write_meanwhile(_):
            with sqlite3.connect(path) as other:
                other.execute("INSERT INTO notes (id, body) VALUES (?, ?)", ("during", "y"))
            return [("SELECT id FROM notes ORDER BY id", ())]

        stages = await database.fetch_chain([("SELECT id FROM notes ORDER BY id", ())], write_meanwhile)
        assert stages[1] == [[{"id": "before"}]]
        assert await database.fetch_all("SELECT id FROM notes ORDER BY id") == [{"id": "before"}, {"id": "during"}]
    finally:
        await database.close()


async def test_rows_are_dicts_in_column_order_and_a_repeated_name_keeps_its_first_column(db):
    await db.migrate("notes", NOTES)
    await db.executemany("INSERT INTO notes (id, body, n) VALUES (?, ?, ?)", [("r1", "one", 7)])
    joined = "SELECT a.n, a.*, b.id FROM notes a JOIN notes b ON b.id = a.id"
    expected = {"n": 7, "id": "r1", "body": "one"}
    for rows in (await db.fetch_all(joined), (await db.fetch_batch([(joined, ())]))[0]):
        assert rows == [expected]
        assert list(rows[0]) == ["n", "id", "body"]
    async with db.transaction() as conn:
        assert await conn.fetch_all(joined) == [expected]


async def test_errors_carry_the_backend_message(db):
    with pytest.raises(DatabaseError, match=r"no_such_table|does not exist"):
        await db.fetch_all("SELECT * FROM no_such_table")
    await db.migrate("notes", NOTES)
    await db.execute("INSERT INTO notes (id, body) VALUES (?, ?)", ("dup", "x"))
    with pytest.raises(DatabaseError):
        await db.execute("INSERT INTO notes (id, body) VALUES (?, ?)", ("dup", "y"))


async def test_reads_run_concurrently_with_a_long_write(db):
    await db.migrate("notes", NOTES)
    await db.executemany("INSERT INTO notes (id, body, n) VALUES (?, ?, ?)", [(str(i), "b", i) for i in range(200)])
    writer_holding = asyncio.Event()
    release = asyncio.Event()

    async def long_write():
        async with db.transaction() as conn:
            await conn.execute("UPDATE notes SET body = ? WHERE n < ?", ("changed", 100))
            writer_holding.set()
            await release.wait()

    write = asyncio.create_task(long_write())
    await writer_holding.wait()
    # While the write transaction is open, readers still answer (and see the last committed state).
    counts = await asyncio.wait_for(
        asyncio.gather(*(db.fetch_value("SELECT COUNT(*) FROM notes WHERE body = ?", ("b",)) for _ in range(10))), 5
    )
    assert counts == [200] * 10
    release.set()
    await write
    assert await db.fetch_value("SELECT COUNT(*) FROM notes WHERE body = ?", ("changed",)) == 100


async def test_ping(db):
    assert await db.ping() is True


async def test_config_entries_survive_reopening(db_url):
    db = await open_database(db_url)
    await db.migrate(CORE_OWNER, CORE_MIGRATIONS)
    entries = ConfigEntries(db, EventBus())
    await entries.set("logger", "logs", {"core": "debug"})
    await entries.set("logger", "other", [1, 2])
    await entries.set_integration_enabled("metrics", False)
    await db.close()

    db = await open_database(db_url)
    entries = ConfigEntries(db, EventBus())
    assert await entries.all("logger") == {"logs": {"core": "debug"}, "other": [1, 2]}
    assert await entries.integration_enabled("metrics") is False
    assert await entries.integration_enabled("never_touched") is None
    await entries.replace("logger", {"logs": {}})
    assert await entries.all("logger") == {"logs": {}}
    await db.close()


def test_placeholders_are_numbered_outside_quotes():
    assert to_numbered("SELECT * FROM t WHERE a = ? AND b = '?' AND c = ?") == (
        "SELECT * FROM t WHERE a = $1 AND b = '?' AND c = $2"
    )


async def test_unknown_scheme_is_a_clear_error():
    with pytest.raises(DatabaseError, match="Unsupported database URL scheme: 'mysql'"):
        await open_database("mysql://x")


async def test_sqlite_uses_wal_and_enforces_foreign_keys(tmp_path):
    db = await open_database(f"sqlite:///{tmp_path / 'fk.db'}")
    try:
        assert await db.fetch_value("PRAGMA journal_mode") == "wal"
        await db.migrate(
            "fk",
            [
                Migration(
                    1,
                    "parent and child",
                    [
                        "CREATE TABLE parent (id TEXT PRIMARY KEY)",
                        "CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parent(id))",
                    ],
                )
            ],
        )
        with pytest.raises(DatabaseError, match="FOREIGN KEY"):
            await db.execute("INSERT INTO child (id, parent_id) VALUES (?, ?)", ("c", "missing"))
        with pytest.raises(DatabaseError, match=r"readonly|read-only|query_only|attempt to write"):
            await db.fetch_all("INSERT INTO parent (id) VALUES ('sneaky')")  # readers are read-only
    finally:
        await db.close()
