#!/usr/bin/env bash
# Idempotent set-up for `make run` and `make test`: Debian packages (sdcc, sdcc-ucsim, and
# chromium + chromium-driver for the browser-view tests), a .venv with the project installed
# editable, PlatformIO prepared for offline use, and the npm packages of the debug adapter's
# tests (node_modules/).
# A second run skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
command -v sdcc >/dev/null 2>&1 || need_pkgs+=(sdcc)
command -v s51 >/dev/null 2>&1 || need_pkgs+=(sdcc-ucsim)
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_pkgs+=(chromium-driver)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "clock51 needs Debian packages: ${need_pkgs[*]}. Run this, then 'make' again:" >&2
        echo "    sudo apt-get update && sudo apt-get install -y ${need_pkgs[*]}" >&2
        exit 1
    fi
    echo "bootstrap: installing ${need_pkgs[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "bootstrap: creating .venv"
    "$PY" -m venv .venv
fi
stamp=.venv/.clock51-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "bootstrap: installing the project and its dependencies into .venv"
    if ! { .venv/bin/python -m pip install -q --upgrade pip &&
           .venv/bin/python -m pip install -q -e '.[firmware,test]' \
               --config-settings editable_mode=compat; } >.venv/pip.log 2>&1; then
        cat .venv/pip.log >&2
        echo "bootstrap: pip install failed (log above, also in .venv/pip.log)" >&2
        exit 1
    fi
    touch "$stamp"
fi
# editable_mode=compat: a plain path in a .pth instead of setuptools' import-hook finder,
# which costs every Python start (each `clock51-sim exec`) about 10 ms of imports. That path
# is the checkout, where sim/ and host/ are found by name; the board profile package
# `boardprofile` lives in firmware/boards/, so a second .pth names a folder holding a link
# to it under its import name.
links="$PWD/.venv/clock51-packages"
mkdir -p "$links"
ln -sfn "$PWD/firmware/boards" "$links/boardprofile"
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$links" >"$site/clock51-boardprofile.pth"
# Byte-compile the sources once: with PYTHONDONTWRITEBYTECODE set, every process would
# otherwise compile them again.
.venv/bin/python -m compileall -q sim host firmware/boards >/dev/null || true

# The debug adapter's tests drive it with Microsoft's DebugClient (npm, pinned by
# package-lock.json) into node_modules/; without Node.js those tests are skipped.
if command -v npm >/dev/null 2>&1; then
    if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        echo "bootstrap: installing the npm test packages (npm ci)"
        if ! npm ci --no-audit --no-fund --loglevel=error >.venv/npm.log 2>&1; then
            cat .venv/npm.log >&2
            echo "bootstrap: npm ci failed (log above, also in .venv/npm.log)" >&2
            exit 1
        fi
    fi
else
    echo "bootstrap: npm not found: the DebugClient tests will be skipped" >&2
fi

.venv/bin/python tools/pio_offline.py >/dev/null
echo "bootstrap: ready (sdcc $(sdcc -v | head -1 | sed 's/.* \([0-9]\.[0-9.]*\) .*/\1/'), $(.venv/bin/pio --version))"
