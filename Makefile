# s1collector builds. "make" builds ./s1collector for this machine; "make
# release" builds the static Linux binaries, their archives and SHA256SUMS in
# dist/; "make image" builds the container image from them; "make
# check-packaging" runs every packaging check (.ci/run does too).
#
# The version comes from git (the nearest v* tag, else the commit) unless
# given: make release VERSION=v1.4.0. The date is the commit's, in UTC, so
# the same commit always builds the same bytes.

SHELL := /bin/bash
GO ?= go
CONTAINER ?= podman
IMAGE ?= s1collector
# The image's architectures: each is $(IMAGE):$(VERSION)-<arch>.
IMAGE_ARCHS ?= amd64 arm64

VERSION ?= $(shell git describe --tags --always --dirty --match 'v[0-9]*' 2>/dev/null)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE ?= $(shell TZ=UTC0 git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd 2>/dev/null)
EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

PLATFORMS := linux/amd64 linux/arm64
PKG := s1collector/internal/buildinfo
LDFLAGS := -s -w -X $(PKG).version=$(VERSION) -X $(PKG).commit=$(COMMIT) -X $(PKG).date=$(DATE)
# Static, without paths of the build machine, stamped by the flags above;
# -buildvcs=auto (over GOFLAGS) lets "go version -m" show the module version
# Go derives from git (the tag, or a pseudo-version of the commit) in a clone.
BUILD := CGO_ENABLED=0 GOTOOLCHAIN=local $(GO) build -trimpath -buildvcs=auto -ldflags '$(LDFLAGS)'
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

# The image, one per architecture: $(IMAGE):$(VERSION)-amd64 and -arm64 hold
# the static binary on scratch; it carries Mozilla's root certificates (see
# cmd/s1collector), so nothing of the build machine goes in.
# $(IMAGE):$(VERSION) is this machine's architecture. (No local manifest
# list: podman 4.3's breaks "podman images"; join the pushed tags instead,
# see the README.) Docker builds its own format; podman and buildah are
# asked for it (their OCI format drops HEALTHCHECK).
IS_PODMAN := $(shell $(CONTAINER) --version 2>/dev/null | grep -qiE 'podman|buildah' && echo yes)
FORMAT := $(if $(IS_PODMAN),--format docker)
HOST_ARCH := $(shell $(GO) env GOARCH)

image: stamped
	@for a in $(IMAGE_ARCHS); do test -x dist/linux-$$a/s1collector || { echo "no dist/linux-$$a/s1collector: run make release first" >&2; exit 1; }; done
	rm -rf dist/container && mkdir -p dist/container/state
	for a in $(IMAGE_ARCHS); do mkdir -p dist/container/linux-$$a && cp dist/linux-$$a/s1collector dist/container/linux-$$a/; done
	set -e; for a in $(IMAGE_ARCHS); do \
	  $(CONTAINER) build $(FORMAT) --platform linux/$$a --build-arg TARGETOS=linux --build-arg TARGETARCH=$$a \
	    --build-arg VERSION=$(VERSION) --build-arg REVISION=$(COMMIT) \
	    -f packaging/container/Containerfile -t $(IMAGE):$(VERSION)-$$a dist/container; \
	done
	$(if $(filter $(HOST_ARCH),$(IMAGE_ARCHS)),$(CONTAINER) tag $(IMAGE):$(VERSION)-$(HOST_ARCH) $(IMAGE):$(VERSION))

check-packaging:
	packaging/check

clean:
	rm -rf dist s1collector
