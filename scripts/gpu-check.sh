#!/usr/bin/env bash
# The GPU check: one prepared run on a borrowed GPU machine (NVIDIA driver, CUDA 13 libraries
# from NVIDIA's Python wheels, PyTorch with CUDA; no network). Everything else travels in
# .gpu-carry/ (scripts/pack-gpu-carry.sh builds it; docs/cuda.md has the two device calls).
#   scripts/gpu-check.sh unpack   unpack what travelled and say what the machine has (seconds)
#   scripts/gpu-check.sh          the check: doctor, the CUDA tests, the VAE trained on CUDA and
#                                 on the CPU (held-out losses compared), the GPU benchmark
#   scripts/gpu-check.sh speed    the speed part only (issue 25, one device call under 8 minutes):
#                                 doctor, bench/gpu.ts, the fused-graph variants (bench/gpuVariants.ts:
#                                 current Loop, noise drawn ahead in a worker, k steps per iteration,
#                                 training set resident, with the
#                                 per-call split of JavaScript preparation vs run) and torch's three
#                                 modes, batch 128 and 1024
# Results: $OUT (or .gpu-out/), eight files (speed: five, with bench-variants.json) (what the device tool brings back): gpu-check.log,
# doctor.json, tests.log, train-dev.log, train-ref.log, bench-hourglass.json, bench-torch.json,
# summary.md. The training runs themselves stay in /tmp/hourglass-gpu-check.
# GPU_CHECK_DRY=1 rehearses the whole script on a machine without a GPU: the CPU stands in for CUDA,
# the runs are short and PyTorch runs eager on the CPU (what a rehearsal checks is the script itself).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/.gpu-out}
mkdir -p "$OUT"
log() { echo "[gpu-check $(date -u +%H:%M:%S)] $*" | tee -a "$OUT/gpu-check.log" >&2; }
root=.gpu-carry/root
runs=/tmp/hourglass-gpu-check
mkdir -p "$root" "$runs"

