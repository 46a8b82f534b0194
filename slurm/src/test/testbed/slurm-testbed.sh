#!/usr/bin/env bash
# Single-node SLURM 22.05 cluster with accounting (munge + MariaDB + slurmdbd + slurmctld +
# slurmd) on Debian 12, as root, without systemd. Used by Drover's integration tests and CI.
#
#   slurm-testbed.sh up            install what is missing, start what is not running, wait until
#                                  the node is idle and (after a start) a trivial job completed
#   slurm-testbed.sh down          stop every daemon (packages and state stay)
#   slurm-testbed.sh status        exit 0 iff slurmctld answers and the node is not down
#   slurm-testbed.sh restart-ctld  restart slurmctld only (fault tests), wait until it answers
#   slurm-testbed.sh logs          print the tail of every log
#
# `up` is idempotent: when everything runs it only checks, in well under a second.
# Daemons are started detached (own session, stdin from /dev/null, output to log files) so a
# calling Maven or CI process never waits on their output.
# Every log is under /var/log/drover-testbed/ so a failed CI run can print them (`logs`).
set -euo pipefail

readonly CLUSTER_NAME="${DROVER_TESTBED_CLUSTER:-drover}"
readonly LOG_DIR=/var/log/drover-testbed
readonly UP_LOG="$LOG_DIR/up.log"
readonly SLURM_ETC=/etc/slurm
readonly CTLD_SPOOL=/var/spool/slurmctld
readonly SLURMD_SPOOL=/var/spool/slurmd
readonly DB_NAME=slurm_acct_db
readonly DB_USER=slurm
readonly DB_PASS=drover-testbed
readonly MYSQL_SOCK=/run/mysqld/mysqld.sock
readonly MUNGE_KEY=/etc/munge/munge.key
readonly LOCK_FILE=/run/drover-slurm-testbed.lock
# slurm-wlm-torque: Torque-style qsub/qstat/qdel over this cluster, for the PBS module's integration tests.
readonly PACKAGES=(munge mariadb-server slurm-wlm slurm-client slurmd slurmctld slurmdbd slurm-wlm-torque)
readonly WAIT_SECONDS="${DROVER_TESTBED_WAIT:-60}"

# ---------------------------------------------------------------- helpers

now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

say() {
  local line
  line="[testbed $(date +%H:%M:%S)] $*"
  printf '%s\n' "$line"
  if [[ -d $LOG_DIR ]]; then printf '%s\n' "$line" >>"$UP_LOG"; fi
}

die() {
  say "ERROR: $*"
  if [[ -f $UP_LOG ]]; then
    printf '%s\n' "---- last lines of $UP_LOG" >&2
    tail -n 30 "$UP_LOG" >&2 || true
  fi
  exit 1
}

PHASE_NAME=""
PHASE_START=""
phase() {
  end_phase
  PHASE_NAME="$1"
  PHASE_START="$(now)"
}
end_phase() {
  if [[ -n $PHASE_NAME ]]; then say "phase ${PHASE_NAME}: $(elapsed "$PHASE_START") s"; fi
  PHASE_NAME=""
}

# Runs a command with its output appended to up.log only.
logged() {
  printf '+ %s\n' "$*" >>"$UP_LOG"
  "$@" >>"$UP_LOG" 2>&1
}

# Waits until "$@" succeeds, at most $1 seconds, polling every 0.2 s.
wait_for() {
  local limit="$1"; shift
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then return 1; fi
    sleep 0.2
  done
}

