"""Dates: how many of the 66 everyday forms (tests/flows/dates_everyday.py) are read.

Run from the repository root: `python bench/dates.py`. Prints the figure, then each
form not read as the date it means.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.flows.dates_everyday import FORMS, misread  # noqa: E402


def main() -> None:
    wrong = misread()
    print(f"everyday date forms read: {len(FORMS) - len(wrong)} / {len(FORMS)}")
    for lang, text, meant, read in wrong:
        print(f"  {lang}  {text!r}: meant {meant}, read {read}")


if __name__ == "__main__":
    main()
