#!/usr/bin/env bash
# Trains once without interruption and once killed with SIGKILL after its
# first checkpoints, then resumed with --resume; prints whether the two
# written networks are byte-identical.
#   kill_resume.sh SPARSEC NET DATA [train options...]
set -u
sparsec=$1 net=$2 data=$3
shift 3
"$sparsec" train "$net" --data "$data" -o full.mlir "$@" > full.log || exit 1
rm -f ck part.mlir
"$sparsec" train "$net" --data "$data" -o part.mlir "$@" \
  --checkpoint ck --checkpoint-every 7 > part1.log &
pid=$!
# Wait for a checkpoint that is not the first one, then kill mid-step.
for _ in $(seq 1 2000); do
  [ -s ck ] && break
  sleep 0.01
done
sleep 0.2
if ! kill -KILL "$pid" 2>/dev/null; then
  echo "the run finished before it could be killed"
  exit 1
fi
wait "$pid"
echo "killed: exit status $?"
[ -e part.mlir ] && echo "part.mlir written by the killed run"
"$sparsec" train "$net" --data "$data" -o part.mlir "$@" \
  --checkpoint ck --checkpoint-every 7 --resume > part2.log || exit 1
grep '^resuming at step' part2.log
if cmp -s full.mlir part.mlir; then
  echo "identical: yes"
else
  echo "identical: no"
fi
