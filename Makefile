# camaudit — thin front over Meson. `make demo` and `make test` are the two
# commands of the README; both install missing Debian packages first.
BUILD      ?= build
TEST_BUILD ?= build-test
FUZZ_BUILD ?= build-fuzz

.PHONY: all build deps demo test bench fuzz clean format

all: build

deps:
	@sh scripts/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release -Dtests=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	sh scripts/demo $(BUILD)

test: deps
	sh scripts/run-tests $(TEST_BUILD)

bench: build
	sh bench/run-all $(BUILD)

fuzz: deps
	sh scripts/run-fuzz $(FUZZ_BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(FUZZ_BUILD)
