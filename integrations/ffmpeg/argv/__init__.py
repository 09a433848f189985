"""The argv pieces every transcoder backend shares: request validation, input and stream mapping, audio, rate
control, keyframes, subtitle burn-in and the HLS output.

Rules that hold for every argv built here:

* It is a list handed to exec (never a shell): a path with spaces or quotes is one element and stays one.
* Every value that reaches it is typed and checked first (`validate_request`): codecs, profiles and levels come
  from fixed tables, numbers are ints or finite floats inside bounds, paths are absolute and free of control
  characters. A bad field raises ValueError naming the field ("video.level: ...").
* Numbers are formatted here from validated numbers (`format_seconds`), never copied from request strings.
* Absolute paths also rule out ffmpeg protocol prefixes ("concat:", "http://", "subfile,") and option look-alikes
  ("-i"): a path starting with "/" is always read by the file protocol.

Modules: `allowed` (the fixed tables and bounds values are checked against), `fields` (checking and formatting
one value), `validation` (a whole TranscodeRequest, `validate_request`), `segmenting` (segment length and forced
keyframes), `command` (the argv options: input, encode, audio, HLS output, `assemble`), `filters` (video filter
chains: subtitle burn-in, the video mapping around a backend's filters, software tone mapping).
"""
