#!/usr/bin/env bash
# Re-extract every user-facing string and merge it into each catalog.
# Then translate what is new; the tests fail on anything missing or fuzzy.
# The languages are THE list in flows/i18n.py (SHIPPED); English is the message ids.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
langs=$(PYTHONPATH=. "$py" -c \
  'from flows.i18n import DEFAULT, SHIPPED; print(" ".join(c for c in SHIPPED if c != DEFAULT))')
PYTHONPATH=. "$py" -m babel.messages.frontend extract -F babel.cfg -k NP_:1,2 \
  --no-location --sort-output --omit-header -o locales/messages.pot .
for lang in $langs; do
  po=locales/$lang/LC_MESSAGES/messages.po
  if [ -f "$po" ]; then
    "$py" -m babel.messages.frontend update -i locales/messages.pot -d locales -l "$lang" \
      --no-fuzzy-matching --ignore-obsolete
  else
    "$py" -m babel.messages.frontend init -i locales/messages.pot -d locales -l "$lang"
  fi
done
