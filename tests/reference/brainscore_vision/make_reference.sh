#!/usr/bin/env bash
# Regenerate brainscore_vision_2.4.2.json with the real Brain-Score code (brainscore-vision 2.4.2).
#
#   bash tests/reference/brainscore_vision/make_reference.sh [OUTPUT.json]
#
# Brain-Score needs numpy<2, pandas<3 and xarray<2022.6, so it runs in its own virtual environment
# outside the repository: ${BRAINSCORE_REFERENCE_VENV:-$HOME/.cache/dynamic-vision-brainscore-reference}.
# The environment is built once (idempotent: a stamp file records the requirements it was built from)
# and reused afterwards. Torch is not installed: brainscore-vision goes in with --no-deps.
# Set PYTHON to choose the interpreter for a new environment (Python >= 3.11; default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${BRAINSCORE_REFERENCE_VENV:-$HOME/.cache/dynamic-vision-brainscore-reference}"
output="${1:-$here/brainscore_vision_2.4.2.json}"
python="${PYTHON:-python3}"

stamp_of() {
    { cat "$here/requirements.txt"; echo "brainscore-vision==2.4.2"; "$1" -c 'import sys; print(sys.version)'; } \
        | sha256sum | cut -d' ' -f1
}

# one BLAS thread: modest CPU use and a fixed summation order
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 VECLIB_MAXIMUM_THREADS=1 NUMEXPR_NUM_THREADS=1
# Brain-Score: never pip-install plugin requirements, never read or write the result cache
export BS_INSTALL_DEPENDENCIES=no RESULTCACHING_DISABLE=1
export PYTHONHASHSEED=0 TQDM_DISABLE=1 PIP_DISABLE_PIP_VERSION_CHECK=1

if [[ ! -x "$venv/bin/python" ]] || [[ ! -f "$venv/.reference-stamp" ]] \
        || [[ "$(cat "$venv/.reference-stamp")" != "$(stamp_of "$venv/bin/python")" ]]; then
    echo "building the Brain-Score reference environment in $venv" >&2
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --no-deps -r "$here/requirements.txt"
    "$venv/bin/python" -m pip install --quiet --no-deps "brainscore-vision==2.4.2"
    "$venv/bin/python" -W ignore::FutureWarning -c 'import brainscore_vision'
    stamp_of "$venv/bin/python" > "$venv/.reference-stamp"
fi

"$venv/bin/python" -W ignore::FutureWarning "$here/make_reference.py" "$output"
echo "wrote $output ($(wc -c < "$output") bytes)" >&2
