#!/usr/bin/env bash
# The PyTorch reference CD loop (ALGORITHM.md's torch_cd_ref.py) on our built-in teacher, our data and our
# metric, beside the engine: export, torch runs, scoring. Needs Debian's python3-torch (PYTHON to override).
# usage: npm run crosscheck:torch -- [datasets, comma-separated] [runs: ref-euler,ours-heun,ours-euler]
#   ref-euler: the reference's own settings; ours-heun: our default preset; ours-euler: the same with Euler.
set -eo pipefail  # a failed torch run (its port check) fails the cross-check through the | tail
here="$(cd "$(dirname "$0")" && pwd)"
datasets=${1:-moons,8gaussians,checkerboard}
runs=${2:-ref-euler,ours-heun}
python=${PYTHON:-/usr/bin/python3}
out=${CLAB_CROSSCHECK_DIR:-$(node -e 'console.log(require("os").tmpdir())')/clab-torch-crosscheck}
export CLAB_CROSSCHECK_DIR="$out"
npx tsx "$here/export.ts" "$datasets"
for ds in $(echo "$datasets" | tr ',' ' '); do
  for run in $(echo "$runs" | tr ',' ' '); do
    echo "== $ds $run (torch, 1 thread)"
    "$python" "$here/torch_cd.py" --dataset "$ds" --preset "${run%-*}" --solver "${run#*-}" --tag "$run" | tail -n 2
  done
done
npx tsx "$here/score.ts" "$datasets"
