"""Operator commands that work on the data folder: `report`, `backup`, `rotate-key`."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.report import build_report, write_report
from bot.runtime import Runtime
from bot.settings import Settings


async def run_report(settings: Settings, out: Path | None) -> int:
    runtime = await Runtime.open(settings)
    try:
        report = await build_report(runtime.store, runtime.advisor.engine)
    finally:
        await runtime.close()
    path = out or Path(report.filename)
    write_report(report, path)
    print(report.summary)
    print(f"Written: {path}", file=sys.stderr)
    return 0
