# octobox — the only commands a newcomer needs.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: demo test fuzz lint docs bench build install uninstall deb dist

# install/uninstall/deb/dist (scripts/package.sh): where, and which build. PROFILE=dev packages
# the debug build (quick packaging checks); NO_BUILD=1 packages the binaries as they are.
PREFIX ?= /usr/local
DESTDIR ?=
PROFILE ?= release
export PREFIX DESTDIR PROFILE NO_BUILD BIN_DIR DIST_DIR DEB_FAST GZIP_LEVEL CARGO

build:
	$(CARGO) build --workspace --locked

## demo: build, start octo-sim on a free port, run real halo-query/fw-graph pipelines against it
demo: build
	bash scripts/demo.sh

## test: install what the tests need (if missing), then run the whole suite
test:
	bash scripts/test.sh

## fuzz: run every fuzz target of fuzz/ (octo-fuzz) for FUZZ_SECONDS each (default 60; `make test`
## runs the same 200 fixed seeds of each, deterministically). A failure prints the input and an ARBTEST_SEED that replays it.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(CARGO) test --workspace --locked --test fuzz -- --test-threads 1

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

## install: build (release) and install binaries, man pages, completions and examples under
## $(DESTDIR)$(PREFIX) (default /usr/local); uninstall removes exactly those files
install:
	bash scripts/package.sh install

uninstall:
	bash scripts/package.sh uninstall

## deb: dist/octobox_<version>-1_amd64.deb with cargo-deb (installed, pinned, when missing)
deb:
	bash scripts/package.sh deb

## dist: dist/octobox-<version>-<target>.tar.gz (one folder) and dist/SHA256SUMS
dist:
	bash scripts/package.sh dist