# Unpack each archive that travelled, once (a warm machine keeps what an earlier call unpacked).
for a in .gpu-carry/*/*.tar.xz; do
  [ -f "$a" ] || continue
  stamp="$root/.$(basename "$a").$(stat -c %s "$a")"
  [ -f "$stamp" ] && continue
  case $(basename "$a") in node.tar.xz) dest=$root ;; *) dest=. ;; esac
  log "unpacking $a"
  tar -xJf "$a" -C "$dest" && touch "$stamp" || { log "cannot unpack $a"; exit 65; }
done
[ -x "$root/node/bin/node" ] && export PATH="$PWD/$root/node/bin:$PATH"
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  log "no node >= 20: carry .gpu-carry/node"; exit 69
fi
log "node $(node -v); nvidia-smi: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | head -1)"
[ -d node_modules/onnxruntime-node-cuda ] || { log "node_modules missing: carry .gpu-carry/runtime"; exit 69; }
[ "${1:-}" = unpack ] && { log "unpacked; now run scripts/gpu-check.sh with .gpu-carry/cuda carried"; exit 0; }
[ -n "${GPU_CHECK_DRY:-}" ] || [ -f node_modules/onnxruntime-node-cuda/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so ] || { log "the CUDA provider is missing: carry .gpu-carry/cuda"; exit 69; }

# Only onnxruntime-node 1.29 travels: every process (CPU runs included) uses it.
export HOURGLASS_BINDING=cuda CI=1
hg() { node bin/hourglass.js "$@"; }
ld=$(hg doctor --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{process.stdout.write(JSON.parse(s).ldLibraryPath??"")}catch{}})')
[ -n "$ld" ] && export LD_LIBRARY_PATH=$ld && log "LD_LIBRARY_PATH=$ld"
hg doctor --json >"$OUT/doctor.json" 2>>"$OUT/gpu-check.log"
hg doctor 2>&1 | tee -a "$OUT/gpu-check.log" >&2
ready=$(node -p 'require(process.argv[1]).cuda.ready' "$OUT/doctor.json" 2>/dev/null)
dry=${GPU_CHECK_DRY:-}
speed=; [ "${1:-}" = speed ] && speed=1
P=cuda epochs=3 steps=512
batches=128,1024 fuses=1,16,64,256
variant_args=(--batches 128,1024 --fuse 64 --calls 8 --reps 3 --variants loop,ahead,k4,k16,resident,resident+k16)
[ -n "$speed" ] && { steps=256 fuses=1,16,64; }
[ -n "$dry" ] && { P=cpu epochs=1 steps=32 batches=128 fuses=1,16; variant_args=(--batches 128 --fuse 16 --calls 2 --reps 1 --variants loop,ahead,k4,k16,resident); log "dry run: cpu stands in for cuda"; }
[ "$ready" = true ] || [ -n "$dry" ] || { log "--provider cuda is not ready (the doctor above says why); stopping"; exit 69; }

status=0
if [ -z "$speed" ]; then
log "tests: the CUDA subset"
timeout 240 node node_modules/vitest/vitest.mjs run test/cuda.gpu.test.ts test/cuda.stub.test.ts test/providers.test.ts test/fatbin.test.ts >"$OUT/tests.log" 2>&1 || { status=1; log "tests FAILED (tests.log)"; }
grep -E "Tests|placement off CUDA" "$OUT/tests.log" | tee -a "$OUT/gpu-check.log" >&2

log "training the VAE, $epochs epochs, on $P and on the CPU"
for run in dev:$P ref:cpu; do
  name=${run%%:*} p=${run#*:}
  rm -rf "$runs/run-$name"
  ( time timeout 240 node bin/hourglass.js train examples/vae.ts --data mnist --epochs $epochs --batch 128 --fuse 64 --seed 7 --provider $p --out "$runs/run-$name" --no-typecheck ) >"$OUT/train-$name.log" 2>&1 || { status=1; log "training on $p FAILED (train-$name.log)"; }
  tail -n 6 "$OUT/train-$name.log" | tee -a "$OUT/gpu-check.log" >&2
done
node -e '
const fs = require("fs");
const last = (p) => JSON.parse(fs.readFileSync(p, "utf8").trim().split("\n").pop());
const [g, c] = ["dev", "ref"].map((p) => last(`${process.argv[1]}/run-${p}/metrics.jsonl`));
const [a, b] = [g.heldOut?.loss ?? g.held_out?.loss, c.heldOut?.loss ?? c.held_out?.loss];
const rel = Math.abs(a - b) / Math.abs(b);
console.log(`held-out loss after ${g.epoch} epochs: device ${a} cpu ${b} relative difference ${rel.toExponential(2)} (${rel < 1e-2 ? "within" : "OUTSIDE"} 1e-2)`);
process.exit(rel < 1e-2 ? 0 : 1);' "$runs" 2>&1 | tee -a "$OUT/gpu-check.log" >&2 || status=1
fi

log "benchmark: Hourglass on $P (single steps and fused chunks)"
timeout $([ -n "$speed" ] && echo 120 || echo 200) node node_modules/tsx/dist/cli.mjs bench/gpu.ts --provider $P --batches $batches --fuse $fuses --steps $steps --reps 5 >"$OUT/bench-hourglass.json" 2>>"$OUT/gpu-check.log" || { status=1; log "Hourglass bench FAILED"; }
log "benchmark: the fused-graph variants on $P (Loop, k steps per iteration, resident training set; JS preparation vs run per call)"
timeout 150 node node_modules/tsx/dist/cli.mjs bench/gpuVariants.ts --provider $P "${variant_args[@]}" >"$OUT/bench-variants.json" 2>>"$OUT/gpu-check.log" || { status=1; log "variants bench FAILED"; }
log "benchmark: PyTorch on CUDA, eager and torch.compile"
torch_args=(--batches 128,1024 --steps 512 --reps 5)
[ -n "$dry" ] && torch_args=(--device cpu --modes eager --batches 128 --steps 8 --reps 1)
PYTHONUNBUFFERED=1 timeout $([ -n "$speed" ] && echo 170 || echo 240) "${PYTHON:-python3}" bench/gpu_torch.py "${torch_args[@]}" >"$OUT/bench-torch.json" 2>>"$OUT/gpu-check.log" || { status=1; log "PyTorch bench FAILED"; }
node -e '
const fs = require("fs");
const read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8").trim().split("\n").pop()); } catch { return { results: [] }; } };
const h = read(`${process.argv[1]}/bench-hourglass.json`), t = read(`${process.argv[1]}/bench-torch.json`);
const rows = [`GPU: ${t.gpu ?? "?"}, torch ${t.torch ?? "?"}, ${new Date().toISOString().slice(0, 10)}`, "", "| VAE batch | Hourglass best (fuse) | single steps | torch eager | torch.compile | compile reduce-overhead | vs eager | vs compile |", "|---|---|---|---|---|---|---|---|"];
for (const batch of [...new Set(h.results.map((r) => r.batch))]) {
  const mine = h.results.filter((r) => r.batch === batch);
  const best = mine.reduce((a, r) => (r.steps_per_s > a.steps_per_s ? r : a));
  const single = mine.find((r) => r.fuse === 1);
  const peer = (m) => t.results.find((r) => r.batch === batch && r.mode === m)?.steps_per_s;
  const [e, c, ro] = ["eager", "compile", "compile-reduce-overhead"].map(peer);
  const f = (x) => (x ? x.toFixed(0) : "–");
  const bestPeerCompile = Math.max(c ?? 0, ro ?? 0);
  rows.push(`| ${batch} | ${f(best.steps_per_s)} (${best.fuse}) | ${f(single?.steps_per_s)} | ${f(e)} | ${f(c)} | ${f(ro)} | ${e ? (best.steps_per_s / e).toFixed(2) + "×" : "–"} | ${bestPeerCompile ? (best.steps_per_s / bestPeerCompile).toFixed(2) + "×" : "–"} |`);
}
const v = read(`${process.argv[1]}/bench-variants.json`);
if (v.results.length) {
  rows.push("", "| VAE batch | variant (S per call) | steps/s | JS preparation ms/call | run ms/call | preparation share |", "|---|---|---|---|---|---|");
  for (const r of v.results) rows.push(`| ${r.batch} | ${r.variant} (${r.fuse}) | ${r.steps_per_s.toFixed(0)} | ${r.prep_ms_per_call.toFixed(2)} | ${r.run_ms_per_call.toFixed(2)} | ${(100 * r.prep_ms_per_call / (r.prep_ms_per_call + r.run_ms_per_call)).toFixed(1)}% |`);
}
console.log(rows.join("\n"));' "$OUT" >"$OUT/summary.md" 2>&1
cat "$OUT/summary.md" | tee -a "$OUT/gpu-check.log" >&2
log "done (status $status)"
exit $status
