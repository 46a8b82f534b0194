#!/usr/bin/env bash
# Headless Chromium (Debian's `chromium` package) for Drover's browser tests: the timeline report
# is loaded in it (examples' TimelineBrowserIT) and its benchmark measures it.
#
#   chromium-testbed.sh up       install chromium if it is missing (apt-get update first), then
#                                check that `chromium --headless` renders a page
#   chromium-testbed.sh status   exit 0 iff chromium is installed and prints its version
#
# Called with one line from `slurm-testbed.sh up`, and by examples' -Ptestbed profile before the
# integration tests. Idempotent: when chromium is there, `up` only checks (about a second).
# Output of apt-get goes to /var/log/drover-testbed/chromium.log.
set -euo pipefail

readonly LOG_DIR=/var/log/drover-testbed
readonly LOG="$LOG_DIR/chromium.log"
readonly LOCK_FILE=/run/drover-chromium-testbed.lock
readonly PACKAGES=(chromium fonts-dejavu-core)

say() { printf '[chromium-testbed %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

die() {
  say "ERROR: $*" >&2
  if [[ -f $LOG ]]; then
    printf '%s\n' "---- last lines of $LOG" >&2
    tail -n 30 "$LOG" >&2 || true
  fi
  exit 1
}

installed() {
  local status
  status="$(dpkg-query -W -f='${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null)" || return 1
  ! grep -qv '^ii' <<<"$status"
}

install_chromium() {
  if installed && command -v chromium >/dev/null; then return 0; fi
  export DEBIAN_FRONTEND=noninteractive
  say "apt-get update"
  apt-get update -q >>"$LOG" 2>&1 || die "apt-get update failed, see $LOG"
  say "apt-get install ${PACKAGES[*]}"
  apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >>"$LOG" 2>&1 ||
    die "apt-get install ${PACKAGES[*]} failed, see $LOG"
}

# Renders a tiny page whose script writes into the DOM: chromium runs headless and runs scripts.
smoke() {
  local dir out
  dir="$(mktemp -d)"
  printf '<!doctype html><title>t</title><p id=p>static</p><script>document.getElementById("p").textContent="scripted"</script>\n' \
    >"$dir/smoke.html"
  out="$(timeout 60 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$dir/profile" \
           --dump-dom "file://$dir/smoke.html" 2>>"$LOG")" || { rm -rf "$dir"; die "chromium --headless failed, see $LOG"; }
  rm -rf "$dir"
  grep -q 'scripted' <<<"$out" || die "chromium --headless did not run the page's script: $out"
}

cmd_up() {
  install -d -m 0755 "$LOG_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 600 9 || die "another chromium-testbed.sh holds $LOCK_FILE"
  install_chromium
  smoke
  say "up: $(chromium --version 2>/dev/null)"
}

cmd_status() {
  if ! command -v chromium >/dev/null; then echo "chromium is not installed"; return 1; fi
  chromium --version
}

main() {
  case "${1:-}" in
    up)
      if [[ $EUID -ne 0 ]]; then echo "chromium-testbed.sh up must run as root" >&2; exit 2; fi
      cmd_up ;;
    status) cmd_status ;;
    *) echo "usage: $0 up|status" >&2; exit 2 ;;
  esac
}

main "$@"
