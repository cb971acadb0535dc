"""Babel extraction method for the catalog's JSON files (see babel.cfg).

Yields every user-facing msgid in `flows/data/*.json`: mandate `description`,
situation `label`, link `reason`, fact `text`, and the Learn cards' topic `title`, card
`title` and card `text`, with the line it is on and a comment telling translators what
it is. Other JSON files yield nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

# Babel's extraction result: (lineno, funcname, message, comments).
Extracted = tuple[int, str | None, str, list[str]]

_FIELD = re.compile(r'"(description|label|reason|text|title)"\s*:\s*("(?:[^"\\]|\\.)*")')


def _wanted(doc: Any) -> Iterator[tuple[str, str, str]]:
    """(field, msgid, translator comment) in document order."""
    if not isinstance(doc, dict):
        return
    for m in doc.get("mandates", []):
        yield "description", m["description"], f"Mandate {m['id']}: what it covers (one line)."
    for s in doc.get("situations", []):
        yield "label", s["label"], f"Situation {s['id']}: button label, at most 40 characters."
        for link in s.get("links", []):
            yield (
                "reason",
                link["reason"],
                f"Situation {s['id']} -> mandate {link['mandate']}: why this expert fits.",
            )
    for f in doc.get("facts", []):
        names = ", ".join("{" + k + "}" for k in f.get("values", {}))
        keep = f" Keep the placeholders {names} unchanged." if names else ""
        yield "text", f["text"], f"Fact {f['id']}.{keep}"
    # flows/data/cards.json: the Learn topics and cards.
    for topic in doc.get("topics", []):
        yield "title", topic["title"], f"Learn topic {topic['id']}: button label, keep it short."
    for card in doc.get("cards", []):
        yield (
            "title",
            card["title"],
            f"Learn card {card['id']} (topic {card['topic']}): the card's title, keep it short.",
        )
        names = ", ".join("{" + k + "}" for k in card.get("values", {}))
        keep = f" Keep the placeholders {names} unchanged." if names else ""
        yield (
            "text",
            card["text"],
            f"Learn card {card['id']}: one chat message; keep it under 1,200 characters, "
            f"with its line breaks and bullets.{keep}",
        )


def extract_data(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Babel extraction method: `flows.extract:extract_data`."""
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    lines: dict[tuple[str, str], list[int]] = {}
    for match in _FIELD.finditer(source):
        key = (match.group(1), json.loads(match.group(2)))
        lines.setdefault(key, []).append(source.count("\n", 0, match.start()) + 1)
    for field_name, msgid, comment in _wanted(json.loads(source)):
        found = lines.get((field_name, msgid))
        lineno = found.pop(0) if found else 0
        yield lineno, None, msgid, [comment]
