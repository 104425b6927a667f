#!/usr/bin/env bash
# Debian packages the platform needs beyond Python: Pango for WeasyPrint (run and test), Chromium for
# the browser tests, poppler to look at PDFs, nginx and docker-compose to test the production proxy
# configuration (tests/security/test_deployment.py). Installs what is missing when it can (root + apt),
# otherwise says exactly what to install and fails.
set -euo pipefail
purpose=${1:-test}
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [ "$purpose" = "test" ]; then
  packages+=(chromium poppler-utils nginx-light docker-compose)
fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  if [ "$purpose" = "run" ]; then
    echo "Note: install Pango (WeasyPrint's dependency) to produce PDF reports: ${missing[*]}" >&2
    exit 0
  fi
  echo "Missing system packages (not a Debian/Ubuntu machine): ${missing[*]}" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "Missing system packages; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "Installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
