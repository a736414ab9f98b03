# Quill's everyday commands. `make test` is what CI runs.
.PHONY: setup build run test bench fuzz clean

setup:
	@scripts/setup

build: setup
	swift build

# The server as an operator runs it, a release build, on its embedded default: SQLite under ./data,
# in-memory cache, no other service.
run: setup
	swift build -c release
	.build/release/quill serve

test: setup
	swift build --build-tests
	scripts/test

# Benchmarks (not part of test): release build, results appended to bench/results.md.
bench: setup
	swift build -c release
	python3 bench/onevent_isolation.py --quill .build/release/quill
	python3 bench/hostile_plugins.py --quill .build/release/quill
	python3 bench/run.py --quill .build/release/quill --quill-bench .build/release/quill-bench

# libFuzzer on the parsers of outside input (not part of test): FUZZ_SECONDS a target, default 60.
fuzz: setup
	scripts/fuzz

clean:
	rm -rf .build .build-fuzz
