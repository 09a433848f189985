"""Full-text candidates with typo and substring tolerance: FTS5 trigram on SQLite, pg_trgm on PostgreSQL."""

from __future__ import annotations

import re

from core.storage import Database

MAX_CANDIDATES = 1000
SIMILARITY = 0.4  # stricter than pg_trgm's 0.3, which let "marmalade" match "made"
FUZZY_WHEN_FEWER_THAN = 20  # typo tolerance is for searches that found little by substring
FUZZY_CANDIDATES = 200


def trigrams(text: str) -> set[str]:
    """pg_trgm-style trigrams: per word, padded with two spaces in front and one behind."""
    grams: set[str] = set()
    for word in re.findall(r"\w+", text.casefold()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(term: str, text: str) -> float:
    """The best trigram similarity between the term and any run of words in `text` of the same length."""
    query = trigrams(term)
    if not query:
        return 0.0
    words = re.findall(r"\w+", text.casefold())
    span = max(1, len(re.findall(r"\w+", term)))
    best = 0.0
    for start in range(max(1, len(words) - span + 1)):
        window = trigrams(" ".join(words[start : start + span]))
        if window:
            best = max(best, len(query & window) / len(query | window))
    return best


async def candidates(db: Database, term: str) -> dict[str, float]:
    """item id -> relevance (2 for a substring hit, else the similarity) for items matching `term`."""
    term = term.strip()
    if not term:
        return {}
    if db.dialect == "postgresql":
        # pg_trgm's GIN index finds the candidates; the same scoring as on SQLite decides.
        rows = await db.fetch_all(
            "SELECT item_id, document FROM item_search WHERE document ILIKE ? OR word_similarity(?, document) >= ? "
            "LIMIT ?",
            (f"%{_like(term)}%", term, SIMILARITY, MAX_CANDIDATES),
        )
        return _score(term, rows)
    if len(term) < 3:  # below the trigram size: prefix match on names
        rows = await db.fetch_all(
            "SELECT id AS item_id FROM items WHERE name LIKE ? ESCAPE '\\' LIMIT ?", (f"{_like(term)}%", MAX_CANDIDATES)
        )
        return {row["item_id"]: 2.0 for row in rows}
    phrase = '"' + term.replace('"', '""') + '"'
    scores = {
        row["item_id"]: 2.0
        for row in await db.fetch_all(
            "SELECT item_id FROM item_search WHERE item_search MATCH ? LIMIT ?", (phrase, MAX_CANDIDATES)
        )
    }
    grams = [g for g in trigrams(term) if len(g.strip()) == 3]
    if grams and len(scores) < FUZZY_WHEN_FEWER_THAN:
        any_gram = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)
        rows = await db.fetch_all(
            "SELECT item_id, document FROM item_search WHERE item_search MATCH ? ORDER BY rank LIMIT ?",
            (any_gram, FUZZY_CANDIDATES),
        )
        scores.update({k: v for k, v in _score(term, rows).items() if k not in scores})
    return scores


def _score(term: str, rows: list[dict[str, str]]) -> dict[str, float]:
    folded = term.casefold()
    scores: dict[str, float] = {}
    for row in rows:
        document = row["document"] or ""
        # Typos are forgiven in titles and names, not in the overview (too many near-misses in prose).
        titles = document.split("\n", 1)[0] + " " + document.rsplit("\n", 1)[-1]
        score = 2.0 if folded in document.casefold() else similarity(term, titles)
        if score >= SIMILARITY:
            scores[row["item_id"]] = score
    return scores


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
