#!/usr/bin/env bash
# Runs one example script many times, some at once, alternating languages, and
# checks every transcript against its golden (examples/golden/):
#   scripts/soak_example.sh examples/run-a-competition.txt 30 2 kk ru
# Prints a line per run and a summary; exits 1 if any run failed or differed.
set -uo pipefail
cd "$(dirname "$0")/.."
example=$1 runs=$2 parallel=$3; shift 3
langs=("$@")
python=${PYTHON:-.venv/bin/python}
work=$(mktemp -d)
one() {
    n=$1 lang=$2 dir="$work/$1-$2"
    mkdir -p "$dir"
    start=$(date +%s)
    "$python" -m bot sandbox --script "$example" --lang "$lang" --db "$dir/s.db" \
        --now 2026-12-07T15:00+05:00 > "$dir/out.txt" 2> "$dir/err.txt"
    rc=$?
    "$python" - "$dir/out.txt" "$(basename "$example")" "$lang" <<'PY' && same=golden || same=DIFFERS
import sys
from tests.sandbox.golden import golden_path, mask
out, name, lang = sys.argv[1:]
got = mask(open(out, encoding="utf-8").read())
sys.exit(0 if got == golden_path(name, lang).read_text(encoding="utf-8") else 1)
PY
    echo "run $n $lang exit=$rc transcript=$same seconds=$(( $(date +%s) - start )) stderr_lines=$(wc -l < "$dir/err.txt")"
}
export -f one
export work example python
started=$(date +%s)
for n in $(seq 1 "$runs"); do echo "$n ${langs[$(( (n - 1) % ${#langs[@]} ))]}"; done \
    | xargs -P "$parallel" -n 2 bash -c 'one "$0" "$1"' | tee "$work/summary.txt"
bad=$(grep -vc "exit=0 transcript=golden seconds=[0-9]* stderr_lines=0" "$work/summary.txt")
echo "runs: $runs, at once: $parallel, failed or differing: $bad, wall: $(( $(date +%s) - started )) s"
[ "$bad" -eq 0 ]
