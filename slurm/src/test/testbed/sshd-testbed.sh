#!/usr/bin/env bash
# Two real OpenSSH servers on 127.0.0.1 for Drover's SSH tests: a target (the "login node" of the
# SLURM testbed) and a jump host, each with its own host key, on fixed high ports. Called by
# slurm-testbed.sh up; as root on Debian 12, without systemd.
#
#   sshd-testbed.sh up               install openssh-server if missing, make keys, start both sshd
#   sshd-testbed.sh down             stop both
#   sshd-testbed.sh restart-target   stop the target sshd and its connections, start it again (reconnect tests)
#
# Everything the tests need is in $DIR (default /var/lib/drover-testbed/ssh):
#   client_ed25519, client_rsa, client_ecdsa    client keys (no passphrase), authorised for root
#   client_protected (passphrase "drover")      a key with a passphrase, authorised too
#   stranger_ed25519                            a key no server accepts
#   client_nostdin                              authorised with a forced command that runs the
#                                               command asked for with stdin from /dev/null
#   known_hosts                                 both servers' host keys, as [127.0.0.1]:port
#   testbed.properties                          ports and paths, read by the tests
#   user drover (home $DIR/home-drover, no rc files) may log in with the same keys
# The servers read authorised keys from $DIR/authorized_keys only (not ~/.ssh), and log to
# /var/log/drover-testbed/sshd-*.log.
set -euo pipefail

readonly DIR="${DROVER_SSH_TESTBED_DIR:-/var/lib/drover-testbed/ssh}"
readonly LOG_DIR=/var/log/drover-testbed
readonly TARGET_PORT="${DROVER_SSH_TARGET_PORT:-42022}"
readonly JUMP_PORT="${DROVER_SSH_JUMP_PORT:-42023}"

