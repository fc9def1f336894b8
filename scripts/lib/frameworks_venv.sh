# shellcheck shell=bash
# The Python virtualenv the framework tests run the frameworks from (Django, SQLAlchemy +
# Alembic, passlib): tests/frameworks/requirements.txt, every version pinned, from PyPI.
# Sourced by scripts/test.sh after scripts/lib/common.sh (it uses stage, note, die and
# ensure_packages); not meant to be run on its own.
#
#   ensure_frameworks_venv     creates or reuses the venv, exports FERRY_FRAMEWORKS_PYTHON
#
# The venv lives in ${FERRY_TOOLS_DIR:-${XDG_CACHE_HOME:-~/.cache}/ferry/tools}/frameworks-venv,
# beside the other cached test tools. It is keyed by the SHA-256 of requirements.txt and the
# interpreter's version (recorded in the venv after a successful install): when either changes,
# the venv is deleted and built again, so a half-finished install is never reused either.
# FERRY_PYTHON chooses the interpreter (default: python3, which must be 3.10 or newer).

ensure_frameworks_venv() {
    stage "framework test venv (Django, SQLAlchemy, Alembic, passlib)"
    local repo requirements tools venv python key stamp
    repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    requirements="$repo/tests/frameworks/requirements.txt"
    [ -f "$requirements" ] || die "missing $requirements"
    tools=${FERRY_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/ferry/tools}
    venv="$tools/frameworks-venv"
    stamp="$venv/.ferry-requirements.sha256"
    python=${FERRY_PYTHON:-python3}

    command -v "$python" >/dev/null 2>&1 ||
        die "$python is missing: the framework tests need Python 3.10 or newer (set FERRY_PYTHON to choose one)"
    "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
        die "$python is $("$python" --version 2>&1); the framework tests need Python 3.10 or newer (set FERRY_PYTHON)"
    # Debian's python3 ships venv without ensurepip; the python3-venv package adds it.
    if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        if [ "$(command -v "$python")" = /usr/bin/python3 ]; then
            ensure_packages python3-venv
        fi
        "$python" -c 'import venv, ensurepip' >/dev/null 2>&1 ||
            die "$python cannot create virtualenvs (no venv/ensurepip module); install python3-venv or set FERRY_PYTHON"
    fi

    key="$(sha256sum "$requirements" | cut -d' ' -f1) $("$python" -c 'import sys; print(sys.version.split()[0])')"
    if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
        note "reusing $venv"
    else
        if [ -e "$venv" ]; then
            note "requirements.txt or the interpreter changed since $venv was built: rebuilding it"
            rm -rf "$venv"
        fi
        note "creating $venv with $("$python" --version 2>&1) and installing $(grep -c '==' "$requirements") pinned distributions from PyPI"
        mkdir -p "$tools"
        "$python" -m venv "$venv" || die "python -m venv $venv failed"
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install --quiet --no-input \
            --require-virtualenv --only-binary=:all: -r "$requirements" ||
            die "pip install -r $requirements into $venv failed (PyPI unreachable, or a pin without a wheel for $("$python" --version 2>&1)?)"
        printf '%s\n' "$key" >"$stamp"
    fi
    export FERRY_FRAMEWORKS_PYTHON="$venv/bin/python"
    note "FERRY_FRAMEWORKS_PYTHON=$FERRY_FRAMEWORKS_PYTHON"
    note "$("$FERRY_FRAMEWORKS_PYTHON" -c 'import django, sqlalchemy, alembic, psycopg, passlib, bcrypt; print("Django", django.get_version(), "| SQLAlchemy", sqlalchemy.__version__, "| Alembic", alembic.__version__, "| psycopg", psycopg.__version__, "| passlib", passlib.__version__, "| bcrypt", bcrypt.__version__)')"
}
