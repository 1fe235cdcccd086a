# The two set-up commands of README.md: `make demo` and `make check`. Everything else is a building block.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
# CI builds with warnings as errors.
WERROR := $(if $(CI),ON,OFF)

.PHONY: all deps configure build demo check bench demo-tenant format clean

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

# Every test, with CTest's summary at the end.
check: build
	cd $(BUILD) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 600

bench: build
	$(BUILD)/bench/sunset-bench 600000 $(BUILD)/bench-data

# Regenerates resources/demo from the generator (the files are committed; a test checks they match).
demo-tenant: build
	$(BUILD)/app/sunset-cli demo-tenant --out resources/demo

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)

# Sunset's LDAP read and writes against ldapsearch/ldapmodify on a private Samba DC with 20,000 mailboxes
# (root; minutes). Not part of make check.
.PHONY: bench-ldap
bench-ldap: build
	bench/ldap-bench.sh $(BUILD)
