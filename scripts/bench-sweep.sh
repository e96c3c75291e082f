#!/usr/bin/env bash
# `npm run bench-sweep`: a tiny grid (4 runs of 4 epochs, n_hidden 16) with 2 workers, over Redis (a
# redis-server it starts on $REDIS_PORT, default 6391, and two `npm run worker`s) and on the local
# pool, each timed from start to the end of the comparison table. Needs redis-server; run it on a quiet machine.
set -u
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null || { echo "error: redis-server not found (Debian: apt-get install redis-server)"; exit 2; }
port=${REDIS_PORT:-6391}; rdir=$(mktemp -d)
redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no --dir $rdir >/dev/null 2>&1 &
rpid=$!; sleep 1
GRID="--dim_z 2,3 --seed 1,2 --n_hidden 16 --batch_size 1000 --num_epochs 4 --IS_k 0 --PRR False --explorer False"
out=$(mktemp -d)
start=$(date +%s%N)
npm run -s worker -- --queue redis://127.0.0.1:$port --workers 1 > "$out/w1.log" 2>&1 & w1=$!
npm run -s worker -- --queue redis://127.0.0.1:$port --workers 1 > "$out/w2.log" 2>&1 & w2=$!
npm run -s sweep -- $GRID --results_path $out/redis --queue redis://127.0.0.1:$port > "$out/redis.log" 2>&1
echo "redis, 2 workers: exit $? in $(( ($(date +%s%N) - start) / 1000000 )) ms"
kill -TERM $w1 $w2; wait $w1 $w2 2>/dev/null
start=$(date +%s%N)
npm run -s sweep -- $GRID --results_path $out/local --workers 2 > "$out/local.log" 2>&1
echo "local pool, 2 workers: exit $? in $(( ($(date +%s%N) - start) / 1000000 )) ms"
kill $rpid
