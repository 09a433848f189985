"""Names the trickplay integration shares: its domain and the events it fires."""

from typing import Final

DOMAIN: Final = "trickplay"

# A source's sheets are written and its manifest rows saved: {source_id, item_id, library_id, widths,
# thumbnail_count, sheet_count, seconds}.
EVENT_READY: Final = "trickplay.ready"
# A source got no sheets: {source_id, item_id, library_id, status: skipped | failed, reason}.
EVENT_SKIPPED: Final = "trickplay.skipped"
# After a scan: how many sources of the library were put in the queue, {library_id, sources}.
EVENT_QUEUED: Final = "trickplay.queued"
