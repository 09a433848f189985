"""Events the playstate integration fires; other integrations listen to them by these names.

- `playback.state.changed`: {user_id, exclude_device_id, item_id, library_id, user_data}: a user's watch state
  for an item changed (sent to that user's other devices).
- `playback.stopped`: {user_id, device_id, item_id, play_session_id}: a player reported that it stopped.
  `play_session_id` is the streaming session it names, or None; streaming ends that session's transcodes, or
  else those of the same device and item.
"""

EVENT_STATE_CHANGED = "playback.state.changed"
EVENT_PLAYBACK_STOPPED = "playback.stopped"
