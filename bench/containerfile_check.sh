#!/usr/bin/env bash
# Runs the steps of ./Containerfile without a container runtime, in chroots of a minimal Debian 12.
#
#   sudo bench/containerfile_check.sh [SCRATCH_PREFIX]     (root; default: <checkout>/../rootfs)
#
# What it does, stage by stage, as a builder would:
#   base   debootstrap --variant=minbase bookworm into SCRATCH_PREFIX-base, once; later runs reuse
#          it. Each stage below starts from a fresh copy of it, its apt sources set to those of
#          the debian:12 image (bookworm, bookworm-updates, bookworm-security).
#   build  WORKDIR /src; COPY . . copies the files git tracks (`git ls-files`, as they are in the
#          working tree; no build trees); the stage's RUN runs as `/bin/sh -c CMD` in /src.
#   final  COPY --from=build copies /build/raftsim_*.deb to /tmp; the stage's RUN runs; COPY puts
#          bench/explore/ at /scenarios; then ENTRYPOINT+CMD (`raftsim --help`) and
#          `raftsim run /usr/share/raftsim/scenarios/split_brain.yaml` must exit 0.
# The RUN commands are read from the Containerfile itself (continuation lines joined, comment lines
# dropped), so they cannot drift from it. Every other instruction is compared with the list this
# script knows how to emulate, and any difference stops it with an error: update both together.
#
# What it does NOT check: the Containerfile's syntax as a real builder parses it, layer and cache
# semantics, .dockerignore (it copies what git tracks instead), the image's metadata (ENTRYPOINT and
# CMD are run by hand here), the exact contents of the debian:12 image (a minbase debootstrap is
# close but not identical: e.g. the image's apt clean-up hooks are absent), and isolation: the
# chroots share the host's kernel, network and hostname, and their /proc shows the host's processes.
# Downloaded .debs are kept in SCRATCH_PREFIX-aptcache (bind-mounted) so reruns download less.
#
# Slow (it installs the build packages and builds raftsim from scratch, without ccache): a manual
# check, not a ctest. Results: bench/RESULTS-package.md.
set -euo pipefail

