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

# Every test, with CTest's summary at the end: the whole suite in the normal build, the Debian package made from
# that build and checked installed (then removed), the whole suite again in the AddressSanitizer +
# UndefinedBehaviorSanitizer build (build-asan/), then a few seconds of each fuzzer (build-fuzz/, clang 14).
# docs/security.md says why and how to run each part alone.
check: check-normal check-package check-asan check-fuzz

check-normal: build
	cd $(BUILD) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 600

# The Debian package of the normal build: $(BUILD)/sunset_VERSION_ARCH.deb (packaging/CMakeLists.txt).
package: build
	cd $(BUILD) && cpack -G DEB

# Builds that package and checks it installed on this machine (root or sudo; it removes it again).
check-package: build
	scripts/check-package.sh $(BUILD)

# The sanitizer build and fuzz build: their settings live in CMakePresets.json (one place for the
# ASAN_OPTIONS/UBSAN_OPTIONS/LSAN_OPTIONS the runs use). Warnings as errors stay the normal build's contract:
# instrumented code makes gcc warn falsely (-Wmaybe-uninitialized, -Wstringop-overflow), and clang 14 differs.
configure-asan: deps
	cmake --preset asan

build-asan: configure-asan
	cmake --build --preset asan

check-asan: build-asan
	ctest --preset asan

configure-fuzz: deps
	cmake --preset fuzz

build-fuzz: configure-fuzz
	cmake --build --preset fuzz

check-fuzz: build-fuzz
	ctest --preset fuzz

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
