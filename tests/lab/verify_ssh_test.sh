#!/usr/bin/env bash
# hairpin verify through the ssh runner against sshd inside the lab's namespaces:
# one sshd per host verify needs (both sites and the NVA), each on its lab
# address in its own namespace, with a host key, a user key, authorized_keys and
# known_hosts made for this run (tests/lab/verify_ssh_lib.sh), passed through the
# scenario's ssh options. The verdict and every check's verdict must equal those
# of the netns runner on the same lab: on the seed (PASS) and with nva-noforward
# (FAIL, nva-not-forwarding). Root's ~/.ssh and the root namespace's listening
# sockets are the same after the test as before it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/verify_lib.sh"
command -v /usr/sbin/sshd >/dev/null || fail "sshd missing (Debian openssh-server; run scripts/setup)"
command -v nc >/dev/null || fail "nc missing (Debian netcat-openbsd; run scripts/setup)"
source "$(dirname "$0")/verify_ssh_lib.sh"
TMP=$(mktemp -d /tmp/hptest-verifylab-sshrun.XXXXXX)
dot_ssh() { ls -la --time-style=+%s /root/.ssh 2>&1 || true; }
listening() { ss -H -ltn 2>/dev/null | awk '{print $4}' | sort; }
DOT_SSH_BEFORE=$(dot_ssh)
LISTEN_BEFORE=$(listening)
trap 'ssh_cleanup; rm -rf "$TMP" "$LOG"; cleanup' EXIT

# The remote side needs only `hairpin` on its PATH: sshd sets PATH for the
# session to a directory holding a link to the binary under test.
mkdir -p "$SSH_DIR/bin"
ln -s "$HAIRPIN" "$SSH_DIR/bin/hairpin"
SSHD_PATH="$SSH_DIR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# scenario FILE NVA_KIND: the seed lab scenario with every host reached over ssh.
scenario() {
  local state
  if [ "$2" = builtin ]; then
    state="{via: control-socket, control_socket: /run/hairpin/lab/vm-hub00/nva.sock}"
  else
    state="{via: vtysh, vty_socket: /run/hairpin/lab/vm-hub00/frr}"
  fi
  local opts
  opts=$(printf '"%s", ' "ConnectTimeout=5" "BatchMode=yes" "StrictHostKeyChecking=yes" \
    "UserKnownHostsFile=$SSH_DIR/known_hosts" "GlobalKnownHostsFile=/dev/null" \
    "IdentityFile=$SSH_DIR/user_key" "IdentitiesOnly=yes" "LogLevel=ERROR")
  cat > "$1" <<YAML
name: seed-lab-over-ssh
supernet: 10.0.0.0/8
port: 22
sites:
  - name: vm-hub100
    prefix: 10.100.0.0/16
    probe_host: 10.100.0.4
    runner: {kind: ssh, host: 10.100.0.4, user: root, options: [${opts}"ProxyCommand=ip netns exec hp-vm-hub100 nc %h %p"]}
  - name: vm-hub200
    prefix: 10.200.0.0/16
    probe_host: 10.200.0.4
    runner: {kind: ssh, host: 10.200.0.4, user: root, options: [${opts}"ProxyCommand=ip netns exec hp-vm-hub200 nc %h %p"]}
nva:
  name: vm-hub00
  address: 10.0.0.4
  interface: eth0
  kind: $2
  state: $state
  runner: {kind: ssh, host: 10.0.0.4, user: root, options: [${opts}"ProxyCommand=ip netns exec hp-vm-hub00 nc %h %p"]}
route_servers:
  - address: 10.0.210.4
  - address: 10.0.210.5
route_server_limit: 1000
expectations:
  hops: [10.0.200.12, 10.0.0.4]
  timeouts: {converge_s: 60, step_s: 20, trace_s: 15}
YAML
}

# compare NAME WANT: verify over netns (the lab) and over ssh; same outcome (WANT),
# same verdict for every check, and for a FAIL the same diagnoses.
compare() {
  local name=$1 want=$2 nva rc_netns=0 rc_ssh=0
  nva=$("$HAIRPIN" lab status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["nva"])')
  SSHD_PIDS=()
  : > "$SSH_DIR/known_hosts"
  ssh_setup vm-hub100=10.100.0.4 vm-hub200=10.200.0.4 vm-hub00=10.0.0.4
  scenario "$TMP/$name.yaml" "$nva"
  "$HAIRPIN" verify --json --converge-timeout 5 > "$TMP/$name.netns.json" 2> "$TMP/$name.netns.err" || rc_netns=$?
  "$HAIRPIN" verify "$TMP/$name.yaml" --json --converge-timeout 5 --evidence "$TMP/$name.ssh-evidence" \
    > "$TMP/$name.ssh.json" 2> "$TMP/$name.ssh.err" || rc_ssh=$?
  valid_json "$TMP/$name.ssh.json"
  [ $rc_netns -eq $rc_ssh ] || { cat "$TMP/$name.ssh.err"; fail "$name: verify over ssh exited $rc_ssh, over netns $rc_netns"; }
  python3 - "$TMP/$name.netns.json" "$TMP/$name.ssh.json" "$want" <<'PY' || fail "$name: ssh and netns runners disagree"
import json, sys
n, s, want = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
assert n["outcome"] == s["outcome"] == want, (n["outcome"], s["outcome"], want)
assert s["scenario"]["nva"]["runner"]["kind"] == "ssh", s["scenario"]["nva"]["runner"]
assert all(site["runner"]["kind"] == "ssh" for site in s["scenario"]["sites"])
vn = {c["key"]: c["verdict"] for c in n["checks"]}
vs = {c["key"]: c["verdict"] for c in s["checks"]}
assert vn == vs, {k: (vn.get(k), vs.get(k)) for k in set(vn) | set(vs) if vn.get(k) != vs.get(k)}
assert [d["cause"] for d in n["diagnoses"]] == [d["cause"] for d in s["diagnoses"]], (n["diagnoses"], s["diagnoses"])
print("  %s: %s over both runners, %d checks alike, diagnoses %s" % (sys.argv[3], s["outcome"], len(vs), [d["cause"] for d in s["diagnoses"]]))
PY
  # The evidence names the ssh runner for the NVA's commands.
  grep -rqs "ssh" "$TMP/$name.ssh-evidence" || fail "$name: the evidence does not show the ssh runner"
  ssh_cleanup_sshd
}

ssh_cleanup_sshd() {
  local pid
  for pid in "${SSHD_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SSHD_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  SSHD_PIDS=()
}

lab_up
compare seed pass
lab_up --fault nva-noforward
compare nva-noforward fail
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["diagnoses"][0]["cause"]=="nva-not-forwarding", r["diagnoses"]' \
  "$TMP/nva-noforward.ssh.json" || fail "over ssh, nva-noforward is not diagnosed nva-not-forwarding"

[ "$(dot_ssh)" = "$DOT_SSH_BEFORE" ] || fail "root's ~/.ssh changed"
[ "$(listening)" = "$LISTEN_BEFORE" ] || fail "the root namespace's listening sockets changed"
pass "ssh runner: same verdicts as netns on the seed (PASS) and nva-noforward (FAIL, nva-not-forwarding)"
