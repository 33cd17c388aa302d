#!/usr/bin/env bash
# Install the Debian packages listed in the given files (one name per line).
# As root it installs them; with password-less sudo it uses sudo; otherwise
# it stops and prints the exact apt-get line to run.
set -euo pipefail
pkgs=$(cat "$@" | sed 's/#.*//' | xargs)
[ -n "$pkgs" ] || exit 0
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO="sudo"
else
  echo "These Debian packages are missing:$missing" >&2
  echo "Install them with:  sudo apt-get update && sudo apt-get install -y$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq$missing
