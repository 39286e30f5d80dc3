# The one test command (README): installs what the tests need, then runs every test.
# Needs root for apt-get (CI and the dev machines run as root); set SKIP_DEPS=1 to skip installing.

GO ?= go
DEB_PACKAGES = openssh-client openssh-server sshpass ssh-audit asciinema tmux wget curl

.PHONY: test deps build run bench fmt vet

test: deps
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) test -race -count=1 -timeout 30m ./...

deps:
	@if [ -z "$(SKIP_DEPS)" ]; then \
	  missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  fi; \
	fi

build:
	$(GO) build -o lure ./cmd/lure

run:
	$(GO) run ./cmd/lure serve

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
