#!/usr/bin/env bash
# Builds locale_overrides/ro/LC_MESSAGES/django.po: Django's own Romanian messages corrected
# where they are wrong for us: cedilla ş ţ → comma-below ș ț, and month names in lower case
# ("26 noiembrie 2026", as Romanian writes dates). Run after upgrading Django; commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
DJANGO_PO=$(.venv/bin/python -c 'import django, pathlib; print(pathlib.Path(django.__file__).parent / "conf/locale/ro/LC_MESSAGES/django.po")')
OUT=locale_overrides/ro/LC_MESSAGES/django.po
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
msggrep --msgstr -e 'ş' -e 'ţ' -e 'Ş' -e 'Ţ' "$DJANGO_PO" -o "$TMP/cedilla.po"
msggrep -K -e '^\(January\|February\|March\|April\|May\|June\|July\|August\|September\|October\|November\|December\)$' \
  -e '^\(Jan\|Feb\|Mar\|Apr\|Jun\|Jul\|Aug\|Sep\|Oct\|Nov\|Dec\)\.\?$' \
  -e '^\(jan\|feb\|mar\|apr\|may\|jun\|jul\|aug\|sep\|oct\|nov\|dec\)$' "$DJANGO_PO" -o "$TMP/months.po"
msgcat --use-first scripts/romanian-overrides-extra.po "$TMP/cedilla.po" "$TMP/months.po" \
  -o "$TMP/all.po"
msgfilter -i "$TMP/all.po" -o "$TMP/fixed.po" sed -e 's/ş/ș/g; s/ţ/ț/g; s/Ş/Ș/g; s/Ţ/Ț/g'
msgfilter -i "$TMP/fixed.po" -o "$OUT" --keep-header sed -e '/^\(Ianuarie\|Februarie\|Martie\|Aprilie\|Mai\|Iunie\|Iulie\|August\|Septembrie\|Octombrie\|Noiembrie\|Decembrie\)$/s/./\L&/; /^\(Ian\|Feb\|Mar\|Apr\|Iun\|Iul\|Aug\|Sep\|Oct\|Noi\|Dec\)\.\?$/s/./\L&/'
echo "Wrote $OUT ($(grep -c '^msgid' "$OUT") entries)"
