# The one test command (README): installs what the tests need, then runs every test.
# Needs root for apt-get (CI and the dev machines run as root); set SKIP_DEPS=1 to skip installing.

GO ?= go
# ssh clients and servers, asciinema and tmux for the e2e tests; wget, curl, mawk and procps-era tools
# (and unzip, mount) for differential tests against the real programs; debootstrap, iproute2 and e2fsprogs for the
# Debian 12 reference server of test/reference (docs/reference.md); hydra, nmap, nftables and the
# stock crowdsec-firewall-bouncer for the IPS tests of test/ips.
DEB_PACKAGES = openssh-client openssh-server sshpass ssh-audit asciinema tmux wget curl mawk debootstrap iproute2 e2fsprogs util-linux procps ncurses-bin net-tools file xxd locales python3 perl hydra nmap nftables unzip mount
# Installed without recommends: the bouncer recommends the crowdsec engine, whose post-install script
# fails on a machine without internet access (it registers with an online API) and so fails apt-get.
DEB_PACKAGES_NO_RECOMMENDS = crowdsec-firewall-bouncer

.PHONY: test deps build run bench eval eval-full

test: deps
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	LURE_EVAL_OUT=$(CURDIR)/eval-out $(GO) test -race -count=1 -timeout 40m ./...

deps:
	@if [ -z "$(SKIP_DEPS)" ]; then \
	  missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  fi; \
	  missing=""; for p in $(DEB_PACKAGES_NO_RECOMMENDS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages without recommends:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  fi; \
	  sh scripts/reference/build-rootfs.sh $${LURE_REFERENCE_ROOT:-/var/tmp/lure-bookworm-rootfs}; \
	  for l in en_US en_GB; do \
	    locale -a 2>/dev/null | grep -qx "$$l.utf8" || { echo "generating locale $$l.UTF-8"; localedef -i $$l -f UTF-8 $$l.UTF-8; }; \
	  done; \
	fi

build:
	$(GO) build -o lure ./cmd/lure

run:
	$(GO) run ./cmd/lure serve

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The reference measurement of issue 3 (docs/reference.md); needs root. `make test` runs the same gate.
eval: deps
	LURE_EVAL_OUT=$(CURDIR)/eval-out $(GO) test -count=1 -v -timeout 30m -run 'TestReferenceIsolation|TestReferenceCI' ./test/reference/

# The whole attacker corpus against the reference, for the README's figures (not gated).
eval-full: deps
	LURE_EVAL_OUT=$(CURDIR)/eval-out LURE_EVAL_FULL=1 $(GO) test -count=1 -v -timeout 60m -run TestReferenceFull ./test/reference/
