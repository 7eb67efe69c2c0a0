#!/usr/bin/env bash
# System calls per procpool round trip (BenchmarkRoundTrip: Submit of Square and its
# Result, one worker), beside the raw pipe's ping-pong to a Go child under it
# (BenchmarkRawPipePingPong), both processes counted, as strace -f -c sees them. Each
# benchmark runs twice, N and 3N times; the difference, divided by 2N, leaves out what
# starting the test binary, the pool and its worker costs.
#
#	benchmarks/syscalls.sh [N]	(N defaults to 2000; needs strace)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
command -v strace >/dev/null || { echo "syscalls.sh needs strace (apt-get install strace)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/procpool.test" ./procpool

# calls BENCH TIMES: strace's table of a run, as "syscall calls" lines and a "total" line.
calls() {
	strace -f -c -o "$dir/trace" "$dir/procpool.test" -test.run '^$' -test.bench "^$1\$" -test.benchtime "$2x" >/dev/null
	awk '$1 ~ /^[0-9.]+$/ && NF >= 5 { print $NF, $4 }' "$dir/trace"
}

for bench in BenchmarkRoundTrip BenchmarkRawPipePingPong; do
	calls "$bench" "$n" >"$dir/a"
	calls "$bench" $((3 * n)) >"$dir/b"
	awk -v bench="$bench" -v n=$((2 * n)) '
		FNR == NR { a[$1] = $2; next }
		{ d = ($2 - a[$1]) / n; if ($1 == "total") total = d; else if (d >= 0.05) per = per sprintf(" %s %.1f", $1, d) }
		END { printf "%-26s %5.1f system calls per round trip:%s\n", bench, total, per }
	' "$dir/a" "$dir/b"
done
