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
)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts the packaged services; tests run their own instances on free ports.
for svc in mosquitto prometheus; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then sudo_ systemctl stop "$svc" || true; fi
done

"$root/scripts/fetch-native.sh"