# Pids of a daemon: from its pid file when that process still has the expected name,
# otherwise by exact process name.
daemon_pids() {
  local name="$1" pidfile="${2:-}" pid
  if [[ -n $pidfile && -r $pidfile ]]; then
    pid="$(tr -dc '0-9' <"$pidfile" || true)"
    if [[ -n $pid && "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == "$name" ]]; then
      echo "$pid"
      return 0
    fi
  fi
  pgrep -x "$name" || true
}

running() { [[ -n "$(daemon_pids "$@")" ]]; }

# Starts a command in its own session, detached from the caller's terminal and pipes.
start_detached() {
  local out="$1"; shift
  printf '+ %s\n' "$*" >>"$UP_LOG"
  # 9>&- : the daemon must not inherit (and hold forever) the lock of this script.
  setsid -f "$@" </dev/null >>"$out" 2>&1 9>&-
}

none_alive() {
  local p
  for p in "$@"; do
    if kill -0 "$p" 2>/dev/null; then return 1; fi
  done
}

# Stops a daemon with TERM, then KILL after $3 seconds.
stop_daemon() {
  local name="$1" pidfile="$2" limit="${3:-20}" pids
  pids="$(daemon_pids "$name" "$pidfile")"
  if [[ -z $pids ]]; then return 0; fi
  say "stopping $name (pid ${pids//$'\n'/ })"
  # shellcheck disable=SC2086 # one word per pid
  kill -TERM $pids 2>/dev/null || true
  # shellcheck disable=SC2086
  if ! wait_for "$limit" none_alive $pids; then
    say "$name did not stop within ${limit} s; sending KILL"
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    # shellcheck disable=SC2086
    wait_for 5 none_alive $pids || true
  fi
}

# Writes stdin to a file when its content differs. Returns 0 only if a setting changed (a
# daemon must restart), 1 if nothing or only comments changed.
write_if_changed() {
  local file="$1" mode="$2" owner="$3" tmp
  tmp="$(mktemp "$file.XXXXXX")"
  cat >"$tmp"
  chmod "$mode" "$tmp"
  chown "$owner" "$tmp"
  if [[ -f $file ]] && cmp -s "$tmp" "$file" &&
     [[ "$(stat -c '%a %U' "$file")" == "$(stat -c '%a %U' "$tmp")" ]]; then
    rm -f "$tmp"
    return 1
  fi
  local settings_changed=0
  if [[ -f $file ]] && cmp -s <(grep -v '^#' "$tmp") <(grep -v '^#' "$file"); then
    settings_changed=1
  fi
  mv -f "$tmp" "$file"
  return "$settings_changed"
}

node_name() { hostname -s; }

# Node state as sinfo reports it (lower case, e.g. idle, mixed, down*, drained), or nothing.
node_state() { sinfo -h -N -n "$(node_name)" -o '%T' 2>/dev/null | head -n 1; }

# "planned" (22.05+) is an idle node that backfill has reserved for a pending job; a trailing
# "*" means not responding, so such states do not match.
node_usable() {
  [[ "$(node_state)" =~ ^(idle|mixed|allocated|completing|planned)\+?$ ]]
}


ctld_answers() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
dbd_answers() { sacctmgr -n -P list cluster format=cluster >/dev/null 2>&1; }
munge_answers() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
mysql_answers() { [[ -S $MYSQL_SOCK ]] && mysqladmin --socket="$MYSQL_SOCK" ping >/dev/null 2>&1; }

# ---------------------------------------------------------------- install

packages_installed() {
  local status
  status="$(dpkg-query -W -f='${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null)" || return 1
  ! grep -qv '^ii' <<<"$status"
}

install_packages() {
  phase install
  if packages_installed; then
    PHASE_NAME=""
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  if apt-cache policy "${PACKAGES[@]}" 2>/dev/null | grep -q 'Candidate: (none)' ||
     [[ -z "$(apt-cache policy slurm-wlm 2>/dev/null)" ]]; then
    say "apt-get update"
    logged apt-get update -q || die "apt-get update failed"
  fi
  # Package scripts must not try to start services: there is no init system here, and this
  # script starts the daemons itself. Debian's policy-rc.d convention (exit 101) says so.
  local own_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=yes
  fi
  say "apt-get install ${PACKAGES[*]}"
  local rc=0
  logged apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${PACKAGES[@]}" || rc=$?
  if [[ -n $own_policy ]]; then rm -f /usr/sbin/policy-rc.d; fi
  ((rc == 0)) || die "apt-get install failed (rc $rc), see $UP_LOG"
}

# ---------------------------------------------------------------- munge

start_munge() {
  phase munge
  if running munged /run/munge/munged.pid; then PHASE_NAME=""; return 0; fi
  install -d -m 0700 -o munge -g munge /etc/munge
  install -d -m 0711 -o munge -g munge /var/lib/munge
  install -d -m 0755 -o munge -g munge /run/munge
  if [[ ! -s $MUNGE_KEY ]]; then
    say "creating $MUNGE_KEY"
    dd if=/dev/urandom of="$MUNGE_KEY" bs=1024 count=1 status=none
  fi
  chown munge:munge "$MUNGE_KEY"
  chmod 0400 "$MUNGE_KEY"
  touch "$LOG_DIR/munged.log"
  chown munge:munge "$LOG_DIR/munged.log"
  chmod 0640 "$LOG_DIR/munged.log"
  rm -f /run/munge/munged.pid
  start_detached "$LOG_DIR/munged.log" runuser -u munge -- /usr/sbin/munged \
    --key-file="$MUNGE_KEY" --log-file="$LOG_DIR/munged.log" --pid-file=/run/munge/munged.pid
  wait_for "$WAIT_SECONDS" munge_answers || die "munged does not answer, see $LOG_DIR/munged.log"
}

# ---------------------------------------------------------------- MariaDB

start_mariadb() {
  phase mariadb
  if running mariadbd /run/mysqld/mysqld.pid; then
    PHASE_NAME=""
  else
    install -d -m 0755 -o mysql -g mysql /run/mysqld
    touch "$LOG_DIR/mariadb.log"
    chown mysql:adm "$LOG_DIR/mariadb.log"
    chmod 0640 "$LOG_DIR/mariadb.log"
    if [[ ! -d /var/lib/mysql/mysql ]]; then
      say "initialising /var/lib/mysql"
      logged mariadb-install-db --user=mysql --datadir=/var/lib/mysql \
        --auth-root-authentication-method=socket --skip-test-db ||
        die "mariadb-install-db failed"
    fi
    # mysqld_safe stays in the foreground and restarts mariadbd if it crashes.
    # The InnoDB settings are the ones slurmdbd asks for (it warns otherwise).
    start_detached "$LOG_DIR/mariadb.log" /usr/bin/mysqld_safe --skip-syslog \
      --log-error="$LOG_DIR/mariadb.log" --pid-file=/run/mysqld/mysqld.pid \
      --socket="$MYSQL_SOCK" --bind-address=127.0.0.1 \
      --innodb-buffer-pool-size=512M --innodb-lock-wait-timeout=900
    wait_for "$WAIT_SECONDS" mysql_answers || die "MariaDB does not answer, see $LOG_DIR/mariadb.log"
  fi
  # Idempotent; skipped when the database exists to keep a no-op `up` fast.
  if [[ -d /var/lib/mysql/$DB_NAME ]]; then return 0; fi
  mysql --socket="$MYSQL_SOCK" -u root <<SQL || die "creating the accounting database failed"
CREATE DATABASE IF NOT EXISTS ${DB_NAME};
CREATE USER IF NOT EXISTS '${DB_USER}'@'localhost' IDENTIFIED BY '${DB_PASS}';
GRANT ALL ON ${DB_NAME}.* TO '${DB_USER}'@'localhost';
SQL
}

# ---------------------------------------------------------------- configuration

SLURM_CONF_CHANGED=""
DBD_CONF_CHANGED=""

write_configs() {
  install -d -m 0755 "$SLURM_ETC"
  install -d -m 0755 "$CTLD_SPOOL" "$SLURMD_SPOOL"

  if write_if_changed "$SLURM_ETC/slurmdbd.conf" 600 root <<EOF; then DBD_CONF_CHANGED=yes; fi
# Written by slurm-testbed.sh; changes are overwritten.
AuthType=auth/munge
DbdHost=localhost
DbdPort=6819
SlurmUser=root
DebugLevel=info
LogFile=$LOG_DIR/slurmdbd.log
PidFile=/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StoragePort=3306
StorageUser=$DB_USER
StoragePass=$DB_PASS
StorageLoc=$DB_NAME
EOF

  # The node as slurmd sees it, with 20% of the memory kept back for the OS and daemons.
  local node hw cpus sockets cores threads boards mem
  node="$(node_name)"
  hw="$(slurmd -C 2>/dev/null | head -n 1)"
  field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$hw"; }
  cpus="$(field CPUs)"; boards="$(field Boards)"; sockets="$(field SocketsPerBoard)"
  cores="$(field CoresPerSocket)"; threads="$(field ThreadsPerCore)"; mem="$(field RealMemory)"
  [[ -n $cpus && -n $mem ]] || die "cannot read the node's hardware from 'slurmd -C': $hw"
  mem=$((mem * 80 / 100))

  if write_if_changed "$SLURM_ETC/slurm.conf" 644 root <<EOF; then SLURM_CONF_CHANGED=yes; fi
# Written by slurm-testbed.sh; changes are overwritten.
ClusterName=$CLUSTER_NAME
SlurmctldHost=$node
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=5,sched_interval=10
PreemptType=preempt/none
ReturnToService=2
JobRequeue=0
MinJobAge=300
KillWait=5
MaxArraySize=10001
MaxJobCount=100000
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
Waittime=0
StateSaveLocation=$CTLD_SPOOL
SlurmdSpoolDir=$SLURMD_SPOOL
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=6819
# Comments (which carry the submission token) in accounting: Drover finds a submission whose id
# it never got by token in sacct too, after the job has left squeue (MinJobAge).
AccountingStoreFlags=job_comment
# No cgroups: memory limits are enforced by polling every 2 s (OverMemoryKill). A job over its
# memory is killed with SIGKILL and ends FAILED 0:9 (not OUT_OF_MEMORY, which needs task/cgroup).
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=2
JobAcctGatherParams=OverMemoryKill
JobCompType=jobcomp/none
NodeName=$node CPUs=$cpus Boards=${boards:-1} SocketsPerBoard=${sockets:-1} CoresPerSocket=${cores:-$cpus} ThreadsPerCore=${threads:-1} RealMemory=$mem State=UNKNOWN
# A default memory per cpu lets jobs that ask none run side by side (CR_Core_Memory would
# otherwise give each the whole node).
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP DefMemPerCPU=1024
PartitionName=other Nodes=$node Default=NO MaxTime=INFINITE State=UP DefMemPerCPU=1024
EOF
}

# ---------------------------------------------------------------- SLURM daemons

start_slurmdbd() {
  phase slurmdbd
  if running slurmdbd /run/slurmdbd.pid; then
    if [[ -z $DBD_CONF_CHANGED ]]; then PHASE_NAME=""; return 0; fi
    say "slurmdbd.conf changed: restarting slurmdbd"
    stop_daemon slurmdbd /run/slurmdbd.pid 20
  fi
  start_detached "$LOG_DIR/slurmdbd.log" /usr/sbin/slurmdbd
  wait_for "$WAIT_SECONDS" dbd_answers || die "slurmdbd does not answer, see $LOG_DIR/slurmdbd.log"
}

add_cluster() {
  # slurmdbd creates <cluster>_job_table when the cluster is added: a cheap check on disk.
  if [[ -e /var/lib/mysql/$DB_NAME/${CLUSTER_NAME}_job_table.frm ]]; then return 0; fi
  if sacctmgr -n -P list cluster format=cluster 2>/dev/null | grep -qx "$CLUSTER_NAME"; then
    return 0
  fi
  phase add-cluster
  logged sacctmgr -i add cluster "$CLUSTER_NAME" || die "sacctmgr add cluster failed"
}

STARTED_SLURM=""

start_slurmctld() {
  phase slurmctld
  if running slurmctld /run/slurmctld.pid; then
    if [[ -z $SLURM_CONF_CHANGED ]]; then PHASE_NAME=""; return 0; fi
    say "slurm.conf changed: restarting slurmctld"
    stop_daemon slurmctld /run/slurmctld.pid 30
  fi
  start_detached "$LOG_DIR/slurmctld.log" /usr/sbin/slurmctld
  STARTED_SLURM=yes
  wait_for "$WAIT_SECONDS" ctld_answers || die "slurmctld does not answer, see $LOG_DIR/slurmctld.log"
}

start_slurmd() {
  phase slurmd
  if running slurmd /run/slurmd.pid; then
    if [[ -z $SLURM_CONF_CHANGED ]]; then PHASE_NAME=""; return 0; fi
    say "slurm.conf changed: restarting slurmd"
    stop_daemon slurmd /run/slurmd.pid 30
  fi
  start_detached "$LOG_DIR/slurmd.log" /usr/sbin/slurmd
  STARTED_SLURM=yes
}

wait_node_ready() {
  if node_usable; then return 0; fi
  phase node-idle
  local deadline=$((SECONDS + WAIT_SECONDS)) resumed=""
  until node_usable; do
    if ((SECONDS >= deadline)); then
      sinfo -N -l >>"$UP_LOG" 2>&1 || true
      die "node $(node_name) not usable after ${WAIT_SECONDS} s (state: $(node_state)), see $LOG_DIR/slurmd.log"
    fi
    # A node drained or downed by an earlier incarnation (e.g. "Kill task failed") is
    # resumed once; ReturnToService=2 only covers nodes that were down for not responding.
    if [[ -z $resumed && "$(node_state)" =~ ^(drain|drained|draining|down)$ ]]; then
      say "node state $(node_state): resuming it"
      scontrol update NodeName="$(node_name)" State=RESUME >>"$UP_LOG" 2>&1 || true
      resumed=yes
    fi
    sleep 0.2
  done
}

smoke_job() {
  phase smoke-job
  local id state=""
  # Top priority (root may set it): on a shared testbed the queue may hold other jobs.
  id="$(sbatch --parsable --job-name=drover-testbed-smoke --chdir=/tmp --output=/dev/null \
          --time=1 --priority=4294967000 --wrap=true 2>>"$UP_LOG")" ||
    die "sbatch of a trivial job failed"
  local deadline=$((SECONDS + WAIT_SECONDS))
  while ((SECONDS < deadline)); do
    state="$(sacct -n -X -P -o State -j "$id" 2>/dev/null | head -n 1)"
    if [[ $state == COMPLETED ]]; then return 0; fi
    sleep 0.3
  done
  die "trivial job $id did not complete within ${WAIT_SECONDS} s (last sacct state: '${state}')"
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local t0
  t0="$(now)"
  install -d -m 0755 "$LOG_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 120 9 || die "another slurm-testbed.sh holds $LOCK_FILE"
  install_packages
  start_munge
  start_mariadb
  phase configs
  write_configs
  PHASE_NAME=""
  start_slurmdbd
  add_cluster
  start_slurmctld
  start_slurmd
  wait_node_ready
  if [[ -n $STARTED_SLURM ]]; then smoke_job; fi
  end_phase
  # The SSH tests' servers (a login node and a jump host on 127.0.0.1): see sshd-testbed.sh.
  bash "$(dirname "${BASH_SOURCE[0]}")/sshd-testbed.sh" up || die "the SSH servers of the testbed did not start"
  bash "$(dirname "${BASH_SOURCE[0]}")/chromium-testbed.sh" up || die "chromium for the browser tests: see $LOG_DIR/chromium.log"
  say "up: cluster '$CLUSTER_NAME' ready in $(elapsed "$t0") s"
}

cmd_down() {
  local t0
  t0="$(now)"
  install -d -m 0755 "$LOG_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 120 9 || die "another slurm-testbed.sh holds $LOCK_FILE"
  stop_daemon slurmd /run/slurmd.pid 30
  stop_daemon slurmctld /run/slurmctld.pid 30
  stop_daemon slurmdbd /run/slurmdbd.pid 30
  if running mariadbd /run/mysqld/mysqld.pid; then
    mysqladmin --socket="$MYSQL_SOCK" shutdown >/dev/null 2>&1 || true
    stop_daemon mariadbd /run/mysqld/mysqld.pid 30
  fi
  stop_daemon mysqld_safe "" 10
  stop_daemon munged /run/munge/munged.pid 10
  say "down in $(elapsed "$t0") s"
}

cmd_restart_ctld() {
  local t0
  t0="$(now)"
  install -d -m 0755 "$LOG_DIR"
  stop_daemon slurmctld /run/slurmctld.pid 30
  start_detached "$LOG_DIR/slurmctld.log" /usr/sbin/slurmctld
  wait_for "$WAIT_SECONDS" ctld_answers || die "slurmctld does not answer after restart"
  # Until slurmd registers again (a few seconds) the node is "unknown" and nothing starts.
  wait_node_ready
  end_phase
  say "slurmctld restarted in $(elapsed "$t0") s"
}

cmd_status() {
  local name pidfile pids rc=0
  for spec in munged:/run/munge/munged.pid mariadbd:/run/mysqld/mysqld.pid \
              slurmdbd:/run/slurmdbd.pid slurmctld:/run/slurmctld.pid slurmd:/run/slurmd.pid; do
    name="${spec%%:*}"; pidfile="${spec#*:}"
    pids="$(daemon_pids "$name" "$pidfile")"
    printf '%-10s %s\n' "$name" "${pids:-not running}"
  done
  if ! command -v scontrol >/dev/null; then echo "slurm is not installed"; return 1; fi
  scontrol ping 2>&1 || true
  if ! ctld_answers; then echo "slurmctld does not answer"; return 1; fi
  sinfo -N -o '%N %P %T %C %m %E' 2>&1 || true
  if ! node_usable; then echo "node $(node_name) is $(node_state)"; rc=1; fi
  return "$rc"
}

cmd_logs() {
  local f
  for f in "$LOG_DIR"/*.log; do
    [[ -e $f ]] || continue
    printf '==== %s (last 50 lines)\n' "$f"
    tail -n 50 "$f"
  done
}

main() {
  if [[ $EUID -ne 0 ]]; then echo "slurm-testbed.sh must run as root" >&2; exit 2; fi
  case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    restart-ctld) cmd_restart_ctld ;;
    logs) cmd_logs ;;
    *) echo "usage: $0 up|down|status|restart-ctld|logs" >&2; exit 2 ;;
  esac
}

main "$@"
