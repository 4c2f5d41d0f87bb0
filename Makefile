# octobox — the only commands a newcomer needs.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test lint docs bench build

build:
	$(CARGO) build --workspace --locked

## demo: build, start octo-sim on a free port, run real halo-query/fw-graph pipelines against it
demo: build
	bash scripts/demo.sh

## test: install what the tests need (if missing), then run the whole suite
test:
	bash scripts/test.sh

## lint: formatting and clippy, warnings are errors
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

## docs: regenerate man pages and shell completions of every binary into bin-docs/
docs: build
	bash scripts/gen-docs.sh

## bench: benchmarks of the release build, as installed (print figures and ratios; assert nothing
## about time). BIN=target/debug make bench measures the debug build instead.
bench:
	$(CARGO) build --workspace --release --locked
	bash scripts/bench.sh
