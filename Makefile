# Orkestron — build, test and run.
#
# `make test` is what CI runs (.ci/run): it installs the Debian packages the build and the tests need (tmux drives
# `orkctl top` in a real terminal) when they are missing, builds every target and runs every test.

SWIFT        ?= swift
CONFIGURATION ?= debug
DEB_PACKAGES := libsystemd-dev libsqlite3-dev pkg-config tzdata tmux systemd
# Python modules the tests use as independent checkers (prometheus_client's exposition parser).
PIP_PACKAGES := prometheus_client
SWIFT_FLAGS  := -c $(CONFIGURATION)

.PHONY: all build test deps clean run completions

all: build completions

## deps: install the Debian packages the build and the tests need (as root via apt-get; otherwise print the command).
deps:
	@missing=""; \
	for pkg in $(DEB_PACKAGES); do \
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
	@for module in $(PIP_PACKAGES); do \
		python3 -c "import $$module" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore $$module; \
	done

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
## tests do not starve 30 daemons starting at once on a 2-core machine), then the simulation fidelity test
## alone: it compares a daemon's timing with the simulation's, which 30 daemons starting beside it would blur.
test: deps
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	$(SWIFT) test --skip-build $(SWIFT_FLAGS) --skip OrkestronDaemonTests
	$(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter OrkestronDaemonTests --skip SimulationFidelityTests
	$(SWIFT) test --skip-build $(SWIFT_FLAGS) --filter SimulationFidelityTests

## run: build and run the daemon in the foreground with the example configuration; state and socket in ./.run/
run: build
	mkdir -p .run
	.build/$(CONFIGURATION)/orkestrond --config config/orkestron.toml --state-dir .run/state \
		--socket .run/orkestron.sock --log-target stderr

clean:
	rm -rf .build .run
