"""Only what pyproject.toml cannot say: the translations travel inside the package.

The catalogs live in `locales/` at the top of the repository (where translators
and `locales/update.sh` expect them); a wheel would leave them out, and a French
speaker would get English. This copies the template and every `.po` into
`flows/locales/` of the build. They are compiled in memory on first use
(`flows/i18n.py`, ~20 ms per language), so no `.mo` file is ever made or
committed and the build needs nothing but setuptools.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            # An editable install reads the checkout's locales/ directly.
            return
        source = ROOT / "locales"
        target = Path(self.build_lib) / "flows" / "locales"
        files = [source / "messages.pot", *sorted(source.glob("*/LC_MESSAGES/messages.po"))]
        if len(files) < 2 or not files[0].exists():
            raise SystemExit("locales/ is missing: build from a full checkout or sdist")
        for path in files:
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)


setup(cmdclass={"build_py": BuildWithCatalogs})
