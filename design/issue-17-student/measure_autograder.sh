#!/bin/bash
# Measure what otter-grader and nbgrader pull in: a fresh venv each (the teacher's
# standalone install), and a dry-run against the book's venv (what it adds to the book's stack).
# Usage: measure_autograder.sh OUTDIR   (venvs go under OUTDIR, e.g. /var/tmp/ag17)
set -u
OUT=${1:-/var/tmp/ag17}
BOOK=/work/main/.venv/bin/python
mkdir -p "$OUT"
for pkg in otter-grader nbgrader; do
  v="$OUT/venv-$pkg"
  rm -rf "$v"
  /usr/bin/env python3.11 -m venv "$v" 2>/dev/null || "$BOOK" -m venv --without-pip "$v"
  [ -x "$v/bin/pip" ] || "$v/bin/python" -m ensurepip -q
  "$v/bin/python" -m pip install -q -U pip >/dev/null 2>&1
  base=$("$v/bin/python" -m pip list --format=freeze 2>/dev/null | wc -l)
  du0=$(du -sm "$v" | cut -f1)
  t0=$(date +%s)
  nice "$v/bin/python" -m pip install -q "$pkg" > "$OUT/$pkg.install.log" 2>&1
  rc=$?
  t1=$(date +%s)
  n=$("$v/bin/python" -m pip list --format=freeze 2>/dev/null | wc -l)
  du1=$(du -sm "$v" | cut -f1)
  "$v/bin/python" -m pip list --format=freeze > "$OUT/$pkg.freeze.txt"
  echo "$pkg fresh-venv: rc=$rc seconds=$((t1-t0)) packages_added=$((n-base)) (total $n) venv_MB_before=$du0 after=$du1 added_MB=$((du1-du0))" | tee -a "$OUT/summary.txt"
  # what it would add to / change in the book's venv (resolver only; installs nothing)
  "$BOOK" -m pip install --dry-run --quiet --report "$OUT/$pkg.book-dryrun.json" "$pkg" > "$OUT/$pkg.book-dryrun.log" 2>&1
  echo "$pkg dry-run over book venv rc=$?" | tee -a "$OUT/summary.txt"
done
