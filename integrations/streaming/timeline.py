"""Where segments start and end: a short first segment (fast start), then fixed-length ones."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Timeline:
    duration: float
    segment: float = 6.0
    first: float = 2.0
    # A remux cuts only at source keyframes: a tail shorter than this joins the segment before it, as ffmpeg
    # does when no keyframe starts it (else the playlist would name a segment that never appears).
    min_tail: float = 0.0

    def count(self) -> int:
        if self.duration <= self.first:
            return 1
        count = 1 + math.ceil((self.duration - self.first) / self.segment - 1e-9)
        if count > 1 and self.duration - self.start(count - 1) < self.min_tail:
            count -= 1
        return count

    def start(self, number: int) -> float:
        return 0.0 if number == 0 else self.first + (number - 1) * self.segment

    def length(self, number: int) -> float:
        if number == self.count() - 1:
            return max(0.0, self.duration - self.start(number))
        return max(0.0, min(self.duration, self.start(number) + (self.first if number == 0 else self.segment))
                   - self.start(number))  # fmt: skip

    def index_at(self, seconds: float) -> int:
        if seconds < self.first:
            return 0
        return min(self.count() - 1, 1 + int((seconds - self.first) // self.segment))
