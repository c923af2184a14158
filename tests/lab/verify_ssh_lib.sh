# sshd inside lab namespaces, for the ssh runner's lab test (source after lib.sh).
#
# In:  a running lab; the nodes to serve (each gets its own sshd on its own lab
#      address, port 22, inside its namespace).
# Out: SSH_DIR holding everything private to this run: a host key, a user key, the
#      authorized_keys, a known_hosts naming each node's address and that host key,
#      and ssh_config (Host <node>: HostName <address>, ProxyCommand nc run inside
#      the node's namespace, BatchMode, StrictHostKeyChecking yes, that known_hosts
#      only, that key only). `ssh -F "$SSH_DIR/ssh_config" <node> CMD` then runs CMD
#      in the node's namespace.
# Never touched: root's ~/.ssh, the system's /etc/ssh, any sshd of the root
# namespace (none is started or signalled here; each of ours is ended by its pid).
# The TCP connection is made from inside the node's namespace (ProxyCommand), so
# nothing is sent from the root namespace, which has no link to the lab anyway.

SSH_DIR=$(mktemp -d /tmp/hptest-verifylab-ssh.XXXXXX)
SSHD_PIDS=()
SSH_MADE_PRIVSEP_DIR=false

ssh_cleanup() {
  local pid
  for pid in "${SSHD_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SSHD_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  # sshd needs its privilege separation directory; remove it only if we made it.
  if $SSH_MADE_PRIVSEP_DIR; then rmdir /run/sshd 2>/dev/null || true; fi
  rm -rf "$SSH_DIR"
}

# ssh_setup NODE=ADDRESS...: keys, config and one sshd per node, listening on
# ADDRESS:22 in hp-NODE (sessions get PATH=$SSHD_PATH when set); waits (bounded)
# until each answers `ssh NODE true`. Callable again after the lab was rebuilt
# (new sshds; keys made once).
ssh_setup() {
  [ -e "$SSH_DIR/host_key" ] || ssh-keygen -q -t ed25519 -N '' -C hptest-host -f "$SSH_DIR/host_key" || fail "ssh-keygen (host key)"
  [ -e "$SSH_DIR/user_key" ] || ssh-keygen -q -t ed25519 -N '' -C hptest-user -f "$SSH_DIR/user_key" || fail "ssh-keygen (user key)"
  cp "$SSH_DIR/user_key.pub" "$SSH_DIR/authorized_keys"
  if [ ! -d /run/sshd ]; then mkdir -m 0755 /run/sshd; SSH_MADE_PRIVSEP_DIR=true; fi
  : > "$SSH_DIR/known_hosts"
  : > "$SSH_DIR/ssh_config"
  local spec node ns addr nodes=()
  for spec in "$@"; do
    node=${spec%%=*} addr=${spec#*=} ns=hp-${spec%%=*}
    nodes+=("$node")
    # The key files live in a mktemp dir under /tmp (sticky, world-writable), which
    # StrictModes would refuse; the directory itself is 0700 and root's.
    cat > "$SSH_DIR/sshd_config.$node" <<CONF
ListenAddress $addr
Port 22
HostKey $SSH_DIR/host_key
PidFile $SSH_DIR/sshd.$node.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PrintMotd no
SetEnv PATH=${SSHD_PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}
CONF
    ip netns exec "$ns" /usr/sbin/sshd -D -e -f "$SSH_DIR/sshd_config.$node" -h "$SSH_DIR/host_key" \
      2> "$SSH_DIR/sshd.$node.log" &
    SSHD_PIDS+=($!)
    echo "$addr $(cut -d' ' -f1,2 "$SSH_DIR/host_key.pub")" >> "$SSH_DIR/known_hosts"
    cat >> "$SSH_DIR/ssh_config" <<CONF
Host $node
  HostName $addr
  User root
  ProxyCommand ip netns exec $ns nc %h %p
CONF
  done
  cat >> "$SSH_DIR/ssh_config" <<CONF
Host *
  BatchMode yes
  StrictHostKeyChecking yes
  UserKnownHostsFile $SSH_DIR/known_hosts
  GlobalKnownHostsFile /dev/null
  IdentityFile $SSH_DIR/user_key
  IdentitiesOnly yes
  ConnectTimeout 5
  LogLevel ERROR
CONF
  for node in "${nodes[@]}"; do
    local ok=false
    for _ in $(seq 50); do  # bounded: sshd listens within a few hundred ms
      if ssh -F "$SSH_DIR/ssh_config" "$node" true 2>/dev/null; then ok=true; break; fi
      sleep 0.1
    done
    $ok || { cat "$SSH_DIR/sshd.$node.log" >&2; fail "sshd on $node did not answer"; }
  done
}
