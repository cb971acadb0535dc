"""Reading `flows/data/*.json` leniently: a bad file or entry is left out and reported.

Importing a module never fails on data. Each loader validates what it reads with
pydantic; when the whole file does not validate, it keeps the entries that do,
drops the others and returns one readable line per problem. `python -m bot check`
and the tests list those lines (`bot.check.data_problems`), so a 41-character
label is one line in the check, not a crash of every module that imports the
catalog.

`SP_ADVISOR_FLOWS_DATA_DIR` points the loaders at another copy of the files (the
tests use it to check broken data).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def data_dir() -> Path:
    configured = os.environ.get("SP_ADVISOR_FLOWS_DATA_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parent / "data"


def read_json(name: str, problems: list[str]) -> Any:
    """The parsed file, or None (and a problem line) when it is missing or not JSON."""
    path = data_dir() / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"{name}: missing")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        problems.append(f"{name}: cannot be read: {e}")
    return None


def _location(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(whole entry)"


def error_lines(where: str, error: ValidationError) -> list[str]:
    """One line per pydantic error: `where: location: message (input)`."""
    lines = []
    for e in error.errors():
        shown = repr(e.get("input"))
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        lines.append(f"{where}: {_location(e['loc'])}: {e['msg']} (got {shown})")
    return lines


def valid_entries(model: type[M], items: Any, where: str, problems: list[str]) -> list[M]:
    """The entries of `items` that validate as `model`; the others become problem lines."""
    if not isinstance(items, list):
        problems.append(f"{where}: expected a list")
        return []
    kept: list[M] = []
    for i, item in enumerate(items):
        entry_id = item.get("id") if isinstance(item, dict) else None
        label = f"{where}[{i}]" + (f" ({entry_id})" if isinstance(entry_id, str) else "")
        try:
            kept.append(model.model_validate(item))
        except ValidationError as e:
            problems += error_lines(label, e)
    return kept
