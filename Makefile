# The two commands a newcomer needs: `make run` and `make test`.
# Both first make sure the one system library the build needs is present: libclang, which
# sequoia-openpgp's OpenSSL binding runs through bindgen at build time.

APT_PACKAGES := libclang1-14 libclang-common-14-dev libssl-dev pkg-config
CARGO ?= cargo

.PHONY: run test build-deps lint

run: build-deps
	$(CARGO) run --release

test: build-deps
	$(CARGO) test --all-targets

lint: build-deps
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

# Installs the build packages when they are missing and we are root; otherwise says exactly
# what to run. Checking first keeps repeat runs fast and offline.
build-deps:
	@if ls /usr/lib/llvm-*/lib/libclang*.so* /usr/lib/*/libclang*.so* >/dev/null 2>&1 \
	   && dpkg -s libclang-common-14-dev libssl-dev >/dev/null 2>&1; then \
	  exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing build packages: $(APT_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	else \
	  echo "hushdesk needs libclang to build. Run:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $(APT_PACKAGES)"; \
	  exit 1; \
	fi
