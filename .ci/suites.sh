# Shared by the conformance suite scripts (.ci/tempest-compute, .ci/ec2api-tempest):
# the suite's own venv, the project's venv, background processes stopped by pid, and
# one temporary directory removed at exit. Sourced, not run.

SUITES_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUITE_PIDS=()
SUITE_TMP=""

step() { printf '\n== %s\n' "$*"; }

# The temporary directory of this run; removed at exit unless NOVATX_SUITE_KEEP=1.
suite_tmp() {
    SUITE_TMP="$(mktemp -d "${TMPDIR:-/tmp}/novatx-suite.XXXXXX")" || exit 1
    trap suite_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# process_tree PID: PID and its descendants, parents first.
process_tree() {
    local child
    echo "$1"
    for child in $(pgrep -P "$1"); do
        process_tree "$child"
    done
}

# Every process this run started, and theirs (tempest's workers, gunicorn's, the
# daemon's), gets SIGTERM; one still there 30 seconds later gets SIGKILL.
suite_cleanup() {
    local pid tree=()
    for pid in "${SUITE_PIDS[@]}"; do
        tree+=($(process_tree "$pid"))
    done
    for pid in "${tree[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${tree[@]}"; do
        timeout 30 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null
    done
    for pid in "${SUITE_PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    if [ -n "$SUITE_TMP" ]; then
        if [ "${NOVATX_SUITE_KEEP:-0}" = 1 ]; then
            echo "kept $SUITE_TMP"
        else
            rm -rf "$SUITE_TMP"
        fi
    fi
}

# pip, without the warnings about index locations this machine's pip.conf names but lacks.
pip_quiet() {
    "$@" 2>&1 | grep -v "is ignored: it is neither a file nor a directory"
    return "${PIPESTATUS[0]}"
}

# suite_venv DIR PACKAGE...: a venv holding exactly these requirements, made once and
# remade when the list changes.
suite_venv() {
    local dir="$1"; shift
    local wanted="$*"
    if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.requirements" 2>/dev/null)" = "$wanted" ]; then
        return 0
    fi
    rm -rf "$dir"
    python3 -m venv "$dir" || return 1
    pip_quiet "$dir/bin/pip" install -q -U pip wheel setuptools || return 1
    pip_quiet "$dir/bin/pip" install -q "$@" || return 1
    echo "$wanted" > "$dir/.requirements"
}

# The project's own venv (as .ci/run makes it) when there is none yet.
project_venv() {
    [ -x "$SUITES_ROOT/.venv/bin/twistd" ] && return 0
    python3 -m venv "$SUITES_ROOT/.venv" || return 1
    pip_quiet "$SUITES_ROOT/.venv/bin/pip" install -q -U pip wheel setuptools || return 1
    pip_quiet "$SUITES_ROOT/.venv/bin/pip" install -q -e "$SUITES_ROOT" || return 1
}

# start_logged LOG COMMAND...: run COMMAND in the background, output to LOG; its pid is
# remembered for the clean-up and left in STARTED_PID.
start_logged() {
    local log="$1"; shift
    "$@" >"$log" 2>&1 &
    STARTED_PID=$!
    SUITE_PIDS+=("$STARTED_PID")
}

# wait_for_line PID LOG REGEX SECONDS: print the first line of LOG matching REGEX (an
# extended regex); fail when PID exits or SECONDS pass first.
wait_for_line() {
    local pid="$1" log="$2" regex="$3" seconds="$4" line
    local deadline=$(( $(date +%s) + seconds ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        line="$(grep -m1 -E "$regex" "$log" 2>/dev/null)"
        if [ -n "$line" ]; then
            echo "$line"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "process $pid exited before its log showed /$regex/:" >&2
            tail -20 "$log" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "no /$regex/ in $log after $seconds s:" >&2
    tail -20 "$log" >&2
    return 1
}

# twistd_nova CONF APIS: start the daemon from the project's venv; print the port of the
# first API of APIS (the others can be read the same way with daemon_port).
twistd_nova() {
    local conf="$1" apis="$2"
    NOVA_LOG="$SUITE_TMP/nova.log"
    start_logged "$SUITE_TMP/nova.out" "$SUITES_ROOT/.venv/bin/twistd" -n --pidfile= \
        --logfile "$NOVA_LOG" nova --config-file "$conf" --enabled-apis "$apis"
    NOVA_PID=$STARTED_PID
}

# daemon_port API: the port the daemon's log says API serves on.
daemon_port() {
    wait_for_line "$NOVA_PID" "$NOVA_LOG" "\] $1 serving on http://[^ ]+:[0-9]+" 120 \
        | sed -E 's/.* serving on http:\/\/[^ ]+:([0-9]+).*/\1/'
}

# run_suite VENV WORKSPACE REGEX EXCLUDE_LIST: tempest run in WORKSPACE, then the counts.
# Prints every failure with its reason, ends with "N passed, N failed, N skipped"; the
# status is non-zero when anything failed or nothing ran.
run_suite() {
    local venv="$1" workspace="$2" regex="$3" exclude="$4" status
    local report_args=()
    [ -n "${NOVATX_SUITE_REPORT:-}" ] && report_args=(--report "$NOVATX_SUITE_REPORT")
    (cd "$workspace" && "$venv/bin/tempest" run --list-tests --regex "$regex" \
        --exclude-list "$exclude" > "$SUITE_TMP/listed.txt") || return 1
    # In the background, so that the clean-up of an interrupted run finds it and its
    # workers (a signal waits for a foreground command to end).
    (cd "$workspace" && exec "$venv/bin/tempest" run --regex "$regex" \
        --exclude-list "$exclude" --concurrency 2) &
    SUITE_PIDS+=($!)
    wait $!
    status=$?
    (cd "$workspace" && "$venv/bin/stestr" last --subunit > "$SUITE_TMP/results.subunit")
    "$venv/bin/python" "$SUITES_ROOT/.ci/suite_results.py" --listed "$SUITE_TMP/listed.txt" \
        "${report_args[@]}" < "$SUITE_TMP/results.subunit" > "$SUITE_TMP/summary.txt" || status=1
    sed '$d' "$SUITE_TMP/summary.txt"
    SUITE_TOTAL="$(tail -1 "$SUITE_TMP/summary.txt")"
    return "$status"
}

# suite_finish STATUS: stop what was started, remove the temporary files, then print the
# counts as the last line and exit with STATUS.
suite_finish() {
    local status="$1"
    trap - EXIT
    suite_cleanup
    [ -n "${SUITE_TOTAL:-}" ] || { SUITE_TOTAL="0 passed, 1 failed, 0 skipped"; status=1; }
    echo "$SUITE_TOTAL"
    exit "$status"
}
