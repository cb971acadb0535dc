#!/usr/bin/env bash
# Re-extract every user-facing string and merge it into each catalog.
# Then translate what is new; the tests fail on anything missing or fuzzy.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
PYTHONPATH=. "$py" -m babel.messages.frontend extract -F babel.cfg -k NP_:1,2 \
  --no-location --sort-output --omit-header -o locales/messages.pot .
for lang in fr es ar zh ru; do
  po=locales/$lang/LC_MESSAGES/messages.po
  if [ -f "$po" ]; then
    "$py" -m babel.messages.frontend update -i locales/messages.pot -d locales -l "$lang" \
      --no-fuzzy-matching --ignore-obsolete
  else
    "$py" -m babel.messages.frontend init -i locales/messages.pot -d locales -l "$lang"
  fi
done
