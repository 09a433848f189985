import asyncio
import logging
import threading

from core.bus import EventBus
from core.const import MATCH_ALL


async def test_listen_fire_and_unsubscribe():
    bus = EventBus()
    bus.bind(asyncio.get_running_loop())
    seen = []
    unsubscribe = bus.listen("thing.happened", lambda e: seen.append(e.data["n"]))
    bus.fire("thing.happened", {"n": 1})
    bus.fire("other.event", {"n": 99})
    unsubscribe()
    bus.fire("thing.happened", {"n": 2})
    assert seen == [1]
    assert bus.listener_count("thing.happened") == 0


async def test_listen_once_runs_for_first_event_only():
    bus = EventBus()
    bus.bind(asyncio.get_running_loop())
    seen = []
    bus.listen_once("tick", lambda e: seen.append(e.data["n"]))
    for n in range(3):
        bus.fire("tick", {"n": n})
    assert seen == [0]
    assert bus.listener_count() == 0


async def test_match_all_listener_sees_every_event():
    bus = EventBus()
    bus.bind(asyncio.get_running_loop())
    seen = []
    bus.listen(MATCH_ALL, lambda e: seen.append(e.type))
    bus.fire("a")
    bus.fire("b")
    assert seen == ["a", "b"]


async def test_async_listener_runs_and_can_be_drained():
    bus = EventBus()
    bus.bind(asyncio.get_running_loop())
    seen = []

    async def slow(event):
        await asyncio.sleep(0.01)
        seen.append(event.data["n"])

    bus.listen("x", slow)
    bus.fire("x", {"n": 7})
    assert seen == []
    await bus.drain()
    assert seen == [7]


async def test_failing_listener_is_logged_and_others_still_run(caplog):
    bus = EventBus()
    bus.bind(asyncio.get_running_loop())
    seen = []

    def broken(event):
        raise ValueError("listener bug")

    async def broken_async(event):
        raise RuntimeError("async listener bug")

    bus.listen("x", broken)
    bus.listen("x", broken_async)
    bus.listen("x", lambda e: seen.append("ok"))
    with caplog.at_level(logging.ERROR):
        bus.fire("x")
        await bus.drain()
    assert seen == ["ok"]
    assert "listener bug" in caplog.text
    assert "async listener bug" in caplog.text


async def test_fire_from_worker_thread_delivers_on_the_loop_thread():
    bus = EventBus()
    bus.bind(asyncio.get_running_loop())
    loop_thread = threading.get_ident()
    delivered: asyncio.Future = asyncio.get_running_loop().create_future()
    bus.listen("from.thread", lambda e: delivered.set_result((e.data["n"], threading.get_ident())))
    threading.Thread(target=bus.fire, args=("from.thread", {"n": 5})).start()
    value, thread_id = await asyncio.wait_for(delivered, 5)
    assert value == 5
    assert thread_id == loop_thread


async def test_many_threads_firing_lose_no_events():
    bus = EventBus()
    bus.bind(asyncio.get_running_loop())
    seen = []
    bus.listen("n", lambda e: seen.append(e.data["n"]))

    def burst(start):
        for n in range(start, start + 200):
            bus.fire("n", {"n": n})

    await asyncio.gather(*(asyncio.to_thread(burst, k * 1000) for k in range(4)))
    for _ in range(200):  # deliveries from threads are queued onto the loop; let them run
        if len(seen) == 800:
            break
        await asyncio.sleep(0.01)
    assert sorted(seen) == sorted(n for k in range(4) for n in range(k * 1000, k * 1000 + 200))


async def test_wait_for_with_predicate():
    bus = EventBus()
    bus.bind(asyncio.get_running_loop())
    waiter = asyncio.create_task(bus.wait_for("job", lambda e: e.data["id"] == 2, timeout=2))
    await asyncio.sleep(0)
    bus.fire("job", {"id": 1})
    bus.fire("job", {"id": 2})
    assert (await waiter).data["id"] == 2
