#!/usr/bin/env bash
# lab.sanitizer_reports (root; only in the sanitized build): the report path of
# scripts/test --sanitize works for daemons. sanitizer_probe runs as a daemon in a
# private namespace (hptest-sanitize-<pid>), as nobody with no capabilities, under
# a test script of its own (BASH_ENV = scripts/sanitizer_scope.bash into a fresh
# reports directory), and is stopped with SIGTERM; then
#   - leak:  a LeakSanitizer report in that script's scope, and sanitizer_reports fails;
#   - ubsan: a UBSan "runtime error" report there, and sanitizer_reports fails;
#   - clean: no report, and sanitizer_reports passes (the control for the two above).
set -euo pipefail
probe=${1:?usage: sanitizer_reports_test.sh SANITIZER_PROBE SCRIPTS_DIR}
scripts=${2:?usage: sanitizer_reports_test.sh SANITIZER_PROBE SCRIPTS_DIR}
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (a network namespace)"; exit 77; fi
fail() { echo "FAIL: $*" >&2; exit 1; }

ns=hptest-sanitize-$$
work=$(mktemp -d /tmp/hptest-sanitize-XXXXXX)
chmod 755 "$work"
cleanup() { ip netns del "$ns" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns add "$ns"

# The daemon's script: starts the probe in the namespace as nobody, waits until it
# is ready, SIGTERM, waits (bounded) until it has exited.
cat > "$work/run_daemon.sh" <<'SH'
set -euo pipefail
probe=$1 mode=$2 ns=$3 ready=$4
ip netns exec "$ns" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
  "$probe" "$mode" "$ready" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do [ -s "$ready" ] && break; sleep 0.1; done
[ -s "$ready" ] || { echo "probe $mode never got ready" >&2; exit 1; }
kill -TERM "$pid"
wait "$pid" || true   # its exit code is not what the run looks at: the report file is
SH

run_mode() {  # run_mode MODE: the daemon script in a fresh reports directory; REPORTS= it
  REPORTS=$work/reports-$1
  mkdir -m 1777 "$REPORTS"
  mkdir -m 1777 "$work/ready-$1"
  env -u HAIRPIN_SANITIZER_SCOPE HAIRPIN_SANITIZER_REPORTS="$REPORTS" BASH_ENV="$scripts/sanitizer_scope.bash" \
    ASAN_OPTIONS="halt_on_error=1:exitcode=86:detect_leaks=1:log_exe_name=1" UBSAN_OPTIONS="halt_on_error=1:exitcode=86:print_stacktrace=1:log_exe_name=1" \
    bash "$work/run_daemon.sh" "$probe" "$1" "$ns" "$work/ready-$1/ready"
}

for mode in leak ubsan clean; do run_mode "$mode"; done

rc=0; out=$("$scripts/sanitizer_reports" "$work/reports-leak" 2>&1) || rc=$?
[ $rc -eq 1 ] || fail "leak: sanitizer_reports exited $rc, expected 1: $out"
[[ $out == *"LeakSanitizer: detected memory leaks"* ]] || fail "leak: no LeakSanitizer report: $out"
[[ $out == *"run_daemon"* ]] || fail "leak: the report does not name the test script it came from: $out"
echo "PASS: a leak in a daemon in a namespace, as nobody, is reported and fails the run"

rc=0; out=$("$scripts/sanitizer_reports" "$work/reports-ubsan" 2>&1) || rc=$?
[ $rc -eq 1 ] || fail "ubsan: sanitizer_reports exited $rc, expected 1: $out"
[[ $out == *"runtime error: signed integer overflow"* ]] || fail "ubsan: no UBSan report: $out"
echo "PASS: undefined behaviour in a daemon is reported and fails the run"

rc=0; out=$("$scripts/sanitizer_reports" "$work/reports-clean" 2>&1) || rc=$?
[ $rc -eq 0 ] || fail "clean: sanitizer_reports exited $rc, expected 0: $out"
[ -f "$(ls -d "$work/reports-clean"/run_daemon*/)/.command" ] || fail "clean: the script opened no scope (BASH_ENV not read?)"
echo "PASS: the same daemon without a bug leaves no report (the control)"
