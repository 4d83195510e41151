# The two commands a newcomer needs: `make run` and `make test`.
# Both first make sure the one system library the build needs is present: libclang, which
# sequoia-openpgp's OpenSSL binding runs through bindgen at build time.

APT_PACKAGES := libclang1-14 libclang-common-14-dev libssl-dev pkg-config
# The browser test drives Debian's Chromium through its WebDriver; the mail tests check
# OpenPGP interoperability against GnuPG.
TEST_APT_PACKAGES := chromium chromium-driver gnupg clamav-daemon python3-pil python3-venv
# The browser journeys run axe-core, an npm package pinned in tests/browser/package-lock.json.
NODE_APT_PACKAGES := nodejs npm
# The PostgreSQL tests start a throwaway cluster from the server binaries (initdb, pg_ctl).
POSTGRES_APT_PACKAGES := postgresql
CARGO ?= cargo

.PHONY: run test test-postgres test-crash test-contract build-deps test-deps browser-deps postgres-deps proof-peers lint

run: build-deps
	$(CARGO) run --release

test: build-deps test-deps browser-deps postgres-deps proof-peers
	$(CARGO) test --all-targets
	@$(MAKE) --no-print-directory test-postgres
	@$(MAKE) --no-print-directory test-crash
	@$(MAKE) --no-print-directory test-contract

# The integration suite a second time with every test server on PostgreSQL: on the server in
# HUSHDESK_TEST_DATABASE_URL (CI starts one), else on a throwaway cluster the tests start
# from the server binaries. Without either it is skipped, loudly, unless
# HUSHDESK_REQUIRE_POSTGRES=1 makes that a failure. Skipped in this pass: `postgres::` and
# `shared_rate::` (those tests run on PostgreSQL in the first pass already) and `doors::`
# (compile-time checks, the
# same on any engine).
test-postgres:
	@if [ -n "$$HUSHDESK_TEST_DATABASE_URL" ] || [ -x "$$HUSHDESK_PG_BINDIR/initdb" ] \
	   || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then \
	  echo "== the integration suite on PostgreSQL"; \
	  HUSHDESK_TEST_ENGINE=postgres $(CARGO) test --test api -- --skip postgres:: --skip doors:: --skip shared_rate::; \
	elif [ "$$HUSHDESK_REQUIRE_POSTGRES" = 1 ]; then \
	  echo "HUSHDESK_REQUIRE_POSTGRES=1 but there is no PostgreSQL: set HUSHDESK_TEST_DATABASE_URL or install the server binaries (make postgres-deps)" >&2; \
	  exit 1; \
	else \
	  echo "######## SKIPPED: the integration suite on PostgreSQL (no PostgreSQL here)."; \
	  echo "######## To run it: sudo apt-get install -y --no-install-recommends $(POSTGRES_APT_PACKAGES)"; \
	fi

# The real binary killed with SIGKILL under a filing load (every acknowledged ticket still
# opens, integrity and audit chain intact) and filed at from many clients at once (no
# duplicate, none missing), small enough for every run; on PostgreSQL too when CI provides
# one. benches/load/crash.py takes larger numbers for a longer soak.
test-crash:
	$(CARGO) build --quiet
	python3 benches/load/crash.py crash --bin target/debug/hushdesk --rounds 5 --seconds 2 --clients 4
	python3 benches/load/crash.py concurrency --bin target/debug/hushdesk --tickets 500 --clients 16
	@if [ -n "$$HUSHDESK_TEST_DATABASE_URL" ]; then \
	  python3 benches/load/crash.py crash --bin target/debug/hushdesk --rounds 5 --seconds 2 --clients 4 \
	    --postgres "$$HUSHDESK_TEST_DATABASE_URL" && \
	  python3 benches/load/crash.py concurrency --bin target/debug/hushdesk --tickets 500 --clients 16 \
	    --postgres "$$HUSHDESK_TEST_DATABASE_URL"; \
	fi

# The JSON API against its OpenAPI description (/api/v1/openapi.json): schemathesis, from
# PyPI into a virtualenv under target/, 90 s of generated requests; any 5xx or any answer the
# description does not allow fails.
test-contract:
	$(CARGO) build --quiet
	tests/contract/schemathesis.sh target/debug/hushdesk 90

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

# Chromium for the browser tests, GnuPG for the mail tests, clamd and Pillow for the attachment
# tests (they start their own clamd, with a test signature only; Pillow reads the stored photo's
# EXIF as an independent check): installed when root, otherwise
# the browser test says how and skips (set HUSHDESK_REQUIRE_BROWSER=1 to make a missing browser
# an error instead) and the GnuPG tests fail with the package to install.
test-deps:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && [ -x /usr/bin/gpg ] && [ -x /usr/sbin/clamd ] && /usr/bin/python3 -c 'import PIL, ensurepip' 2>/dev/null; then \
	  exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing test packages: $(TEST_APT_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEST_APT_PACKAGES); \
	else \
	  echo "note: the browser test is skipped without Chromium. To run it:"; \
	  echo "  sudo apt-get install -y --no-install-recommends $(TEST_APT_PACKAGES)"; \
	fi

# axe-core from npm for the browser journeys (`npm ci`, the locked version, no CDN at test
# time); Node.js and npm from Debian when they are missing and we are root. Without it the
# browser tests skip, or fail under HUSHDESK_REQUIRE_BROWSER=1.
browser-deps:
	@if [ -f tests/browser/node_modules/axe-core/axe.min.js ]; then \
	  exit 0; \
	elif command -v npm >/dev/null; then \
	  npm ci --prefix tests/browser --no-audit --no-fund; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing Node.js and npm: $(NODE_APT_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(NODE_APT_PACKAGES) && \
	  npm ci --prefix tests/browser --no-audit --no-fund; \
	else \
	  echo "note: the browser tests are skipped without axe-core. To run them:"; \
	  echo "  sudo apt-get install -y --no-install-recommends $(NODE_APT_PACKAGES) && npm ci --prefix tests/browser"; \
	fi

# PostgreSQL's server binaries: installed when root, otherwise the PostgreSQL tests say how and
# skip (set HUSHDESK_REQUIRE_POSTGRES=1 to make that an error, as CI does).
postgres-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing PostgreSQL server binaries: $(POSTGRES_APT_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(POSTGRES_APT_PACKAGES); \
	else \
	  echo "note: the PostgreSQL tests are skipped without the server binaries. To run them:"; \
	  echo "  sudo apt-get install -y --no-install-recommends $(POSTGRES_APT_PACKAGES)"; \
	fi

# The wallet signer the proof-of-ownership tests sign issued challenges with
# (tests/vectors/sign_challenge.py): PyPI libraries, pinned as in make_proof_vectors.py, in a
# virtualenv the tests find by themselves. Without it those tests skip and say so, or fail
# under HUSHDESK_REQUIRE_PEERS=1.
proof-peers:
	@if [ -x tests/vectors/.venv/bin/python ]; then \
	  exit 0; \
	elif python3 -m venv tests/vectors/.venv; then \
	  tests/vectors/.venv/bin/pip install --quiet coincurve==21.0.0 eth-account==0.14.0 \
	    bech32==1.2.0 bitcoin-utils==0.8.8 || echo "note: the wallet proof tests skip without these libraries"; \
	else \
	  echo "note: the wallet proof tests skip without python3-venv. To run them:"; \
	  echo "  sudo apt-get install -y --no-install-recommends python3-venv && make proof-peers"; \
	fi
