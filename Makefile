# SPDX-License-Identifier: GPL-2.0-or-later
# pkgforge — build, test, install.  See README.md.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share/pkgforge
DESTDIR   ?=
BUILD     ?= build

CC        ?= cc
PKGS      := libarchive libfyaml libcrypto rpm libelf libcurl gpgme libxml-2.0 liblzma libzstd zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl is loaded by fetch.c when it first fetches (dlopen), not linked;
# so are libarchive, librpm, gpgme, libfyaml and libcrypto (dynlib.h), by
# the sonames they have here, and libxml2 by the unit test that holds
# pkgforge's rpm-md XML to libxml2's
DYNLIBS    := libcurl libarchive libxml-2.0 rpm gpgme libfyaml libcrypto
# OpenSSL's digests (digest.c) are linked from libcrypto.a: loading
# libcrypto.so took ~2 ms of CPU every run (3,472 symbol relocations);
# the digest code is 53 KB.  usign.c still loads libcrypto.so for Ed25519.
CRYPTO_A   := $(shell pkg-config --variable=libdir libcrypto 2>/dev/null)/libcrypto.a
PKG_LIBS   := $(shell pkg-config --libs $(filter-out $(DYNLIBS),$(PKGS)) 2>/dev/null) \
              $(shell pkg-config --static --libs libdpkg 2>/dev/null) $(CRYPTO_A)
soname      = $(shell readelf -d $(shell pkg-config --variable=libdir $(1))/lib$(2).so 2>/dev/null | \
                sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
SONAMES    := $(if $(call soname,libarchive,archive),-DPF_LIBARCHIVE_SONAME='"$(call soname,libarchive,archive)"') \
              $(if $(call soname,libxml-2.0,xml2),-DPF_LIBXML2_SONAME='"$(call soname,libxml-2.0,xml2)"') \
              $(if $(call soname,rpm,rpm),-DPF_LIBRPM_SONAME='"$(call soname,rpm,rpm)"') \
              $(if $(call soname,gpgme,gpgme),-DPF_LIBGPGME_SONAME='"$(call soname,gpgme,gpgme)"') \
              $(if $(call soname,libfyaml,fyaml),-DPF_LIBFYAML_SONAME='"$(call soname,libfyaml,fyaml)"') \
              $(if $(call soname,libcrypto,crypto),-DPF_LIBCRYPTO_SONAME='"$(call soname,libcrypto,crypto)"')

WARN      := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
             -Wmissing-prototypes -Wno-unused-parameter
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(PKG_CFLAGS) -D_GNU_SOURCE \
             -D_FILE_OFFSET_BITS=64 -DPF_VERSION='"$(VERSION)"' \
             -DPF_DATADIR='"$(DATADIR)"' $(SONAMES) -Ipkgforge
ALL_LDFLAGS = $(LDFLAGS) -pthread

ifeq ($(SANITIZE),1)
BUILD     := build-san
ALL_CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS += -fsanitize=address,undefined
# the libraries pkgforge loads when needed are linked here from the start
# (their dlopen then finds them loaded): LeakSanitizer loses track of the
# thread-local storage of a library loaded later (gpgme's) and crashes
# in its tracer at exit
PKG_LIBS    += -Wl,--no-as-needed $(shell pkg-config --libs rpm gpgme libfyaml libcrypto 2>/dev/null) -Wl,--as-needed
endif

SRCS      := $(sort $(wildcard pkgforge/*.c))
LIB_SRCS  := $(filter-out pkgforge/main.c,$(SRCS))
TEMPLATES := $(sort $(shell find templates -type f ! -name README.md))
GEN_OBJS  := $(BUILD)/obj/templates.o
OBJS      := $(SRCS:pkgforge/%.c=$(BUILD)/obj/%.o) $(GEN_OBJS)
LIB_OBJS  := $(LIB_SRCS:pkgforge/%.c=$(BUILD)/obj/%.o) $(GEN_OBJS)
UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tests/%)

.PHONY: all check check-unit check-cli check-e2e demo deps install uninstall clean bench

all: $(BUILD)/pkgforge

$(BUILD)/pkgforge: $(OBJS)
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS)

# templates/ is compiled in (see pkgforge/templates.h)
$(BUILD)/gen/templates.c: $(TEMPLATES) scripts/embed-templates | $(BUILD)/obj
	@mkdir -p $(BUILD)/gen
	@scripts/embed-templates templates >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/templates.o: $(BUILD)/gen/templates.c pkgforge/templates.h
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: pkgforge/%.c pkgforge/*.h Makefile | $(BUILD)/obj
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test-%: tests/unit/test-%.c tests/unit/unit.h $(LIB_OBJS) | $(BUILD)/tests
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/tests/%: tests/tools/%.c | $(BUILD)/tests
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

# Tests: unit (C), CLI (shell, numbered), end-to-end (real dpkg/apt/rpm/dnf).
# SANITIZE=1 builds with ASan+UBSan; VALGRIND=1 runs pkgforge under memcheck.
check: all $(UNIT_BINS) $(TOOL_BINS)
	@BUILD=$(BUILD) VALGRIND=$(VALGRIND) tests/run-tests $(TESTS)

check-unit: all $(UNIT_BINS)
	@BUILD=$(BUILD) tests/run-tests unit

check-cli: all $(TOOL_BINS)
	@BUILD=$(BUILD) tests/run-tests cli

check-e2e: all $(TOOL_BINS)
	@BUILD=$(BUILD) tests/run-tests e2e

# Installs the build dependencies with apt-get when they are missing.
deps:
	@scripts/install-deps

demo: deps
	$(MAKE) all
	@BUILD=$(BUILD) scripts/demo

bench: all
	@BUILD=$(BUILD) bench/run

install: $(BUILD)/pkgforge
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/profiles \
		$(DESTDIR)$(DATADIR)/keys
	install -m 0755 $(BUILD)/pkgforge $(DESTDIR)$(BINDIR)/pkgforge
	install -m 0644 doc/pkgforge.1 $(DESTDIR)$(MANDIR)/man1/pkgforge.1
	install -m 0644 profiles/*.yaml $(DESTDIR)$(DATADIR)/profiles/
	install -m 0644 keys/*.asc $(DESTDIR)$(DATADIR)/keys/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pkgforge $(DESTDIR)$(MANDIR)/man1/pkgforge.1

clean:
	rm -rf build build-san out
