#!/bin/sh
# Runs the engine's bench on this machine's GPU through WebGPU, from the folder scripts/gpu-check/build.mjs
# made: no Node, no network, no root needed. Prints the bench lines (webgpu labelled with its adapter,
# kernels per step, GPU time where timestamps exist) and, where python3 has torch, PyTorch's figures.
# Usage: sh run.sh [extra bench flags, e.g. --quick]
set -eu
cd "$(dirname "$0")"
[ -x ./node ] || xz -d -c node.xz > node && chmod +x node
if [ ! -d vulkan ]; then
  mkdir vulkan
  # dpkg-deb -x needs no root; without dpkg, ar + tar do the same.
  if command -v dpkg-deb >/dev/null 2>&1; then dpkg-deb -x libvulkan1.deb vulkan
  else (cd vulkan && ar x ../libvulkan1.deb && tar xf data.tar.*); fi
fi
export LD_LIBRARY_PATH="$PWD/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ -z "${VK_DRIVER_FILES:-}" ]; then
  for icd in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json \
    /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; break; fi
  done
fi
# The wasm comparison runs on one thread: the target-side worker is a separate entry the bundle leaves out.
export CLAB_TARGET_THREAD=0
echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-(loader default)}"
./node bench.mjs --backends webgpu,wasm --images-backends webgpu --skip-store "$@"
if command -v python3 >/dev/null 2>&1 && python3 -c 'import torch' 2>/dev/null; then
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")'
fi
