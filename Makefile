# Sluice build. Every target installs what it needs (see deps), so a fresh
# Debian bookworm machine with Go and root can run any of them.

# bash with pipefail, so a failing benchmark piped into tee fails the target.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec

GO        ?= go
# Every library package is affordable under the race detector on 2 cores;
# the examples, which only drive the public API, run without it.
RACE_PKGS = $(shell $(GO) list ./... | grep -v /examples/)
PLAIN_PKGS := ./examples/...

.PHONY: all deps build test fmt-check vet lint bench bench-smoke example clean

all: build

# deps installs system packages the build needs when they are missing.
# gcc is needed for cgo (the race detector and the RocksDB state store).
# versitygw is a real S3 server the object-storage tests start on 127.0.0.1.
VERSITYGW_VERSION := v1.8.0
GOBIN := $(shell $(GO) env GOPATH)/bin

deps:
	@command -v gcc >/dev/null 2>&1 || { \
		echo "installing gcc"; \
		apt-get update -qq && apt-get install -y -qq gcc libc6-dev; }
	@dpkg -s librocksdb-dev >/dev/null 2>&1 || { \
		echo "installing librocksdb-dev (RocksDB 7.8 for the state store)"; \
		apt-get update -qq && apt-get install -y -qq librocksdb-dev; }
	@test -x $(GOBIN)/versitygw || command -v versitygw >/dev/null 2>&1 || { \
		echo "installing versitygw $(VERSITYGW_VERSION)"; \
		GOFLAGS= $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION); }
	$(GO) mod download

build: deps
	$(GO) build ./...

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet: deps
	$(GO) vet ./...

lint: fmt-check vet

test: deps fmt-check vet
	$(GO) test -race -count=1 $(RACE_PKGS)
	$(GO) test -count=1 $(PLAIN_PKGS)
	$(MAKE) --no-print-directory bench-smoke

# bench runs the benchmarks and rewrites BENCHMARKS.md with the figures and a
# description of the machine they were measured on. Benchmarks whose modes
# are compared as ratios run their modes in turn, one go test per round,
# rather than -count N of one mode after another: a shared machine's slow
# minute then spreads over every mode instead of landing on one.
bench: SHELL := /bin/bash
bench: .SHELLFLAGS := -o pipefail -ec
bench: deps
	rm -f bench.out
	for i in 1 2 3 4 5; do $(GO) test -run '^$$' -bench 'BenchmarkWordCount' -benchtime 3x -count 1 -benchmem . | tee -a bench.out; done
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 3 ./statestore/rocksdb | tee -a bench.out
	for i in 1 2 3 4 5; do $(GO) test -run '^$$' -bench 'BenchmarkStreamingWordCount' -benchtime 1x -count 1 ./engine | tee -a bench.out; done
	for i in 1 2 3; do $(GO) test -run '^$$' -bench 'BenchmarkCheckpointCost' -benchtime 1x -count 1 ./engine -args -ckpt.keys=10000000 | tee -a bench.out; done
	$(GO) test -run '^$$' -bench 'BenchmarkLatency' -benchtime 1x -count 3 ./engine | tee -a bench.out
	cd bench && $(GO) mod download && $(GO) run ./cmd/sluicebench -runs 5 -out ../sidebyside.md
	$(GO) run ./internal/benchmd -in bench.out -out BENCHMARKS.md -sidebyside sidebyside.md
	@rm -f bench.out sidebyside.md

# bench-smoke runs every side-by-side workload of the bench module (Sluice
# against DuckDB, Benthos, go-streams and a Go map) once on tiny inputs,
# answers checked, so the harness cannot rot. The bench module is separate
# (bench/go.mod), so the engine's module never depends on the peers.
bench-smoke: deps
	cd bench && $(GO) mod download && $(GO) vet ./... && $(GO) run ./cmd/sluicebench -smoke

# example runs the main example, a streaming word count over the bundled
# text, twice on one checkpoint: a first run over the first part files, then
# a run that resumes after the first run's last batch and counts only the
# part file it adds. It starts from scratch every time.
example: deps
	rm -rf tmp/streamingwordcount
	$(GO) run ./examples/streamingwordcount -dir tmp/streamingwordcount
	$(GO) run ./examples/streamingwordcount -dir tmp/streamingwordcount

clean:
	$(GO) clean -testcache
