"""Helpers for auth tests: users made through the real API, sessions signed in as them."""

from __future__ import annotations

PASSWORD = "s3cure-password"


async def make_user(running, username: str, **fields) -> dict:
    body = {"username": username, "password": PASSWORD, **fields}
    status, user = await running.post_json("/api/v1/users", body)
    assert status == 201, user
    return user


async def request(session, method: str, path: str, **kwargs) -> tuple[int, object]:
    async with session.request(method, path, **kwargs) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.read()
