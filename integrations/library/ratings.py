"""Parental ratings as comparable levels (US film/TV and common European labels), in Python and in SQL."""

from __future__ import annotations

import re

from plugin_sdk.auth import Principal

LEVELS: dict[str, int] = {
    "G": 0, "TV-Y": 0, "TV-G": 0, "U": 0, "FSK 0": 0, "FSK-0": 0, "0": 0,
    "TV-Y7": 7, "PG": 7, "TV-PG": 7, "FSK 6": 6, "FSK-6": 6, "6": 6, "7": 7,
    "PG-13": 13, "TV-14": 14, "12": 12, "12A": 12, "FSK 12": 12, "FSK-12": 12, "13": 13,
    "R": 17, "TV-MA": 17, "15": 15, "16": 16, "FSK 16": 16, "FSK-16": 16, "17": 17,
    "NC-17": 18, "18": 18, "R18": 18, "X": 18, "FSK 18": 18, "FSK-18": 18,
}  # fmt: skip
_CLEAN = re.compile(r"^(?:[A-Z]{2}[-:])?\s*", re.IGNORECASE)  # "US:PG-13", "DE-FSK 12"


def rating_level(rating: str | None) -> int | None:
    if not rating:
        return None
    return LEVELS.get(_CLEAN.sub("", rating.strip()).upper())


def level_sql(column: str) -> str:
    """A CASE expression giving the level of `column` (NULL when unknown), the same table as rating_level."""
    cases = " ".join(f"WHEN '{label}' THEN {level}" for label, level in LEVELS.items())
    return f"(CASE UPPER({column}) {cases} ELSE NULL END)"


def access_clause(principal: Principal | None, alias: str = "i") -> tuple[str, list[object]]:
    """WHERE fragment limiting items to what a user may see: their libraries and their rating ceiling."""
    if principal is None:
        return "", []
    parts: list[str] = []
    params: list[object] = []
    if principal.library_ids is not None:
        if not principal.library_ids:
            return "1 = 0", []
        parts.append(f"{alias}.library_id IN ({', '.join('?' * len(principal.library_ids))})")
        params.extend(sorted(principal.library_ids))
    if principal.max_parental_rating is not None:
        level = level_sql(f"{alias}.official_rating")
        unrated = "FALSE" if principal.block_unrated else "TRUE"
        parts.append(f"(({level}) <= ? OR (({level}) IS NULL AND {unrated}))")
        params.append(principal.max_parental_rating)
    return " AND ".join(parts), params


def may_see(principal: Principal | None, item: dict[str, object]) -> bool:
    if principal is None:
        return True
    if not principal.may_see_library(str(item["library_id"])):
        return False
    if principal.max_parental_rating is None:
        return True
    level = rating_level(item.get("official_rating"))  # type: ignore[arg-type]
    return (not principal.block_unrated) if level is None else level <= principal.max_parental_rating
