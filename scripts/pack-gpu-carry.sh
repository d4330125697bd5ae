#!/usr/bin/env bash
# Packs what scripts/gpu-check.sh needs on a GPU machine that has no network into .gpu-carry/
# (git-ignored), in three parts that each travel with the device tool's `carry` (64 MiB a call):
#   .gpu-carry/node/node.tar.xz        this node binary, stripped                       (~21 MB)
#   .gpu-carry/runtime/runtime.tar.xz  node_modules without onnxruntime-node 1.30, the
#                                      TypeScript compiler and other platforms' builds    (~29 MB)
#   .gpu-carry/runtime/typescript.tar.xz  TypeScript's compiler API and lib files        (~3 MB)
#   .gpu-carry/cuda/cuda.tar.xz        the pinned CUDA provider, its cubins trimmed to
#                                      sm_90 (H100/H200), with a marker of its SHA-256     (~37 MB)
# Needs `npm run setup:cuda` first (the provider is taken from where it placed it, SHA-256 checked).
# Usage: scripts/pack-gpu-carry.sh [arch, default 90]
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-90}
# PACK_ONLY=runtime repacks one part (the others are kept when present).
only=${PACK_ONLY:-}
carry=.gpu-carry
lib=node_modules/onnxruntime-node-cuda/bin/napi-v6/linux/x64
xzc() { xz --x86 --lzma2=preset=9e,dict=64MiB -T1 -c; }

[ -f "$lib/libonnxruntime_providers_cuda.so" ] || { echo "pack-gpu-carry: run npm run setup:cuda first" >&2; exit 66; }
node bin/hourglass.js doctor --json >/dev/null # fails loudly if the install is broken
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$carry"/node "$carry"/runtime "$carry"/cuda

# 1. node
if [ -z "$only" ] || [ "$only" = node ]; then
mkdir -p "$work/node/node/bin"
cp "$(command -v node)" "$work/node/node/bin/node"
strip "$work/node/node/bin/node" 2>/dev/null || true
tar -C "$work/node" -cf - node | xzc >"$carry/node/node.tar.xz"
fi

# 2. node_modules: the CLI, tsx and vitest (not the browser's and the JS peers' packages); only onnxruntime-node 1.29's linux/x64 build, without
#    the provider libraries (part 3 has them).
if [ -z "$only" ] || [ "$only" = runtime ]; then
tar -cf - \
  --exclude=node_modules/onnxruntime-node \
  --exclude=node_modules/typescript \
  --exclude=node_modules/@types \
  --exclude=node_modules/.cache \
  --exclude=node_modules/@tensorflow \
  --exclude=node_modules/core-js \
  --exclude=node_modules/onnxruntime-web \
  --exclude=node_modules/playwright-core \
  --exclude='node_modules/onnxruntime-node-cuda/bin/napi-v6/darwin' \
  --exclude='node_modules/onnxruntime-node-cuda/bin/napi-v6/win32' \
  --exclude='node_modules/onnxruntime-node-cuda/bin/napi-v6/linux/arm64' \
  --exclude="$lib/libonnxruntime_providers_*" \
  --exclude="$lib/hourglass-cuda-provider.json" \
  node_modules | xzc >"$carry/runtime/runtime.tar.xz"

# 2b. TypeScript, which the CLI's spec loader imports: the compiler API and lib files only.
tar -cf - --exclude='node_modules/typescript/lib/_ts*.js' --exclude='node_modules/typescript/lib/??' \
  --exclude='node_modules/typescript/lib/??-??' node_modules/typescript | xzc >"$carry/runtime/typescript.tar.xz"
fi
[ -n "$only" ] && [ "$only" != cuda ] && { du -b "$carry"/*/*.tar.xz; exit 0; }

# 3. the provider, trimmed to one architecture, and a marker with the trimmed build's SHA-256
mkdir -p "$work/cuda/$lib"
npx tsx scripts/trim-fatbin.ts "$lib/libonnxruntime_providers_cuda.so" "$work/cuda/$lib/libonnxruntime_providers_cuda.so" "$arch"
cp "$lib/libonnxruntime_providers_shared.so" "$work/cuda/$lib/"
cuda_sha=$(sha256sum "$work/cuda/$lib/libonnxruntime_providers_cuda.so" | cut -d' ' -f1)
shared_sha=$(sha256sum "$work/cuda/$lib/libonnxruntime_providers_shared.so" | cut -d' ' -f1)
cat >"$work/cuda/$lib/hourglass-cuda-provider.json" <<JSON
{
  "package": "com.github.asus4.onnxruntime.linux-x64-gpu",
  "version": "0.4.9",
  "trimmedTo": "sm_$arch",
  "files": {
    "libonnxruntime_providers_shared.so": "$shared_sha",
    "libonnxruntime_providers_cuda.so": "$cuda_sha"
  }
}
JSON
tar -C "$work/cuda" -cf - node_modules | xzc >"$carry/cuda/cuda.tar.xz"

du -b "$carry"/*/*.tar.xz
echo "pack-gpu-carry: done; see docs/cuda.md (GPU check) for the two device calls" >&2
