"""integrations.local_metadata external subtitles: which files belong to a media file and what their names say."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.local_metadata.subtitles import find_external_subtitles, language_code
from plugin_sdk.media import StreamInfo


def subtitle(path: Path, codec: str = "subrip", **fields: object) -> StreamInfo:
    return StreamInfo(index=-1, type="subtitle", codec=codec, is_external=True, path=str(path), **fields)


def test_subtitles_beside_a_movie(tmp_path):
    folder = tmp_path / "Movies" / "Movie (2000)"
    folder.mkdir(parents=True)
    names = [
        "Movie.mkv",
        "Movie.en.srt",
        "Movie.fr.forced.srt",
        "Movie.English.sdh.srt",
        "Movie.srt",
        "Other.en.srt",  # another file's
        "Movie 2.en.srt",  # "Movie 2" is not "Movie"
        "Movie.en.txt",  # not a subtitle extension
        "Movie.nfo",
        "Movie.pt-BR.default.ass",
        "Movie.ger.cc.SSA",
        "Movie.eng.Commentary.vtt",
        "Movie.zh.sup",
        "Movie.hi.sub",
    ]
    for name in names:
        (folder / name).touch()
    (folder / "Movie.de.srt").mkdir()  # a folder, not a file
    assert find_external_subtitles(str(folder / "Movie.mkv")) == [
        subtitle(folder / "Movie.English.sdh.srt", language="eng", is_hearing_impaired=True),
        subtitle(folder / "Movie.en.srt", language="eng"),
        subtitle(folder / "Movie.eng.Commentary.vtt", codec="webvtt", language="eng", title="Commentary"),
        subtitle(folder / "Movie.fr.forced.srt", language="fre", is_forced=True),
        subtitle(folder / "Movie.ger.cc.SSA", codec="ssa", language="ger", is_hearing_impaired=True),
        subtitle(folder / "Movie.hi.sub", codec="sub", is_hearing_impaired=True),
        subtitle(folder / "Movie.pt-BR.default.ass", codec="ass", language="por", is_default=True),
        subtitle(folder / "Movie.srt"),
        subtitle(folder / "Movie.zh.sup", codec="pgssub", language="chi"),
    ]


def test_no_subtitles_and_missing_folder(tmp_path):
    (tmp_path / "Movie.mkv").touch()
    assert find_external_subtitles(str(tmp_path / "Movie.mkv")) == []
    assert find_external_subtitles(str(tmp_path / "missing" / "Movie.mkv")) == []


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("en", "eng"),
        ("fr", "fre"),
        ("FR", "fre"),
        ("fre", "fre"),
        ("fra", "fre"),
        ("French", "fre"),
        ("german", "ger"),
        ("spa", "spa"),
        ("pt-BR", "por"),
        ("zh_Hans", "chi"),
        ("und", None),
        ("xx", None),
        ("the", None),  # an ISO 639-3 code, but not 639-2: too easily a word
        ("Even", None),  # the name of a minor language: not taken
        ("commentary", None),
        ("", None),
    ],
)
def test_language_codes(token, expected):
    assert language_code(token) == expected