checkout=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:-$(dirname "$checkout")/rootfs}
containerfile=$checkout/Containerfile
mirror=http://deb.debian.org/debian
[ "$(id -u)" -eq 0 ] || { echo "containerfile_check: must run as root (debootstrap, chroot)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "containerfile_check: needs debootstrap (apt-get install debootstrap)" >&2; exit 2; }

log() { echo "containerfile_check [$(date -u +%H:%M:%S)]: $*" >&2; }
die() { echo "containerfile_check: FAIL: $*" >&2; exit 1; }

# --- Parse the Containerfile: one instruction per element, continuations joined. ---------------
instructions=()
current=""
while IFS= read -r line || [ -n "$line" ]; do
  trimmed="${line#"${line%%[![:space:]]*}"}"
  [[ -z "$trimmed" || "$trimmed" == \#* ]] && continue
  if [[ "$line" == *\\ ]]; then
    current+="${line%\\}"
    continue
  fi
  instructions+=("$current$line")
  current=""
done <"$containerfile"
[ -z "$current" ] || die "Containerfile ends inside a continuation line"

# The instructions this script emulates; RUN bodies are taken from the file, whatever they say.
expected=(
  "FROM debian:12 AS build"
  "WORKDIR /src"
  "COPY . ."
  "RUN"
  "FROM debian:12"
  "COPY --from=build /build/raftsim_*.deb /tmp/"
  "RUN"
  "COPY bench/explore/ /scenarios/"
  'ENTRYPOINT ["raftsim"]'
  'CMD ["--help"]'
)
runs=()
[ ${#instructions[@]} -eq ${#expected[@]} ] ||
  die "Containerfile has ${#instructions[@]} instructions, this script emulates ${#expected[@]}: update it with the Containerfile"
for i in "${!expected[@]}"; do
  if [ "${expected[$i]}" = RUN ]; then
    [[ "${instructions[$i]}" == "RUN "* ]] || die "instruction $((i + 1)) should be a RUN: ${instructions[$i]}"
    runs+=("${instructions[$i]#RUN }")
  else
    [ "${instructions[$i]}" = "${expected[$i]}" ] ||
      die "instruction $((i + 1)) is '${instructions[$i]}', this script emulates '${expected[$i]}': update it with the Containerfile"
  fi
done

# --- Mounts: every one is recorded and undone on exit, and no root is removed while mounted. ----
mounts=()
unmount_all() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[$i]}" 2>/dev/null || umount -l "${mounts[$i]}" || echo "containerfile_check: could not unmount ${mounts[$i]}" >&2
  done
  mounts=()
}
trap unmount_all EXIT
trap 'exit 130' INT TERM

mounted_under() { awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts; }
remove_root() {
  [ -n "$(mounted_under "$1")" ] && die "refusing to remove $1: still mounted: $(mounted_under "$1")"
  rm -rf --one-file-system "$1"
}

enter() { # ROOT: mount what apt and the compiler need, and the network's resolver
  local root=$1
  mount -t proc proc "$root/proc" && mounts+=("$root/proc")
  mkdir -p "$root/dev/pts"
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts" && mounts+=("$root/dev/pts")
  mkdir -p "$prefix-aptcache/partial" "$root/var/cache/apt/archives"
  mount --bind "$prefix-aptcache" "$root/var/cache/apt/archives" && mounts+=("$root/var/cache/apt/archives")
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
}

in_root() { # ROOT WORKDIR CMD: `/bin/sh -c CMD` in WORKDIR, with the image's environment
  # shellcheck disable=SC2016 # $1 and $2 are the inner shell's
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    chroot "$1" /bin/sh -c 'cd "$1" && exec /bin/sh -c "$2"' sh "$2" "$3"
}

fresh_root() { # NAME: a copy of the pristine base
  local root=$prefix-$1
  [ -d "$root" ] && remove_root "$root"
  cp -a "$prefix-base" "$root"
  rm -f "$root/etc/apt/sources.list" "$root"/var/cache/apt/archives/*.deb # debootstrap's downloads
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  echo "$root"
}

# --- base ---------------------------------------------------------------------------------------
if [ ! -x "$prefix-base/bin/sh" ]; then
  [ -d "$prefix-base.tmp" ] && remove_root "$prefix-base.tmp"
  log "debootstrap --variant=minbase bookworm -> $prefix-base"
  start=$SECONDS
  debootstrap --variant=minbase bookworm "$prefix-base.tmp" "$mirror" >"$prefix-debootstrap.log" 2>&1 ||
    { tail -20 "$prefix-debootstrap.log" >&2; die "debootstrap"; }
  rm -rf "$prefix-base.tmp/var/cache/apt/archives"/*.deb
  mv "$prefix-base.tmp" "$prefix-base"
  log "base ready in $((SECONDS - start)) s"
else
  log "reusing $prefix-base"
fi

# --- build stage --------------------------------------------------------------------------------
build_root=$(fresh_root build)
mkdir -p "$build_root/src"
(cd "$checkout" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$build_root/src"
log "build stage: $(cd "$checkout" && git ls-files | wc -l) tracked files copied to /src; RUN:"
echo "  ${runs[0]}" >&2
enter "$build_root"
start=$SECONDS
in_root "$build_root" /src "${runs[0]}" || die "the build stage's RUN exited $?"
build_seconds=$((SECONDS - start))
unmount_all
debs=("$build_root"/build/raftsim_*.deb)
[ -f "${debs[0]}" ] || die "the build stage made no /build/raftsim_*.deb"
log "build stage done in $build_seconds s: $(basename "${debs[@]}")"

# --- final stage --------------------------------------------------------------------------------
final_root=$(fresh_root final)
cp "${debs[@]}" "$final_root/tmp/"
log "final stage RUN:"
echo "  ${runs[1]}" >&2
enter "$final_root"
start=$SECONDS
in_root "$final_root" / "${runs[1]}" || die "the final stage's RUN exited $?"
log "final stage RUN done in $((SECONDS - start)) s"
mkdir -p "$final_root/scenarios"
cp -a "$checkout/bench/explore/." "$final_root/scenarios/"

# What the image would run: ENTRYPOINT ["raftsim"] + CMD ["--help"], then a shipped scenario.
in_root "$final_root" / 'raftsim --help' >"$prefix-final-help.txt" || die "raftsim --help exited $?"
log "raftsim --help: exit 0 ($(wc -l <"$prefix-final-help.txt") lines)"
in_root "$final_root" / 'raftsim run /usr/share/raftsim/scenarios/split_brain.yaml' >"$prefix-final-run.txt" ||
  die "raftsim run split_brain.yaml exited $?"
log "raftsim run /usr/share/raftsim/scenarios/split_brain.yaml: exit 0; last lines:"
tail -3 "$prefix-final-run.txt" >&2
diff -r "$checkout/bench/explore" "$final_root/scenarios" >/dev/null || die "/scenarios differs from bench/explore"
# The final image is the package and its declared dependencies: no compiler came along.
if in_root "$final_root" / 'command -v g++ || command -v cmake' >/dev/null; then
  die "the final root has a compiler or cmake"
fi
[ -z "$(find "$final_root/var/lib/apt/lists" -mindepth 1 -maxdepth 1 ! -name lock ! -name partial 2>/dev/null)" ] ||
  die "the final stage left apt lists behind"
unmount_all
log "PASS: build stage ${build_seconds} s; final root $(du -sh --one-file-system "$final_root" | cut -f1) (about the image's size)"
