# Quill's everyday commands. `make test` is what CI runs.
.PHONY: setup build run test clean

setup:
	@scripts/setup

build: setup
	swift build

# The server on its embedded default: SQLite under ./data, in-memory cache, no other service.
run: build
	.build/debug/quill serve

test: setup
	swift build --build-tests
	swift test --skip-build

clean:
	rm -rf .build
