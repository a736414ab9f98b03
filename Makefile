# Quill's everyday commands. `make test` is what CI runs.
.PHONY: setup build test clean

setup:
	@scripts/setup

build: setup
	swift build

test: setup
	swift build --build-tests
	swift test --skip-build

clean:
	rm -rf .build
