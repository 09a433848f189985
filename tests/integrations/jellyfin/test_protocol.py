"""The protocol layer on its own: path canon, JSON casing and nulls, dates, ids, typed query parameters."""

import pytest
from starlette.requests import Request

from integrations.jellyfin.protocol import JellyfinError, PathCanon, Query, clean, jf_date, normalize_id


def _request(query: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/Items", "query_string": query.encode(), "headers": []})


def test_path_canon_matches_literals_case_insensitively_and_keeps_parameters():
    canon = PathCanon()
    for template in ("/Users/Me", "/Users/{userId}/Items/{itemId}", "/Videos/{itemId}/stream.{container}"):
        canon.add(template)
    assert canon.canonical("/users/me") == "/Users/Me"
    assert canon.canonical("/USERS/AbC/items/DeF") == "/Users/AbC/Items/DeF"
    assert canon.canonical("/videos/x/STREAM.MKV") == "/Videos/x/stream.MKV"
    assert canon.canonical("/api/v1/users/me") is None
    assert canon.canonical("/Users/a/b/Items/c") is None


def test_clean_drops_nulls_and_camel_cases_property_names_only():
    data = {"Name": "x", "Overview": None, "ProviderIds": {"Tmdb": "1"}, "UserData": {"Played": False, "Rating": None},
            "Items": [{"ImageTags": {"Primary": "t"}}]}  # fmt: skip
    assert clean(data) == {"Name": "x", "ProviderIds": {"Tmdb": "1"}, "UserData": {"Played": False},
                           "Items": [{"ImageTags": {"Primary": "t"}}]}  # fmt: skip
    assert clean(data, camel=True) == {"name": "x", "providerIds": {"Tmdb": "1"}, "userData": {"played": False},
                                       "items": [{"imageTags": {"Primary": "t"}}]}  # fmt: skip


def test_dates_are_dotnet_round_trip_format():
    assert jf_date(0) == "1970-01-01T00:00:00.0000000Z"
    assert jf_date(1.5) == "1970-01-01T00:00:01.5000000Z"
    assert jf_date("2008-05-20") == "2008-05-20T00:00:00.0000000Z"
    assert jf_date("2024-03-15T10:00:00+02:00") == "2024-03-15T08:00:00.0000000Z"
    assert jf_date("not a date") is None and jf_date(None) is None


def test_ids():
    assert normalize_id("A" * 32) == "a" * 32
    assert normalize_id("6f0b0d3e-4a57-4b8e-9a53-6a1e0c4f3a11") == "6f0b0d3e4a574b8e9a536a1e0c4f3a11"
    for bad in ("", "xyz", "a" * 31, "../etc/passwd"):
        with pytest.raises(JellyfinError) as caught:
            normalize_id(bad)
        assert caught.value.status == 400


def test_query_names_are_case_insensitive_and_typed():
    query = _request("startindex=5&LIMIT=10&recursive=TRUE&Fields=Genres,Overview&fields=People&Genres=A%7CB")
    query = Query(query)
    assert query.paging() == (5, 10)
    assert query.boolean("Recursive") is True
    assert query.csv("Fields") == ["Genres", "Overview", "People"]
    assert query.csv("Genres", "|") == ["A", "B"]
    for bad in ("StartIndex=-1", "Limit=10001", "Limit=ten", "Recursive=yes"):
        with pytest.raises(JellyfinError):
            q = Query(_request(bad))
            q.paging()
            q.boolean("Recursive")
