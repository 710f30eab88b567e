# BottleneckIQ - build, test, run.
#
#   make            build build/biq
#   make run        the product with demo data (scripts/run.sh)
#   make test       the whole suite, plain and under ASan+UBSan (scripts/test.sh)
#   make bench      the benchmarks (scripts/bench.sh)
#   make fuzz       libFuzzer harnesses in build-fuzz/, FUZZ_SECONDS each (scripts/fuzz.sh)
#   make backup     a pgBackRest backup of make run's cluster (TYPE=full|diff|incr; scripts/backup.sh)
#   make restore    point-in-time restore of it: TARGET='2026-01-31 12:00:00+00' or latest (scripts/restore.sh)
#   make deb        the Debian package in build/deb/, lintian-checked (scripts/deb.sh)
#   make image      the OCI image layout in build/image/ (scripts/image.sh)
#   make sbom       CycloneDX SBOMs of the package, the image and the Forge app in build/sbom/
#   make mutate     mutation testing of src/flow, src/auth, src/ingest (scripts/mutate.sh)
#
# Variables: BUILD (output folder), CC, SAN=1 (AddressSanitizer + UBSan),
# FUZZ=1 (clang only: libFuzzer instrumentation + ASan + UBSan; scripts/fuzz.sh).

BUILD ?= build
CC ?= cc
SAN ?= 0

PKGS := libmicrohttpd jansson openssl libpq libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

WARNINGS := -Wall -Wextra -Wpedantic -Wshadow -Werror -Wformat=2 \
            -Wstrict-prototypes -Wmissing-prototypes -Wvla
CFLAGS := -std=c17 -D_DEFAULT_SOURCE -g -O2 $(WARNINGS) -Isrc -I$(BUILD)/gen \
          -fstack-protector-strong $(PKG_CFLAGS)
LDLIBS := $(PKG_LIBS) -lpthread -lm

ifeq ($(SAN),1)
CFLAGS := $(filter-out -O2,$(CFLAGS)) -O1 -fno-omit-frame-pointer \
          -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(FUZZ),1)
CFLAGS := $(filter-out -O2,$(CFLAGS)) -O1 -fno-omit-frame-pointer \
          -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
LDFLAGS += -fsanitize=fuzzer,address,undefined
endif

LIB_SRC := $(filter-out src/cli/main.c,$(sort $(shell find src -name '*.c')))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations.o
MIGRATIONS := $(sort $(wildcard db/migrations/*.sql))

SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
SUPPORT_OBJ := $(SUPPORT_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(sort $(wildcard tests/unit/test_*.c)))
INTEGRATION_TESTS := $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%,$(sort $(wildcard tests/integration/test_*.c)))
# Fuzz harnesses: linked with libFuzzer when FUZZ=1, else with the corpus
# replay driver (tests/fuzz/replay_main.c) that `make test` runs.
FUZZ_HARNESSES := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/fuzz/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_MAIN := $(if $(filter 1,$(FUZZ)),,$(BUILD)/obj/tests/fuzz/replay_main.o)

.PRECIOUS: $(BUILD)/obj/%.o
.PHONY: all tests run test bench clean lint fuzz fuzz-harnesses backup restore deb image sbom mutate cluster
all: $(BUILD)/biq

$(BUILD)/biq: $(BUILD)/obj/src/cli/main.o $(BUILD)/libbiq.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libbiq.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/tests/%.o: CFLAGS += -Itests/support $(CHECK_CFLAGS)

$(BUILD)/gen/migrations.c: $(MIGRATIONS) scripts/embed-migrations.sh
	@mkdir -p $(dir $@)
	sh scripts/embed-migrations.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/migrations.o: $(BUILD)/gen/migrations.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(SUPPORT_OBJ) $(BUILD)/libbiq.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/tests/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(FUZZ_MAIN) $(BUILD)/obj/tests/support/fit_sign.o $(BUILD)/libbiq.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Development-only token minting (tools/biq_dev.c); not part of build/biq.
$(BUILD)/biq-dev: $(BUILD)/obj/tools/biq_dev.o $(BUILD)/obj/tests/support/fit_sign.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/tools/%.o: CFLAGS += -Itests/support
$(BUILD)/obj/bench/%.o: CFLAGS += -Itests/support

tests: $(BUILD)/biq $(BUILD)/biq-dev $(UNIT_TESTS) $(INTEGRATION_TESTS) $(FUZZ_HARNESSES)

fuzz-harnesses: $(FUZZ_HARNESSES)

fuzz:
	bash scripts/fuzz.sh

run:
	bash scripts/run.sh

cluster:
	bash scripts/cluster.sh

test:
	bash scripts/test.sh

bench:
	bash scripts/bench.sh

# Seeded mutants of the pure folders against the fast tests (docs/testing.md).
mutate:
	bash scripts/mutate.sh

lint:
	bash scripts/lint.sh

TYPE ?=
TARGET ?= latest
backup:
	bash scripts/deps.sh pgbackrest
	bash scripts/backup.sh $(if $(TYPE),--type $(TYPE))

restore:
	bash scripts/restore.sh --target '$(TARGET)'

deb:
	bash scripts/deps.sh lintian
	bash scripts/deb.sh

image:
	bash scripts/deps.sh buildah umoci jq
	bash scripts/image.sh

sbom:
	bash scripts/deps.sh jq
	bash scripts/sbom.sh

clean:
	rm -rf build build-asan build-clang build-fuzz build-deb

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
