#!/bin/sh
# Install the front-end files that folium and altair pages load from public CDNs into a
# gitignored cache, so the browser tests (tests/report/browser.py) can serve them offline.
# Usage: tests/report/install_browser_assets.sh [DEST]   (default: tests/_assets)
# Versions are the ones the pinned folium (0.20) and altair (6.x) emit in their <script>/<link>
# tags; tests/report/browser.py maps each CDN URL to these files and aborts anything else.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-"$here/../_assets"}
mkdir -p "$dest"
npm install --prefix "$dest" --no-audit --no-fund --silent --fetch-timeout=60000 --fetch-retries=3 \
    leaflet@1.9.3 \
    jquery@3.7.1 \
    bootstrap@5.2.2 \
    @fortawesome/fontawesome-free@6.2.0 \
    drmonty-leaflet-awesome-markers@2.0.2 \
    vega@6 \
    vega-lite@6.4.1 \
    vega-embed@7
echo "browser assets installed in $dest/node_modules"
