# SPDX-License-Identifier: Apache-2.0
# The two set-up commands of README.md: `make demo` and `make check`. Everything else is a building block.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
# CI builds with warnings as errors.
WERROR := $(if $(CI),ON,OFF)

.PHONY: all deps configure build demo check bench demo-tenant format clean configure-asan build-asan \
	configure-fuzz build-fuzz check-normal check-asan check-fuzz fuzz package check-package

all: build

deps:
	scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSUNSET_WERROR=$(WERROR)

build: configure
	cmake --build $(BUILD)

# Opens Sunset on the bundled demo tenant (sunset --demo).
demo: build
	scripts/demo.sh $(BUILD)

# The documentation's pictures of the desktop app (docs/*.png), of the demo tenant, offscreen.
.PHONY: screenshots
screenshots: build
	for shot in main:sunset-demo connect:sunset-connect batch:sunset-batch-review history:sunset-history \
	            writeback:sunset-writeback decommission:sunset-decommission; do \
	  QT_QPA_PLATFORM=offscreen $(BUILD)/app/sunset-screenshots $${shot%%:*} docs/$${shot#*:}.png || exit 1; \
	done

# Every test, with CTest's summary at the end: the whole suite in the normal build, the Debian package made from
# that build and checked installed (then removed), the whole suite again in the AddressSanitizer +
# UndefinedBehaviorSanitizer build (build-asan/), then a few seconds of each fuzzer (build-fuzz/, clang 14).
# docs/security.md says why, how to run each part alone, and how long each takes.
# The builds keep both cores busy; the test phases mostly wait (on the Samba DC, the loopback network, dpkg). So
# the next build runs beside them, niced so the tests keep the CPU they ask for: the sanitizer build beside the
# normal suite and the package check, the fuzz build beside the sanitizer suite. Each part's output comes whole
# when it ends (--output-sync), and any failure fails make check.
check: build
	$(MAKE) --no-print-directory -j3 --output-sync=target suite-normal suite-package build-asan NICE="nice -n 10"
	$(MAKE) --no-print-directory -j2 --output-sync=target suite-asan build-fuzz NICE="nice -n 10"
	$(MAKE) --no-print-directory suite-fuzz

# Tests run CTEST_JOBS at a time (the SambaSeededMailboxes resource lock keep apart those that share the DC's mailboxes).
# Every suite that may start the Samba DC holds /tmp/sunset-samba-tests.lock for its run: the DC binds fixed
# ports, so two suites on one machine (another checkout, make bench-ldap) wait for each other instead of colliding.
CTEST_JOBS ?= 2
SAMBA_LOCK := flock /tmp/sunset-samba-tests.lock
NICE ?=

check-normal: build
	$(MAKE) --no-print-directory suite-normal

# The suites alone, without building first (make check builds, then runs them beside the next build).
.PHONY: suite-normal suite-package suite-asan suite-fuzz
suite-normal:
	cd $(BUILD) && $(SAMBA_LOCK) env QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 600 -j$(CTEST_JOBS)

# The Debian package of the normal build: $(BUILD)/sunset_VERSION_ARCH.deb (packaging/CMakeLists.txt).
package: build
	cd $(BUILD) && cpack -G DEB

# Builds that package and checks it installed on this machine (root or sudo; it removes it again).
check-package: build
	$(MAKE) --no-print-directory suite-package

suite-package:
	scripts/check-package.sh $(BUILD)

# The sanitizer build and fuzz build: their settings live in CMakePresets.json (one place for the
# ASAN_OPTIONS/UBSAN_OPTIONS/LSAN_OPTIONS the runs use). Warnings as errors stay the normal build's contract:
# instrumented code makes gcc warn falsely (-Wmaybe-uninitialized, -Wstringop-overflow), and clang 14 differs.
configure-asan: deps
	$(NICE) cmake --preset asan

build-asan: configure-asan
	$(NICE) cmake --build --preset asan

check-asan: build-asan
	$(MAKE) --no-print-directory suite-asan

suite-asan:
	$(SAMBA_LOCK) ctest --preset asan -j$(CTEST_JOBS)

configure-fuzz: deps
	$(NICE) cmake --preset fuzz

build-fuzz: configure-fuzz
	$(NICE) cmake --build --preset fuzz

check-fuzz: build-fuzz
	$(MAKE) --no-print-directory suite-fuzz

# Each fuzzer runs its fixed seconds on a core of its own: two at once halve the wall time, not the fuzzing.
suite-fuzz:
	ctest --preset fuzz -j2

# The longer fuzz run: each fuzzer in turn for FUZZ_SECONDS (default 300) on one core, its corpus growing in
# build-fuzz/corpus/<target> (seeded from tests/fuzz/corpus/<target>); a crash leaves crash-* in build-fuzz/.
FUZZ_SECONDS ?= 300
fuzz: build-fuzz
	tests/fuzz/run-fuzzers.sh build-fuzz $(FUZZ_SECONDS)

bench: build
	$(BUILD)/bench/sunset-bench 600000 $(BUILD)/bench-data

# The mailbox list at 600,000 mailboxes a side, offscreen (docs/benchmarks.md); shares bench-data with make bench.
.PHONY: bench-gui
bench-gui: build
	QT_QPA_PLATFORM=offscreen $(BUILD)/bench/sunset-gui-bench 600000 $(BUILD)/bench-data

# A full live Exchange Online read of 600,000 mailboxes from the emulator with its cost model on: Sunset's parallel
# slices against one sequential stream (docs/benchmarks.md); about 20 minutes. MAILBOXES=N for a smaller tenant.
MAILBOXES ?= 600000
.PHONY: bench-cloud
bench-cloud: build
	$(BUILD)/bench/sunset-cloud-bench --mailboxes $(MAILBOXES)

# Regenerates resources/demo from the generator (the files are committed; a test checks they match).
demo-tenant: build
	$(BUILD)/app/sunset-cli demo-tenant --out resources/demo

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-asan build-fuzz

# Sunset's LDAP read and writes against ldapsearch/ldapmodify on a private Samba DC with 20,000 mailboxes
# (root; minutes). Not part of make check.
.PHONY: bench-ldap
bench-ldap: build
	bench/ldap-bench.sh $(BUILD)

# An incremental AD rescan with 1 % of the mailboxes changed against a full read, on a DC like bench-ldap's but with
# Samba's LMDB store, whose ordered index answers the rescan's uSNChanged range as Windows does (docs/benchmarks.md).
.PHONY: bench-ad-incremental
bench-ad-incremental: build
	SUNSET_LDAP_BENCH_PROGRAM=sunset-ad-incremental-bench SUNSET_SAMBA_BACKEND_STORE=mdb bench/ldap-bench.sh $(BUILD)

# An incremental Exchange Online rescan with 1 % of 20,000 mailboxes changed against a full read, against the
# in-process cloud emulator (docs/benchmarks.md). Not part of make check.
.PHONY: bench-cloud-incremental
bench-cloud-incremental: build
	$(BUILD)/bench/sunset-cloud-incremental-bench 20000 1 3
