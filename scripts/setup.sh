#!/usr/bin/env bash
# Installs everything StreamWatch and its tests need, idempotently.
#   scripts/setup.sh            apt packages + native libraries + tokenizer
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_pkgs=(
  ffmpeg                        # decodes every camera
  mosquitto                     # test broker (tests start their own on a free port)
  mosquitto-clients
  prometheus                    # promtool and a real Prometheus for the tests
  libgtk-3-0                    # OpenCvSharp4's native library links it
  openssl
  python3-gi                    # the GStreamer RTSP test server
  gir1.2-gst-rtsp-server-1.0
  gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad
  systemd
  chromium                      # the web UI's browser tests (Playwright drives it by path)
  etcd-server                   # cluster coordination (Cluster:Enabled); tests start their own etcd on free ports
  postgresql                    # shared event store (Store:Provider=postgres); tests start their own server on free ports
)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing with apt-get: ${missing[*]}"
  # Services the user runs are left alone: tests start their own mosquitto and prometheus on free ports.
  echo "setup: (Debian may start the mosquitto, prometheus, etcd and postgresql services it installs; the tests do not use them)"
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$root/scripts/fetch-native.sh"
