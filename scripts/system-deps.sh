#!/usr/bin/env bash
# Debian packages the platform needs beyond Python: Pango for WeasyPrint and Cairo for the charts of
# the editable reports (cairosvg) (run and test), LibreOffice Writer to open those reports, Chromium for
# the browser tests, poppler to look at PDFs, nginx and docker-compose to test the production proxy
# configuration (tests/security/test_deployment.py), Java and npm for the Nu HTML checker
# (tests/html/). Installs what is missing when it can (root + apt), otherwise says exactly what to
# install and fails. For the tests it then installs the checker itself (vnu-jar, pinned in
# package.json and package-lock.json) into node_modules/ with `npm ci`.
set -euo pipefail
purpose=${1:-test}
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core libcairo2)
if [ "$purpose" = "test" ]; then
  # LibreOffice (Writer, no GUI) opens the reports' editable versions (tests/reports/).
  packages+=(chromium poppler-utils nginx-light docker-compose default-jre-headless libreoffice-writer-nogui)
  # Node.js may come from elsewhere than Debian with its own npm: ask Debian's only when none is there.
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

# The Nu HTML checker from npm, once its Java and npm are there. --ignore-scripts: the package's
# install script would download a Java of its own; Debian's is used instead.
install_test_tools() {
  [ "$purpose" = "test" ] || return 0
  local root lock stamp
  root="$(cd "$(dirname "$0")/.." && pwd)"
  lock="$root/package-lock.json"
  stamp="$root/node_modules/.installed-$(cksum <"$lock" | cut -d' ' -f1)"
  [ -f "$stamp" ] && return 0
  echo "Installing the test tools from npm (package-lock.json): vnu-jar"
  (cd "$root" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  touch "$stamp"
}
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  install_test_tools
  exit 0
fi
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
install_test_tools
