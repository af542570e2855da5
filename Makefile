# Orkestron — build, test and run.
#
# `make test` is what CI runs (.ci/run): it installs the Debian packages the build and the tests need (tmux drives
# `orkctl top` in a real terminal) when they are missing, builds every target and runs every test.

SWIFT        ?= swift
CONFIGURATION ?= debug
# mandoc: the manual-page tests run `mandoc -Tlint` on man/*.
DEB_PACKAGES := libsystemd-dev libsqlite3-dev pkg-config tzdata tmux systemd mandoc
# Python modules the tests use as independent checkers (prometheus_client's exposition parser).
PIP_PACKAGES := prometheus_client
# `make deb`: debhelper (with dh_installsysusers) builds the package, lintian checks it.
DEB_BUILD_PACKAGES := debhelper lintian
SWIFT_FLAGS  := -c $(CONFIGURATION)

.PHONY: all build test crash-test soak deps deb-deps bench-deps bench clean run completions release install install-files uninstall check-static deb fuzz fuzz-build fuzz-smoke

all: build completions

## deps: install the Debian packages the build and the tests need (as root via apt-get; otherwise print the command).
## deb-deps: also what building and checking the Debian package needs (`make test` installs it in a container).
# apt_install: the packages of $(1) that are not installed yet, with apt-get as root; otherwise say what to run.
define apt_install
	@missing=""; \
	for pkg in $(1); do \
		dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing:$$missing"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -q && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		else \
			echo "Missing Debian packages:$$missing"; \
			echo "Run: sudo apt-get install -y$$missing"; \
			exit 1; \
		fi; \
	fi
endef

deps:
	$(call apt_install,$(DEB_PACKAGES))
	@for module in $(PIP_PACKAGES); do \
		python3 -c "import $$module" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore $$module; \
	done

## bench-deps: the peers `make bench` measures beside orkestrond (issue 7), on top of `deps` (which brings
## systemd, hence systemd-analyze): redis-server and redis-benchmark from Debian (orkbench starts its own
## redis-server in a temporary folder; the package's service is not used), python3-venv, and APScheduler 3 (4 is
## another API), croniter and cronsim from PyPI in a virtual environment of the build folder, so the system's
## Python is left as it is. A package already there is not fetched again.
BENCH_DEB_PACKAGES := redis-server redis-tools python3-venv
BENCH_VENV         := .build/bench-venv
BENCH_PYTHON       := $(BENCH_VENV)/bin/python
BENCH_PIP_PACKAGES := "APScheduler>=3,<4" croniter cronsim
bench-deps: deps
	$(call apt_install,$(BENCH_DEB_PACKAGES))
	@[ -x $(BENCH_PYTHON) ] || python3 -m venv $(BENCH_VENV)
	@$(BENCH_PYTHON) -c "import apscheduler, croniter, cronsim" 2>/dev/null || \
		$(BENCH_PYTHON) -m pip install --quiet --disable-pip-version-check $(BENCH_PIP_PACKAGES)

deb-deps: deps
	$(call apt_install,$(DEB_BUILD_PACKAGES))

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

## completions: bash, zsh and fish completion scripts for orkctl, generated from its argument parser.
COMPLETIONS := .build/completions
completions: build
	mkdir -p $(COMPLETIONS)
	.build/$(CONFIGURATION)/orkctl --generate-completion-script bash > $(COMPLETIONS)/orkctl.bash
	.build/$(CONFIGURATION)/orkctl --generate-completion-script zsh > $(COMPLETIONS)/_orkctl
	.build/$(CONFIGURATION)/orkctl --generate-completion-script fish > $(COMPLETIONS)/orkctl.fish

