#!/usr/bin/env bash
# Installs the Debian packages edition needs, only those that are missing.
# Idempotent and quick when everything is there. Run by `make edition` / `make test`.
set -euo pipefail

# poppler-utils: pdftotext/pdftoppm, to read PDFs back in tests and benchmarks.
PACKAGES=(poppler-utils
  chromium  # headless browser for tests/browser and bench/render_html (playwright drives it; never `playwright install`)
  # WeasyPrint (the PDF edition) draws text with Pango and subsets fonts with HarfBuzz
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1
  fonts-ebgaramond  # the book typeface of the PDF (EB Garamond, SIL Open Font License)
  fonts-dejavu-core # fallback for signs EB Garamond lacks (arrows, carets)
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing Debian packages: ${missing[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: no apt-get (the set-up is for Debian 12): install by hand: ${missing[*]}" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: need root to install: ${missing[*]} (apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || {
  echo "setup: apt-get update failed (see above); check the network to the Debian mirror" >&2; exit 1; }
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
  echo "setup: cannot install the Debian packages ${missing[*]} (see above)" >&2; exit 1; }
