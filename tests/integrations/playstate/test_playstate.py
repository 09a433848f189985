"""Watch state per user: reports, resume and played thresholds, lists, filters, events to other devices only."""

import orjson

from tests.integrations.auth.conftest import PASSWORD, make_user, request
from tests.integrations.library.conftest import by_name, library_yaml, scan

TICKS = 10_000_000


async def setup(marquee_hub, test_media, extra=""):
    running = await marquee_hub(
        library_yaml(movies=test_media / "movies", shows=("tvshows", test_media / "shows"))
        + "playstate:\n  min_resume_seconds: 0.1\n"
        + extra
    )
    movies = (await scan(running, "movies"))["library"]
    shows = (await scan(running, "shows"))["library"]
    return running, movies, shows


async def report(session, kind, item_id, seconds):
    return await request(session, "POST", f"/api/v1/sessions/{kind}",
                         json={"item_id": item_id, "position_ticks": int(seconds * TICKS)})  # fmt: skip


async def test_resume_then_played_past_the_threshold(marquee_hub, test_media):
    running, movies, _ = await setup(marquee_hub, test_media)
    sintel = await by_name(running, movies["id"], "Sintel Test")  # 2.0 s long
    assert (await report(running.session, "playing", sintel["id"], 0))[0] == 204
    assert (await report(running.session, "progress", sintel["id"], 0.8))[0] == 204
    status, data = await report(running.session, "stopped", sintel["id"], 1.0)  # 50%: resume point
    assert (data["position_ticks"], data["played"], data["play_count"]) == (TICKS, False, 0)
    resume = (await running.get_json("/api/v1/users/me/continue-watching"))[1]
    assert [i["name"] for i in resume] == ["Sintel Test"]
    status, data = await report(running.session, "stopped", sintel["id"], 1.9)  # 95%: watched
    assert (data["position_ticks"], data["played"], data["play_count"]) == (0, True, 1)
    assert (await running.get_json("/api/v1/users/me/continue-watching"))[1] == []
    assert [i["name"] for i in (await running.get_json("/api/v1/users/me/history"))[1]] == ["Sintel Test"]
    detail = (await running.get_json(f"/api/v1/items/{sintel['id']}"))[1]
    assert detail["user_data"]["played"] is True
    status, page = await running.get_json(f"/api/v1/libraries/{movies['id']}/items?played=false")
    assert sorted(i["name"] for i in page["items"]) == ["Big Buck Test", "HDR Demo"]
    status, page = await running.get_json(f"/api/v1/libraries/{movies['id']}/items?played=true")
    assert [i["name"] for i in page["items"]] == ["Sintel Test"]


async def test_next_up_favorites_latest_and_user_data_edits(marquee_hub, test_media):
    running, movies, shows = await setup(marquee_hub, test_media)
    pilot = await by_name(running, shows["id"], "Pilot", type="episode")
    await running.request("PUT", f"/api/v1/items/{pilot['id']}/user-data", json={"played": True})
    next_up = (await running.get_json("/api/v1/users/me/next-up"))[1]
    assert [(i["name"], i["index_number"]) for i in next_up] == [("Double", 2)]
    big = await by_name(running, movies["id"], "Big Buck Test")
    status, data = await running.request(
        "PUT", f"/api/v1/items/{big['id']}/user-data", json={"is_favorite": True, "rating": 8.5}
    )
    assert (data["is_favorite"], data["rating"]) == (True, 8.5)
    assert [i["name"] for i in (await running.get_json("/api/v1/users/me/favorites"))[1]] == ["Big Buck Test"]
    page = (await running.get_json(f"/api/v1/libraries/{movies['id']}/items?favorite=true"))[1]
    assert [i["name"] for i in page["items"]] == ["Big Buck Test"]
    latest = (await running.get_json(f"/api/v1/users/me/latest?library_id={shows['id']}&limit=3"))[1]
    assert len(latest) == 3 and {i["type"] for i in latest} == {"episode"}
    status, body = await running.request("PUT", f"/api/v1/items/{big['id']}/user-data", json={"rating": 11})
    assert status == 400


async def test_state_is_per_user_and_events_reach_only_the_users_other_devices(marquee_hub, test_media):
    running, movies, _ = await setup(marquee_hub, test_media)
    await make_user(running, "kim")
    kim_phone = await running.session_for("kim", PASSWORD, device_id="phone")
    kim_tv = await running.session_for("kim", PASSWORD, device_id="tv")
    sintel = await by_name(running, movies["id"], "Sintel Test")
    async with kim_tv.ws_connect("/api/v1/ws") as tv_socket, running.session.ws_connect("/api/v1/ws") as admin_socket, \
            kim_phone.ws_connect("/api/v1/ws") as phone_socket:  # fmt: skip
        await report(kim_phone, "stopped", sintel["id"], 1.0)
        message = orjson.loads((await tv_socket.receive(timeout=5)).data)
        assert message["type"] == "playback.state.changed"
        assert message["data"]["user_data"]["position_ticks"] == TICKS
        await admin_socket.send_str('{"type": "ping"}')
        assert orjson.loads((await admin_socket.receive(timeout=5)).data) == {"type": "pong"}  # nothing else queued
        await phone_socket.send_str('{"type": "ping"}')
        assert orjson.loads((await phone_socket.receive(timeout=5)).data) == {"type": "pong"}
    admin_view = (await running.get_json(f"/api/v1/items/{sintel['id']}/user-data"))[1]
    assert admin_view["position_ticks"] == 0  # kim's progress is kim's
    status, _ = await request(kim_phone, "GET", "/api/v1/items/nope/user-data")
    assert status == 404


async def test_deleting_a_user_deletes_their_watch_state(marquee_hub, test_media):
    running, movies, _ = await setup(marquee_hub, test_media)
    user = await make_user(running, "lee")
    lee = await running.session_for("lee", PASSWORD)
    sintel = await by_name(running, movies["id"], "Sintel Test")
    await report(lee, "stopped", sintel["id"], 1.0)
    count = "SELECT COUNT(*) FROM user_item_data WHERE user_id = ?"
    assert await running.hub.db.fetch_value(count, (user["id"],)) == 1
    await running.request("DELETE", f"/api/v1/users/{user['id']}")
    assert await running.hub.db.fetch_value(count, (user["id"],)) == 0


async def test_user_data_read_runs_in_the_callers_batch_and_answers_only_items_with_state(marquee_hub, test_media):
    running, movies, _ = await setup(marquee_hub, test_media)
    big = await by_name(running, movies["id"], "Big Buck Test")
    sintel = await by_name(running, movies["id"], "Sintel Test")
    await running.request("PUT", f"/api/v1/items/{big['id']}/user-data", json={"is_favorite": True, "rating": 8.5})
    user_id = (await running.get_json("/api/v1/users/me"))[1]["id"]
    ids = [big["id"], sintel["id"]]
    read_for = await running.hub.hooks.call_first("item_user_data_read", user_id=user_id)
    read = read_for(ids)
    own = ("SELECT name FROM items WHERE id = ?", [sintel["id"]])
    answers = await running.hub.db.fetch_batch([own, *read.queries])  # the caller's query and the read together
    assert answers[0] == [{"name": "Sintel Test"}]
    found = read.answer(answers[1:])
    assert list(found) == [big["id"]]  # Sintel has no state of its own: left out
    assert (found[big["id"]]["is_favorite"], found[big["id"]]["rating"]) == (True, 8.5)
    every = await running.hub.hooks.call_first("item_user_data", user_id=user_id, item_ids=ids)
    assert every[sintel["id"]]["played"] is False and every[big["id"]] == found[big["id"]]
