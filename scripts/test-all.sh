#!/usr/bin/env bash
# `npm run test:all` (and .ci/run): on a fresh Debian or Ubuntu machine with only Node 20.19+ and npm, installs
# what the tests need and runs every check the project has, in the order CI runs them.
#
# 1. Debian packages, when missing: `chromium` (test/e2e drives it through playwright-core),
#    `dataset-fashion-mnist` (test/data and the classifier tests read its t10k files), and Mesa 25's lavapipe
#    (`mesa-vulkan-drivers` from bookworm-backports on Debian 12: the webgpu tests need a Vulkan device Dawn
#    accepts, and bookworm's own Mesa 22 is refused; see shared/reference/gpu-webgpu.md). As root, or through
#    sudo; with neither, the exact commands are printed and the script fails before running anything.
# 2. `npm ci` when node_modules is missing or older than package.json / package-lock.json.
# 3. typecheck, lint, the electron-vite build (no Electron binary needed; makes out/renderer, which
#    `clab serve` serves to the end-to-end tests) and the whole vitest suite. The suite runs the benchmark
#    once in quick mode with the target-side thread off, as on a one-core machine (it once crashed there), and
#    logs its figures (test/bench/bench-quick.test.ts).
#
# CLAB_TEST_ALL_SKIP_SUITE=1 skips step 3's vitest run: only for testing this script itself.
set -euo pipefail

cd "$(dirname "$0")/.."

run() {
  local start=$SECONDS
  echo
  echo "==> $*"
  "$@"
  echo "(${*:1:3}: $((SECONDS - start)) s)"
}

fail() {
  echo "test:all: $*" >&2
  exit 1
}

BACKPORTS_LINE='deb http://deb.debian.org/debian bookworm-backports main'
BACKPORTS_FILE=/etc/apt/sources.list.d/bookworm-backports.list

# The installed Mesa lavapipe's major version, or 0 when there is none.
mesa_major() {
  local status version
  status=$(dpkg-query -W -f='${db:Status-Status} ${Version}' mesa-vulkan-drivers 2>/dev/null || true)
  [[ $status == installed\ * ]] || {
    echo 0
    return
  }
  version=${status#installed }
  version=${version#*:}
  echo "${version%%.*}"
}

codename=$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || true)

packages=()
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  packages+=(chromium)
fi
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  packages+=(dataset-fashion-mnist)
fi
need_mesa=0
if command -v dpkg-query >/dev/null 2>&1 && [ "$(mesa_major)" -lt 25 ]; then
  need_mesa=1
fi

if [ "${#packages[@]}" -gt 0 ] || [ "$need_mesa" = 1 ]; then
  wanted="${packages[*]}"
  [ "$need_mesa" = 0 ] || wanted="$wanted mesa-vulkan-drivers (Mesa 25 or newer)"
  command -v apt-get >/dev/null 2>&1 || fail "not a Debian or Ubuntu machine (no apt-get): install$wanted yourself"
  # Debian 12's own Mesa is 22; its backports have 25. Elsewhere (Ubuntu, newer Debian) the release's own is used.
  mesa_from=''
  add_backports=0
  if [ "$need_mesa" = 1 ] && [ "$codename" = bookworm ]; then
    mesa_from='-t bookworm-backports '
    grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ || add_backports=1
  fi
  install_lines=()
  [ "${#packages[@]}" = 0 ] || install_lines+=("apt-get install -y ${packages[*]}")
  [ "$need_mesa" = 0 ] || install_lines+=("apt-get install -y ${mesa_from}mesa-vulkan-drivers")
  if [ "$(id -u)" = 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "test:all: the tests need Debian packages this user cannot install (not root, no sudo):$wanted." >&2
    echo "Run these as an administrator, then npm run test:all again:" >&2
    [ "$add_backports" = 0 ] || echo "  echo '$BACKPORTS_LINE' | sudo tee $BACKPORTS_FILE" >&2
    echo "  sudo apt-get update" >&2
    for line in "${install_lines[@]}"; do echo "  sudo $line" >&2; done
    exit 1
  fi
  if [ "$add_backports" = 1 ]; then
    echo
    echo "==> adding bookworm-backports ($BACKPORTS_FILE) for Mesa 25"
    echo "$BACKPORTS_LINE" | "${as_root[@]}" tee "$BACKPORTS_FILE" >/dev/null
  fi
  run "${as_root[@]}" apt-get update
  for line in "${install_lines[@]}"; do
    # shellcheck disable=SC2086 # each line is words: apt-get, its options, the packages
    run "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive $line
  done
  [ "$need_mesa" = 0 ] || [ "$(mesa_major)" -ge 25 ] ||
    echo "test:all: warning: this release's Mesa is older than 25; Dawn refuses its lavapipe, so webgpu tests cannot run" >&2
fi

if [ -n "${CHROMIUM_PATH:-}" ]; then
  run "$CHROMIUM_PATH" --version
else
  run "$(command -v chromium || command -v chromium-browser)" --version
fi
echo "mesa-vulkan-drivers: $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo 'not installed')"
run node --version
run npm --version

# npm writes node_modules/.package-lock.json last, so it is older than the manifests only when they changed since.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  run npm ci --no-audit --no-fund
fi

run npm run typecheck
run npm run lint
run npm run build
if [ "${CLAB_TEST_ALL_SKIP_SUITE:-}" = 1 ]; then
  echo
  echo "==> vitest skipped (CLAB_TEST_ALL_SKIP_SUITE=1, for testing this script only)"
else
  run npm test
fi
echo
echo "test:all: every check passed"
