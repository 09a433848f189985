"""Event names and file kinds the library shares with other integrations."""

from typing import Final

DOMAIN: Final = "library"

EVENT_SCAN_PROGRESS: Final = "library.scan.progress"
EVENT_SCAN_FINISHED: Final = "library.scan.finished"
EVENT_METADATA_UPDATED: Final = "metadata.updated"
EVENT_LIBRARY_CHANGED: Final = "library.changed"

VIDEO_EXTENSIONS: Final = frozenset(
    {
        ".mkv", ".mp4", ".m4v", ".avi", ".mov", ".wmv", ".ts", ".m2ts", ".mts", ".webm", ".mpg", ".mpeg",
        ".flv", ".ogv", ".3gp", ".vob", ".divx",
    }
)  # fmt: skip
AUDIO_EXTENSIONS: Final = frozenset(
    {
        ".mp3", ".flac", ".m4a", ".m4b", ".aac", ".ogg", ".oga", ".opus", ".wav", ".wma", ".aiff", ".aif",
        ".ape", ".wv", ".mka",
    }
)  # fmt: skip

# Folders that never hold a library's media (NAS and OS bookkeeping).
SYSTEM_FOLDERS: Final = frozenset(
    {"@eadir", "#recycle", "$recycle.bin", "system volume information", "lost+found", ".trash", ".trashes"}
)

# Disc structures: their stream files are not separate titles. Played as discs in a later version.
DISC_FOLDERS: Final = frozenset({"bdmv", "video_ts", "audio_ts"})
