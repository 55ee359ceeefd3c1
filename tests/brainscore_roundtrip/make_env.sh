#!/usr/bin/env bash
# Build (once) the brainscore-core 2.5.0 environment the BrainIO round-trip test runs in, and
# print its Python. Brain-Score pins numpy<2 and xarray<2022.6, so it cannot share the library's
# environment; it needs no torch.
#
#   bash tests/brainscore_roundtrip/make_env.sh        # -> /path/to/venv/bin/python
#
# The environment lives in ${DYNAMIC_VISION_BRAINSCORE_VENV:-$HOME/.cache/dynamic-vision-brainscore-core}
# and is rebuilt only when requirements.txt or the interpreter changes (a stamp file records
# both). PYTHON chooses the interpreter for a new environment (Python >= 3.11; default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${DYNAMIC_VISION_BRAINSCORE_VENV:-$HOME/.cache/dynamic-vision-brainscore-core}"
python="${PYTHON:-python3}"

stamp_of() {
    { cat "$here/requirements.txt"; "$1" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1
}

if [[ ! -x "$venv/bin/python" ]] || [[ ! -f "$venv/.stamp" ]] \
        || [[ "$(cat "$venv/.stamp")" != "$(stamp_of "$venv/bin/python")" ]]; then
    start=$SECONDS
    echo "building the brainscore-core environment in $venv" >&2
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --quiet --no-deps \
        -r "$here/requirements.txt" >&2
    "$venv/bin/python" -W ignore -c \
        'import brainscore_core.supported_data_standards.brainio.packaging, brainscore_core.metrics'
    stamp_of "$venv/bin/python" > "$venv/.stamp"
    echo "built in $((SECONDS - start)) s" >&2
fi
echo "$venv/bin/python"
