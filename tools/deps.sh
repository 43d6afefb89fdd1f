#!/bin/sh
# Install the Debian packages named on the command line that are not installed yet.
# Idempotent: does nothing (and needs no network) when everything is present.
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && { echo "deps: all Debian packages present"; exit 0; }
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
  echo "deps: not root; run as root: apt-get install$missing" >&2
  exit 1
fi
apt-get update -qq || exit 1
# No package's service is started by the install (nginx's, for one: the
# tests run their own).  invoke-rc.d asks /usr/sbin/policy-rc.d; one that
# answers 101 is put there for the install only, unless the machine has one.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  trap 'rm -f "$policy"' EXIT
  trap 'exit 1' INT TERM
  printf '#!/bin/sh\n# tools/deps.sh: no service starts during the install\nexit 101\n' >"$policy" && chmod 755 "$policy"
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing || exit 1