## test: unit tests first, then the integration tests that start real daemons (apart, so CPU-heavy unit
## tests do not starve 30 daemons starting at once on a 2-core machine), then alone: the crash test in its
## short form (10 kill -9s of a daemon running ~200 runs/s; that load beside the others would slow their
## timing-sensitive checks), the slow and hostile clients (they time how fast others are answered, and 60 tests
## beside them starve the test process's own two threads), the simulation fidelity test (it compares a daemon's timing with the simulation's,
## which 30 daemons starting beside it would blur), the end-to-end test that boots systemd in a throw-away
## container (its systemd, journald and daemon restarts would slow the daemons' timing-sensitive tests; it needs
## root and namespaces, and says why it skipped elsewhere), and the Debian package (`make deb`, lintian-clean)
## installed, removed and purged in such a container.
test: deb-deps
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	$(SWIFT) test --skip-build $(SWIFT_FLAGS) --skip OrkestronDaemonTests
	$(MAKE) fuzz-smoke
	$(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter OrkestronDaemonTests --skip SystemdBootTests \
		--skip SimulationFidelityTests --skip PackageInstallTests --skip CrashSafetyTests \
		--skip SlowClientTests --skip HostileClientTests
	$(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter CrashSafetyTests
	$(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter 'SlowClientTests|HostileClientTests'
	$(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter SimulationFidelityTests
	$(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter SystemdBootTests
	$(MAKE) --no-print-directory deb
	ORKESTRON_DEB=$(DEB) $(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter PackageInstallTests

## crash-test: the crash-safety test in its full form: CRASH_KILLS (50) kill -9s of a loaded daemon at random
## instants, each followed by a restart, then an audit of the database. Prints its seed and counts;
## ORKESTRON_CRASH_SEED=N replays a seed's kill instants and client commands.
CRASH_KILLS ?= 50
crash-test: deps
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	ORKESTRON_CRASH_KILLS=$(CRASH_KILLS) $(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter CrashSafetyTests

## soak: the load test (issue 6). `orkbench soak` starts the release orkestrond in a temporary folder (its own
## configuration, state, socket and log; no root, no systemd) with 1,000 simulated jobs every second, their slots
## spread over the second (~1,000 runs/s). It measures start lateness (the RUNNING events' latenessMs), runs/s, the
## daemon's RSS and CPU for 25 s with one event subscriber, then for SOAK_SECONDS (60) while SOAK_CLIENTS (200)
## clients, each on its own connection, make ~10 requests/s each (status, list, get, explain, next, history,
## metrics, manual runs, pause/resume, subscriptions with replay). It fails (exit 1) on any client error, under 90%
## of the target rate, memory still growing at the end, or a loaded lateness p99 over max(2 × unloaded, 5 ms).
## SOAK_FLAGS adds options (`orkbench soak --help`); the JSON report goes to SOAK_JSON. Not part of `make test`:
## it needs the two cores to itself for 2 minutes, which CI's other suites do not leave it.
SOAK_SECONDS ?= 60
SOAK_CLIENTS ?= 200
SOAK_JSON    ?= .build/soak.json
SOAK_FLAGS   ?=
# The release flags of `make release`, so the daemon measured is the one installed (and orkbench shares its build).
soak: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product orkestrond
	$(SWIFT) build $(RELEASE_FLAGS) --product orkbench
	$(RELEASE_DIR)/orkbench soak --daemon $(RELEASE_DIR)/orkestrond --seconds $(SOAK_SECONDS) \
		--clients $(SOAK_CLIENTS) --json $(SOAK_JSON) $(SOAK_FLAGS)

## fuzz: the libFuzzer targets of Tests/Fuzz, a package of its own so the sanitizer flags never reach the root's
## build. Built once (release: the fuzzer's speed is its reach) with libFuzzer and AddressSanitizer; then each
## target replays its committed regressions and runs for FUZZ_SECONDS from its seed corpus. New inputs go to
## Tests/Fuzz/.build/fuzz-corpus/TARGET (the seeds stay as committed); a crash, a leak, or an input slower than
## FUZZ_TIMEOUT seconds fails the run and leaves the input in Tests/Fuzz/.build/fuzz-crashes/TARGET/: commit it
## under Tests/Fuzz/Regressions/TARGET/, where the unit tests replay it. FUZZ_FLAGS adds libFuzzer options, e.g.
## FUZZ_SECONDS=0 FUZZ_FLAGS=-runs=10000000 for a long run (FUZZ_SECONDS=0 lifts the time limit), and
## FUZZ_SANITIZERS=fuzzer leaves out AddressSanitizer for 2-3 times the speed (built in a scratch folder of its
## own, so the two builds do not replace each other). fuzz-smoke is the few seconds per target `make test` runs.
FUZZ_DIR      := Tests/Fuzz
FUZZ_TARGETS  ?= FuzzProtocol FuzzConfig FuzzCron
FUZZ_SECONDS  ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_TIMEOUT  ?= 10
FUZZ_FLAGS    ?=
FUZZ_SANITIZERS ?= fuzzer,address
FUZZ_OUT      := $(FUZZ_DIR)/.build
FUZZ_SCRATCH  := $(if $(filter fuzzer,$(FUZZ_SANITIZERS)),$(FUZZ_DIR)/.build-fuzzer,$(FUZZ_OUT))
# TOMLKit's own leaks are suppressed (see the file); every other leak fails like a crash. libFuzzer prints the
# stack of a crash; Swift's backtracer would only add a second report (and trip ASan reading memory).
FUZZ_ENV      := LSAN_OPTIONS=suppressions=$(abspath $(FUZZ_DIR)/lsan.supp) SWIFT_BACKTRACE=enable=no
# The longest input worth trying: a control line of a few requests, a configuration of a few jobs and drop-ins,
# a cron expression with its zone and start line; longer ones cost time without reaching new code.
FUZZ_MAX_LEN_FuzzProtocol := 4096
FUZZ_MAX_LEN_FuzzConfig   := 8192
FUZZ_MAX_LEN_FuzzCron     := 256
# libFuzzer stops at 2 GB of RSS by default, but FuzzConfig grows by about 6 KB per input through TOMLKit's leaks
# (see lsan.supp), which would end a long run with a false out-of-memory after some 300,000 inputs.
FUZZ_RSS_LIMIT_FuzzConfig := 16384

# SwiftPM's --sanitize options make it link libFuzzer's main and instrument the C++ of toml++; but it hands swiftc
# one -sanitize= per option and swiftc keeps only the last, so the Swift code would lose its coverage counters:
# the combined -sanitize= after them restores all. lld, because gold warns on ASan's symbols.
comma := ,
FUZZ_BUILD_FLAGS := $(foreach sanitizer,$(subst $(comma), ,$(FUZZ_SANITIZERS)),--sanitize=$(sanitizer)) \
	-Xswiftc -sanitize=$(FUZZ_SANITIZERS) -Xswiftc -use-ld=lld

# libFuzzer and AddressSanitizer come with the Swift toolchain (its clang runtime), not from Debian.
fuzz-build: deps
	@ls $(dir $(shell command -v $(SWIFT)))../lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1 || \
		{ echo "this Swift toolchain has no libFuzzer runtime (lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a)"; exit 1; }
	cd $(FUZZ_DIR) && $(SWIFT) build -c release --scratch-path $(abspath $(FUZZ_SCRATCH)) $(FUZZ_BUILD_FLAGS)

fuzz: $(addprefix fuzz-run-,$(FUZZ_TARGETS))

fuzz-run-%: fuzz-build
	@mkdir -p $(FUZZ_OUT)/fuzz-corpus/$* $(FUZZ_OUT)/fuzz-crashes/$*
	@regressions=$$(find $(FUZZ_DIR)/Regressions/$* -type f 2>/dev/null | sort); \
	if [ -n "$$regressions" ]; then \
		echo "== $*: replaying $$(echo "$$regressions" | wc -l) regressions"; \
		$(FUZZ_ENV) $(FUZZ_SCRATCH)/release/$* -timeout=$(FUZZ_TIMEOUT) $$regressions || exit 1; \
	fi
	@echo "== $*: fuzzing for $(FUZZ_SECONDS) s"
	$(FUZZ_ENV) $(FUZZ_SCRATCH)/release/$* -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
		-max_len=$(FUZZ_MAX_LEN_$*) -rss_limit_mb=$(or $(FUZZ_RSS_LIMIT_$*),2048) -dict=$(FUZZ_DIR)/$*.dict -artifact_prefix=$(FUZZ_OUT)/fuzz-crashes/$*/ \
		-print_final_stats=1 $(FUZZ_FLAGS) $(FUZZ_OUT)/fuzz-corpus/$* $(FUZZ_DIR)/Corpus/$*

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

## run: build and run the daemon in the foreground with the example configuration; state and socket in ./.run/
run: build
	mkdir -p .run
	.build/$(CONFIGURATION)/orkestrond --config config/orkestron.toml --state-dir .run/state \
		--socket .run/orkestron.sock --log-target stderr

## release: optimized binaries with the Swift runtime and Foundation linked in (--static-swift-stdlib), so the
## installed programs need no Swift toolchain: only libc, libsystemd and libsqlite3 from Debian.
RELEASE_DIR := .build/release
# --disable-local-rpath: no RUNPATH=$$ORIGIN in the programs: they load nothing from beside themselves, and
# an installed program should not search its own folder for libraries.
# -z now: the dynamic linker resolves every symbol at start, so the GOT can be read-only (full RELRO).
RELEASE_FLAGS := -c release --static-swift-stdlib --disable-local-rpath -Xlinker -z -Xlinker now
release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product orkctl
	$(SWIFT) build $(RELEASE_FLAGS) --product orkestrond

## bench: issue 7's benchmarks, side by side with their peers: the release programs (`make release`'s flags, so
## what is measured is what is installed), the peers (bench-deps), then `orkbench all`, which runs every row of
## the issue's table in one run (6¼ minutes here after an 8-minute release build; each step prints its time) and rewrites the generated table of
## docs/BENCHMARKS.md and docs/benchmarks.json. Targets are reported, never enforced: it fails only when a
## measure could not run at all (its row then says why). BENCH_FLAGS adds options (`orkbench all --help`), e.g.
## BENCH_FLAGS=--quick for a smoke test of a minute or two, which leaves docs/ alone.
BENCH_FLAGS ?=
bench:
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory bench-deps && \
	echo "== bench-deps: $$(( $$(date +%s) - start )) s" && start=$$(date +%s) && \
	$(SWIFT) build $(RELEASE_FLAGS) && \
	echo "== release build: $$(( $$(date +%s) - start )) s" && start=$$(date +%s) && \
	$(RELEASE_DIR)/orkbench all --bin-dir $(RELEASE_DIR) --python $(BENCH_PYTHON) $(BENCH_FLAGS) && \
	echo "== orkbench all: $$(( $$(date +%s) - start )) s"

## install: SPEC §7's layout with PREFIX=/usr (what a package does); PREFIX defaults to /usr/local for a
## hand install. DESTDIR stages the tree. Units go to /lib/systemd/system for PREFIX=/usr (SPEC §7; the same
## folder as /usr/lib/systemd/system on merged-/usr Debian) and to $(PREFIX)/lib/systemd/system otherwise,
## which systemd also searches (so does sysusers/tmpfiles for $(PREFIX)/lib/{sysusers,tmpfiles}.d). The unit's
## ExecStart= follows $(SBINDIR). The configuration lives in /etc whatever PREFIX is (the daemon's default
## path) and an existing one is never overwritten.
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
CONFDIR    ?= /etc/orkestron
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# Debian's zsh reads vendor-completions for /usr; site-functions is zsh's own folder for /usr/local.
ZSHCOMPDIR ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/share/zsh/vendor-completions,$(PREFIX)/share/zsh/site-functions)
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
INSTALL    ?= install
# The programs are stripped on install (about 100 MB each with symbols); a package build that keeps debug
# symbols for dh_strip sets INSTALL_STRIP= .
INSTALL_STRIP ?= -s

install: release
	$(MAKE) --no-print-directory install-files

## install-files: the install step alone, of what `make release` built (the Debian package's rules call it).
install-files:
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(CONFDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	$(INSTALL) $(INSTALL_STRIP) -m 0755 $(RELEASE_DIR)/orkctl $(DESTDIR)$(BINDIR)/orkctl
	$(INSTALL) $(INSTALL_STRIP) -m 0755 $(RELEASE_DIR)/orkestrond $(DESTDIR)$(SBINDIR)/orkestrond
	sed 's|^ExecStart=/usr/sbin/orkestrond|ExecStart=$(SBINDIR)/orkestrond|' systemd/orkestrond.service \
		> $(DESTDIR)$(UNITDIR)/orkestrond.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/orkestrond.service
	$(INSTALL) -m 0644 systemd/orkestrond.socket $(DESTDIR)$(UNITDIR)/orkestrond.socket
	$(INSTALL) -m 0644 packaging/orkestron.sysusers $(DESTDIR)$(SYSUSERSDIR)/orkestron.conf
	$(INSTALL) -m 0644 packaging/orkestron.tmpfiles $(DESTDIR)$(TMPFILESDIR)/orkestron.conf
	@if [ -e $(DESTDIR)$(CONFDIR)/orkestron.toml ]; then \
		echo "keeping the existing $(DESTDIR)$(CONFDIR)/orkestron.toml"; \
	else \
		echo "$(INSTALL) -m 0644 config/orkestron.toml $(DESTDIR)$(CONFDIR)/orkestron.toml"; \
		$(INSTALL) -m 0644 config/orkestron.toml $(DESTDIR)$(CONFDIR)/orkestron.toml; \
	fi
	$(INSTALL) -m 0644 man/orkctl.1 $(DESTDIR)$(MANDIR)/man1/orkctl.1
	$(INSTALL) -m 0644 man/orkestron.toml.5 $(DESTDIR)$(MANDIR)/man5/orkestron.toml.5
	$(INSTALL) -m 0644 man/orkestrond.8 $(DESTDIR)$(MANDIR)/man8/orkestrond.8
	# bash-completion sources the script: no #! line (the generator writes one).
	$(RELEASE_DIR)/orkctl --generate-completion-script bash | sed '1{/^#!/d}' > $(DESTDIR)$(BASHCOMPDIR)/orkctl
	$(RELEASE_DIR)/orkctl --generate-completion-script zsh > $(DESTDIR)$(ZSHCOMPDIR)/_orkctl
	$(RELEASE_DIR)/orkctl --generate-completion-script fish > $(DESTDIR)$(FISHCOMPDIR)/orkctl.fish

## uninstall: removes what install put there; the configuration only while it is still the shipped example.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/orkctl $(DESTDIR)$(SBINDIR)/orkestrond \
		$(DESTDIR)$(UNITDIR)/orkestrond.service $(DESTDIR)$(UNITDIR)/orkestrond.socket \
		$(DESTDIR)$(SYSUSERSDIR)/orkestron.conf $(DESTDIR)$(TMPFILESDIR)/orkestron.conf \
		$(DESTDIR)$(MANDIR)/man1/orkctl.1 $(DESTDIR)$(MANDIR)/man5/orkestron.toml.5 \
		$(DESTDIR)$(MANDIR)/man8/orkestrond.8 $(DESTDIR)$(BASHCOMPDIR)/orkctl $(DESTDIR)$(ZSHCOMPDIR)/_orkctl \
		$(DESTDIR)$(FISHCOMPDIR)/orkctl.fish
	@if [ -e $(DESTDIR)$(CONFDIR)/orkestron.toml ]; then \
		if cmp -s config/orkestron.toml $(DESTDIR)$(CONFDIR)/orkestron.toml; then \
			rm -f $(DESTDIR)$(CONFDIR)/orkestron.toml; rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null || true; \
		else \
			echo "keeping the modified $(DESTDIR)$(CONFDIR)/orkestron.toml"; \
		fi; \
	fi

## check-static: the release binaries load no library from the Swift toolchain (libswift*, Foundation,
## dispatch, BlocksRuntime or anything under the toolchain's folder), only system libraries.
TOOLCHAIN_DIR := $(patsubst %/usr/bin/swift,%,$(shell command -v $(SWIFT)))
check-static: release
	@status=0; for binary in $(RELEASE_DIR)/orkctl $(RELEASE_DIR)/orkestrond; do \
		echo "$$binary:"; ldd $$binary | sed 's/^/  /'; \
		if ldd $$binary | grep -E 'libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime|not found$(if $(TOOLCHAIN_DIR),|$(TOOLCHAIN_DIR)/)'; then \
			echo "$$binary needs toolchain libraries"; status=1; \
		fi; \
	done; exit $$status

clean:
	rm -rf .build .run $(FUZZ_OUT) $(FUZZ_DIR)/.build-fuzzer

## deb: the Debian package, .build/deb/orkestron_<version>_<arch>.deb, from packaging/debian (staged into a build
## folder with the sysusers file, as the repository's top level has no debian/), then checked by lintian, which
## must report no error and no warning. The version is debian/changelog's and must be what the programs print.
DEB_DIR     := .build/deb
DEB_VERSION  = $(shell dpkg-parsechangelog -l packaging/debian/changelog -S Version)
DEB_ARCH     = $(shell dpkg --print-architecture)
DEB          = $(DEB_DIR)/orkestron_$(DEB_VERSION)_$(DEB_ARCH).deb
deb: deb-deps release
	@version=$$($(RELEASE_DIR)/orkestrond --version); [ "$$version" = "$(DEB_VERSION)" ] || \
		{ echo "orkestrond --version says $$version, packaging/debian/changelog $(DEB_VERSION)"; exit 1; }
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/orkestron
	cp -R packaging/debian $(DEB_DIR)/orkestron/debian
	cp packaging/orkestron.sysusers $(DEB_DIR)/orkestron/debian/orkestron.sysusers
	cd $(DEB_DIR)/orkestron && ORKESTRON_SOURCE=$(CURDIR) dpkg-buildpackage --build=binary --no-sign
	lintian --fail-on error,warning $(DEB)
	@echo "built $(DEB)"
