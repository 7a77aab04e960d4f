#!/bin/sh
# The Debian package as a user gets it: cpack builds it from BUILD_DIR, dpkg -x unpacks it into a
# scratch root, and the installed binary runs a shipped scenario from its installed path. Every
# shared library the binary needs must come from a package the .deb declares in Depends.
# Usage: package_test.sh BUILD_DIR SCRATCH_DIR
set -eu
build=$1 scratch=$2
rm -rf "$scratch"
mkdir -p "$scratch"
(cd "$build" && cpack -G DEB -B "$scratch/out" >"$scratch/cpack.log" 2>&1) || {
  cat "$scratch/cpack.log"
  echo "FAIL: cpack"
  exit 1
}
deb=$(ls "$scratch"/out/raftsim_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
echo "package: $(basename "$deb")"
echo "Depends: $depends"

root="$scratch/root"
dpkg -x "$deb" "$root"
for path in usr/bin/raftsim usr/share/raftsim/scenarios/split_brain.yaml \
            usr/share/raftsim/scenarios/scenario.schema.json usr/share/doc/raftsim/README.md; do
  [ -e "$root/$path" ] || { echo "FAIL: the package has no /$path"; exit 1; }
done

# Each library the binary links directly (its NEEDED entries; their own dependencies are their
# packages' business) and the package that ships it. One dpkg -S for all: each call reads the
# whole package database. Merged /usr: dpkg may know a file under /lib or under /usr/lib.
bin="$root/usr/bin/raftsim"
needed=$(objdump -p "$bin" | awk '$1 == "NEEDED" {print $2}')
paths=$(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3}')
candidates=$(for p in $paths; do echo "$p"; echo "/usr${p#/usr}"; echo "${p#/usr}"; done | sort -u)
# shellcheck disable=SC2086
dpkg -S $candidates >"$scratch/owners" 2>/dev/null || true
missing=0
for lib in $needed; do
  owner=$(grep "/$lib\$" "$scratch/owners" | head -n 1 | cut -d: -f1)
  if [ -z "$owner" ]; then
    echo "FAIL: no Debian package ships $lib"
    missing=1
  elif ! echo "$depends" | tr ',' '\n' | grep -q "^ *$owner\( \|$\)"; then
    echo "FAIL: $lib comes from $owner, which Depends does not name"
    missing=1
  fi
done
[ "$missing" -eq 0 ]

"$root/usr/bin/raftsim" run --quiet "$root/usr/share/raftsim/scenarios/split_brain.yaml"
echo "PASS: the installed raftsim ran the installed split_brain.yaml"
