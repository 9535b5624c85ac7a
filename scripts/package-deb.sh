#!/usr/bin/env bash
# Builds a Debian package with dpkg-deb: the self-contained daemon under /usr/lib/streamwatch,
# `streamwatch` on PATH, /etc/streamwatch/streamwatch.json (a conffile: kept on upgrade),
# state in /var/lib/streamwatch, the systemd unit and the system user `streamwatch`.
#   scripts/package-deb.sh [OUT_DIR]     (default: dist/) prints the .deb's path last
# Install: docs/install.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
scripts/fetch-native.sh
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
lib="$stage/usr/lib/streamwatch"
echo "package-deb: publishing a self-contained linux-x64 build"
dotnet publish src/StreamWatch -c Release -r linux-x64 --self-contained -v q -nologo -o "$lib"
rm -f "$lib"/*.pdb
mkdir -p "$lib/native/qwen3"
cp native/libonnxruntime.so.1 "$lib/native/" && ln -s libonnxruntime.so.1 "$lib/native/libonnxruntime.so"
cp native/qwen3/tokenizer.json "$lib/native/qwen3/"
version="$("$lib/streamwatch" --version | awk '{print $2}')"

install -d "$stage/usr/bin" "$stage/etc/streamwatch" "$stage/lib/systemd/system" "$stage/usr/share/doc/streamwatch" "$stage/DEBIAN"
ln -s ../lib/streamwatch/streamwatch "$stage/usr/bin/streamwatch"
install -m 0640 packaging/deb/streamwatch.json "$stage/etc/streamwatch/streamwatch.json"
install -m 0644 systemd/streamwatch.service "$stage/lib/systemd/system/streamwatch.service"
install -m 0644 config/streamwatch.example.json docs/install.md "$stage/usr/share/doc/streamwatch/"
install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$stage/DEBIAN/"
echo /etc/streamwatch/streamwatch.json > "$stage/DEBIAN/conffiles"
size="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" packaging/deb/control > "$stage/DEBIAN/control"

deb="$out/streamwatch_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zgzip -z1 --build "$stage" "$deb" >/dev/null
echo "$deb"
