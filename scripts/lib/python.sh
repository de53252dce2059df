# shellcheck shell=bash
# Shared by scripts/test and scripts/develop (sourced, not run): which Python to use, and whether
# a virtualenv built earlier still matches what is wanted.
#
#   find_python NAME      prints the interpreter: $PYTHON if set (must work), else the first
#                         working one of python3.14, python3.13, ~/.pyenv/versions/3.1[34]*
#                         (newest first), python3; NAME is the calling script, for messages
#   venv_current DIR FILE STAMP MODULE...
#                         true when DIR/FILE holds STAMP and DIR's Python imports every MODULE
#                         (a venv is re-used while its interpreter and inputs are unchanged)

python_ok() {
    # The candidate must run (a pyenv shim for an inactive version does not), be >= 3.13 and be
    # able to build a venv with pip (Debian splits venv/ensurepip into pythonX.Y-venv).
    "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 13))' >/dev/null 2>&1
}

find_python() {
    local name=$1
    if [[ -n "${PYTHON:-}" ]]; then
        if ! python_ok "$PYTHON"; then
            printf '%s: PYTHON=%s is not a working Python >= 3.13 with venv/ensurepip\n' \
                "$name" "$PYTHON" >&2
            return 2
        fi
        "$PYTHON" -c 'import os, sys; print(os.path.realpath(sys.executable))'
        return
    fi
    local candidates=(python3.14 python3.13) p cand
    # Newest first: sort by version, not lexically (3.13.10 > 3.13.9).
    # shellcheck disable=SC2012  # pyenv version directories are plain names
    while IFS= read -r p; do
        [[ -n "$p" ]] && candidates+=("$p")
    done < <(ls -d "$HOME"/.pyenv/versions/3.1[34]*/bin/python 2>/dev/null | sort -rV || true)
    candidates+=(python3)
    for cand in "${candidates[@]}"; do
        if python_ok "$cand"; then
            # The real executable, so a venv stamp does not depend on PATH lookups.
            "$cand" -c 'import os, sys; print(os.path.realpath(sys.executable))'
            return
        fi
    done
    printf '%s: no Python >= 3.13 with venv support found (tried: %s); set PYTHON=/path/to/python3.13+\n' \
        "$name" "${candidates[*]}" >&2
    return 2
}

venv_current() {
    local dir=$1 file=$2 stamp=$3
    shift 3
    local imports
    imports=$(IFS=,; echo "$*")
    [[ -f "$dir/$file" && "$(cat "$dir/$file")" == "$stamp" ]] \
        && "$dir/bin/python" -c "import $imports" >/dev/null 2>&1
}
