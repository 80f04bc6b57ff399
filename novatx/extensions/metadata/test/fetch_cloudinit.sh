#!/bin/sh
# Fetch cloud-init (not on PyPI) from Debian's package and unpack it, so the
# metadata tests can run its own readers. Usage:
#   novatx/extensions/metadata/test/fetch_cloudinit.sh DEST
#   export NOVATX_CLOUDINIT_PATH=DEST/usr/lib/python3/dist-packages
# Its Python dependencies (requests pyyaml jinja2 configobj jsonpatch jsonschema
# oauthlib) come with novatx's "test" extra.
set -eu
dest=${1:?usage: $0 DEST}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
cd "$work"
if ! apt-get download cloud-init >/dev/null 2>&1; then
    apt-get update >/dev/null
    apt-get download cloud-init >/dev/null
fi
dpkg-deb -x cloud-init_*.deb "$dest"
echo "NOVATX_CLOUDINIT_PATH=$dest/usr/lib/python3/dist-packages"
