#!/usr/bin/env bash
# The browser the console's tests drive: Debian's headless-capable Chromium and its chromedriver.
#
#   ops/chromium.sh    installs the packages chromium and chromium-driver when either is missing
#                      (apt-get, as root), then prints the two paths: the browser, then the driver
#
# A browser that downloads itself (Selenium Manager, Puppeteer) does not work on these machines:
# Debian's packages are the one source. Exits non-zero with the reason when they cannot be installed.
set -euo pipefail

BROWSER=/usr/bin/chromium
DRIVER=/usr/bin/chromedriver

if [[ ! -x "$BROWSER" || ! -x "$DRIVER" ]]; then
  echo "chromium.sh: installing chromium and chromium-driver from Debian packages" >&2
  if [[ "$(id -u)" != 0 ]]; then
    echo "chromium.sh: need root to apt-get install chromium chromium-driver (or install them yourself)" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >&2
fi
if [[ ! -x "$BROWSER" || ! -x "$DRIVER" ]]; then
  echo "chromium.sh: $BROWSER or $DRIVER is missing after installing" >&2
  exit 1
fi
echo "$BROWSER"
echo "$DRIVER"
