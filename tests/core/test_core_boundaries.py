"""The core stays domain-free: media vocabulary belongs in integrations and the SDK."""

import re
from pathlib import Path

CORE = Path(__file__).parents[2] / "core"
MEDIA_WORDS = re.compile(
    r"\b(media(?!-src)|movies?|films?|episodes?|series|seasons?|transcod\w*|subtitles?|jellyfin|librar(y|ies)|music|"
    r"albums?|tracks?|artists?|tmdb|videos?|audio|playback|ffmpeg)\b",
    re.IGNORECASE,
)


def test_core_has_no_media_vocabulary():
    hits = [
        f"{path.relative_to(CORE.parent)}:{number}: {line.strip()}"
        for path in sorted(CORE.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if MEDIA_WORDS.search(line)
    ]
    assert hits == []
