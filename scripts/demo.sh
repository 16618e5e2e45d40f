#!/usr/bin/env bash
# The README's first command: install what is missing, build, run the main job.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# The main job. Today: show what the build found (plugins) and what is attached
# (probes). It becomes "flash the example bundle into the simulated board and
# stream its output" once the simulator and flash command exist.
main_job() {
  local espctl="$repo/build/bin/espctl"
  echo "== espctl --version"
  "$espctl" --version
  echo
  echo "== espctl plugins list"
  "$espctl" plugins list
  echo
  echo "== espctl probes list"
  "$espctl" probes list
}

./scripts/install-deps.sh
./scripts/build.sh "$repo/build"
echo
main_job