say() { printf '[sshd-testbed %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

install_server() {
  if [[ -x /usr/sbin/sshd ]]; then return 0; fi
  export DEBIAN_FRONTEND=noninteractive
  say "apt-get install openssh-server"
  local own_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=yes
  fi
  local rc=0
  apt-get install -y -q --no-install-recommends openssh-server >>"$LOG_DIR/sshd-install.log" 2>&1 || {
    apt-get update -q >>"$LOG_DIR/sshd-install.log" 2>&1 &&
      apt-get install -y -q --no-install-recommends openssh-server >>"$LOG_DIR/sshd-install.log" 2>&1
  } || rc=$?
  if [[ -n $own_policy ]]; then rm -f /usr/sbin/policy-rc.d; fi
  ((rc == 0)) || die "apt-get install openssh-server failed (rc $rc), see $LOG_DIR/sshd-install.log"
}

make_keys() {
  # 0711: users other than root reach authorized_keys (sshd reads it as the user); keys stay 0600.
  install -d -m 0711 "$DIR"
  # A user with a clean home (no shell rc files): what a login costs without this machine's
  # root .bashrc (pyenv init, ~0.3 s per command); SshBenchmark logs in as it.
  id drover >/dev/null 2>&1 || useradd --system --home-dir "$DIR/home-drover" --create-home --shell /bin/bash drover
  usermod -p "*" drover   # not locked ("!"): key logins only, no password
  local k
  for k in target jump; do
    [[ -f $DIR/host_$k ]] || ssh-keygen -q -t ed25519 -N '' -C "drover-testbed-$k" -f "$DIR/host_$k"
  done
  [[ -f $DIR/client_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C drover-client -f "$DIR/client_ed25519"
  [[ -f $DIR/client_rsa ]] || ssh-keygen -q -t rsa -b 3072 -N '' -C drover-client-rsa -f "$DIR/client_rsa"
  [[ -f $DIR/client_ecdsa ]] || ssh-keygen -q -t ecdsa -b 256 -N '' -C drover-client-ecdsa -f "$DIR/client_ecdsa"
  [[ -f $DIR/client_protected ]] || ssh-keygen -q -t ed25519 -N drover -C drover-protected -f "$DIR/client_protected"
  [[ -f $DIR/stranger_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C stranger -f "$DIR/stranger_ed25519"
  [[ -f $DIR/client_nostdin ]] || ssh-keygen -q -t ed25519 -N '' -C drover-nostdin -f "$DIR/client_nostdin"
  {
    cat "$DIR"/client_ed25519.pub "$DIR"/client_rsa.pub "$DIR"/client_ecdsa.pub "$DIR"/client_protected.pub
    # A login whose commands never get the session's stdin (a forced command, as restricted
    # accounts have): commands run, a shell reading commands from stdin does not.
    printf 'command="exec sh -c \\"$SSH_ORIGINAL_COMMAND\\" </dev/null" %s\n' "$(cat "$DIR/client_nostdin.pub")"
  } >"$DIR/authorized_keys"
  chmod 644 "$DIR/authorized_keys"
  {
    printf '[127.0.0.1]:%s %s\n' "$TARGET_PORT" "$(cut -d' ' -f1,2 "$DIR/host_target.pub")"
    printf '[127.0.0.1]:%s %s\n' "$JUMP_PORT" "$(cut -d' ' -f1,2 "$DIR/host_jump.pub")"
  } >"$DIR/known_hosts"
  cat >"$DIR/testbed.properties" <<EOF
host=127.0.0.1
user=root
benchUser=drover
targetPort=$TARGET_PORT
jumpPort=$JUMP_PORT
dir=$DIR
knownHosts=$DIR/known_hosts
EOF
}

write_config() {
  local name=$1 port=$2
  cat >"$DIR/sshd_$name.conf" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $DIR/host_$name
PidFile /run/drover-sshd-$name.pid
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
AllowTcpForwarding yes
MaxSessions 64
MaxStartups 64:30:128
ClientAliveInterval 0
Subsystem sftp internal-sftp
LogLevel VERBOSE
EOF
}

running() { [[ -f /run/drover-sshd-$1.pid ]] && kill -0 "$(cat "/run/drover-sshd-$1.pid")" 2>/dev/null; }

start() {
  local name=$1 port=$2
  if running "$name"; then return 0; fi
  install -d -m 0755 /run/sshd
  write_config "$name" "$port"
  /usr/sbin/sshd -t -f "$DIR/sshd_$name.conf" || die "sshd_$name.conf is not valid"
  setsid /usr/sbin/sshd -f "$DIR/sshd_$name.conf" -E "$LOG_DIR/sshd-$name.log" </dev/null
  local i
  for i in $(seq 1 50); do
    if running "$name" && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      say "sshd $name listens on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  die "sshd $name did not start on port $port, see $LOG_DIR/sshd-$name.log"
}

stop() {
  local name=$1
  if running "$name"; then
    # Its connections too (each is a child of the listening sshd): clients see them break.
    pkill -TERM -P "$(cat "/run/drover-sshd-$name.pid")" 2>/dev/null || true
    kill "$(cat "/run/drover-sshd-$name.pid")"
    local i
    for i in $(seq 1 50); do running "$name" || break; sleep 0.1; done
  fi
  rm -f "/run/drover-sshd-$name.pid"
}

check() {
  local opts=(-o BatchMode=yes -o UserKnownHostsFile="$DIR/known_hosts" -o StrictHostKeyChecking=yes
    -o IdentitiesOnly=yes -i "$DIR/client_ed25519")
  ssh "${opts[@]}" -o ProxyCommand="ssh ${opts[*]} -p $JUMP_PORT -W %h:%p root@127.0.0.1" \
    -p "$TARGET_PORT" root@127.0.0.1 true </dev/null >/dev/null 2>"$LOG_DIR/sshd-check.log" ||
    die "ssh through the jump host to the target failed, see $LOG_DIR/sshd-check.log"
}

install -d -m 0755 "$LOG_DIR"
case "${1:-}" in
  up)
    install_server
    make_keys
    start target "$TARGET_PORT"
    start jump "$JUMP_PORT"
    check
    ;;
  down)
    stop target
    stop jump
    ;;
  restart-target)
    stop target
    start target "$TARGET_PORT"
    ;;
  *)
    echo "usage: $0 up|down|restart-target" >&2
    exit 2
    ;;
esac
