# Owned by the benchmark suite; included from Makefile.am.
EXTRA_DIST += bench/bench.mk
bench:
	@echo "no benchmarks yet" >&2; exit 1
.PHONY: bench
