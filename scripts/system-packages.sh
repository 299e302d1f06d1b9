#!/usr/bin/env bash
# The Debian packages the project needs, installed when missing (as root, `apt-get update`
# first). `make run`, `make test` and .ci/run call it; without root it only reports.
#   chromium:          the staff pages are tested in a real headless browser.
#   curl:              `make run` waits for the servers with it.
#   fonts-dejavu-core: Vietnamese glyphs for printed queue tickets.
#   espeak-ng:         the robot's Vietnamese speech synthesis (pyttsx3's espeak driver).
#   nginx-light:       the load balancer of `make run-scaled` (tests/test_scaled.py starts it).
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v curl >/dev/null || missing+=(curl)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
command -v nginx >/dev/null || missing+=(nginx-light)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "system-packages: missing ${missing[*]} (install them as root with apt-get)" >&2
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
