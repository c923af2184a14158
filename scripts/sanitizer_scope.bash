# BASH_ENV of `scripts/test --sanitize` (bash sources it before running any script).
# The first bash of a test (its script: ctest runs each lab and shell test as one)
# opens that test's report directory and points the sanitizers' log_path into it,
# so a finding in any process it starts, foreground or a daemon in a namespace
# (ip netns exec, hairpin lab up, setpriv keep the environment), lands in a file
# there; scripts/test fails the run on any such file and names the test. Nested
# bash scripts inherit the scope (HAIRPIN_SANITIZER_SCOPE) and change nothing.
if [ -n "${HAIRPIN_SANITIZER_REPORTS:-}" ] && [ -z "${HAIRPIN_SANITIZER_SCOPE:-}" ]; then
  HAIRPIN_SANITIZER_SCOPE=${0##*/}
  HAIRPIN_SANITIZER_SCOPE=${HAIRPIN_SANITIZER_SCOPE%.sh}${HAIRPIN_LAB_NVA:+.$HAIRPIN_LAB_NVA}
  [[ ${1:-} =~ ^[A-Za-z0-9._-]+$ ]] && HAIRPIN_SANITIZER_SCOPE+=.$1
  HAIRPIN_SANITIZER_SCOPE+=.$$
  export HAIRPIN_SANITIZER_SCOPE
  if mkdir -m 1777 "$HAIRPIN_SANITIZER_REPORTS/$HAIRPIN_SANITIZER_SCOPE" 2>/dev/null; then
    # What ran, for the report (no file = the scope's processes reported nothing).
    printf '%s\n' "$0 $*" > "$HAIRPIN_SANITIZER_REPORTS/$HAIRPIN_SANITIZER_SCOPE/.command" 2>/dev/null || true
    # Later flags win: this log_path overrides the run's default one.
    export ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$HAIRPIN_SANITIZER_REPORTS/$HAIRPIN_SANITIZER_SCOPE/asan"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$HAIRPIN_SANITIZER_REPORTS/$HAIRPIN_SANITIZER_SCOPE/ubsan"
  fi
fi
