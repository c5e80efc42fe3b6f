# s1collector builds. "make" builds ./s1collector for this machine; "make
# release" builds the static Linux binaries, their archives and SHA256SUMS in
# dist/; "make image" builds the container image from them; "make
# check-packaging" runs every packaging check (.ci/run does too).
#
# The version comes from git (the nearest v* tag, else the commit) unless
# given: make release VERSION=v1.4.0. The date is the commit's, so the same
# commit always builds the same bytes.

SHELL := /bin/bash
GO ?= go
CONTAINER ?= podman
IMAGE ?= s1collector
IMAGE_PLATFORM ?= linux/amd64

VERSION ?= $(shell git describe --tags --always --dirty --match 'v[0-9]*' 2>/dev/null)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE ?= $(shell git log -1 --format=%cI 2>/dev/null)
EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

PLATFORMS := linux/amd64 linux/arm64
PKG := s1collector/internal/buildinfo
LDFLAGS := -s -w -X $(PKG).version=$(VERSION) -X $(PKG).commit=$(COMMIT) -X $(PKG).date=$(DATE)
# Static, without paths of the build machine, stamped only by the flags above.
BUILD := CGO_ENABLED=0 GOTOOLCHAIN=local $(GO) build -trimpath -buildvcs=false -ldflags '$(LDFLAGS)'
# What a release archive holds besides the binary.
DOCS := README.md examples packaging/systemd

.PHONY: build release image check-packaging clean stamped

build: stamped
	$(BUILD) -o s1collector ./cmd/s1collector

stamped:
	@if [ -z "$(VERSION)" ] || [ -z "$(COMMIT)" ]; then \
	  echo "no version: build from a git clone, or give VERSION=… COMMIT=… DATE=…" >&2; exit 1; fi

release: stamped
	rm -rf dist && mkdir -p dist
	set -e; for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; name=s1collector-$(VERSION)-$$os-$$arch; \
	  GOOS=$$os GOARCH=$$arch $(BUILD) -o dist/$$os-$$arch/s1collector ./cmd/s1collector; \
	  mkdir -p dist/$$name; cp dist/$$os-$$arch/s1collector dist/$$name/; cp -r $(DOCS) dist/$$name/; \
	  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$(EPOCH) --mode='u+rwX,go+rX,go-w' \
	    -C dist -cf - $$name | gzip -n > dist/$$name.tar.gz; \
	  rm -rf dist/$$name; \
	done
	cd dist && sha256sum *.tar.gz */s1collector > SHA256SUMS
	@cat dist/SHA256SUMS

# The image: the static binary on scratch, with the build machine's CA
# certificates (for TLS to consoles and outputs) and an empty state folder.
image: stamped
	@test -x dist/linux-amd64/s1collector || { echo "run make release first" >&2; exit 1; }
	rm -rf dist/container && mkdir -p dist/container/rootfs/etc/ssl/certs dist/container/state
	cp /etc/ssl/certs/ca-certificates.crt dist/container/rootfs/etc/ssl/certs/
	for a in amd64 arm64; do mkdir -p dist/container/linux-$$a; cp dist/linux-$$a/s1collector dist/container/linux-$$a/; done
	$(CONTAINER) build --format docker --platform $(IMAGE_PLATFORM) --build-arg VERSION=$(VERSION) --build-arg REVISION=$(COMMIT) \
	  -f packaging/container/Containerfile -t $(IMAGE):$(VERSION) dist/container

check-packaging:
	packaging/check

clean:
	rm -rf dist s1collector
