# ucorebtf — userspace BTFGen.  `make` builds everything, `make test` runs the
# suite, `make demo` runs the seed example on real uprobes.
OUTPUT ?= build
override OUTPUT := $(abspath $(OUTPUT))
CC ?= cc
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config
LIBBPF_SRC ?=

ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(OUTPUT)/%,%,$(2))";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

# scripts/deps.sh: build packages for `make`, test packages for `make test`.
DEPS_STAMP := $(OUTPUT)/.deps-stamp
TEST_DEPS_STAMP := $(OUTPUT)/.deps-test-stamp
LIBBPF_TREE := $(if $(LIBBPF_SRC),$(abspath $(LIBBPF_SRC)),$(OUTPUT)/libbpf-src)
LIBBPF_OBJ := $(OUTPUT)/libbpf/libbpf.a
LIBBPF_INC := $(OUTPUT)/libbpf
VMLINUX_H := $(OUTPUT)/vmlinux.h

# Libraries are found through pkg-config; expanded lazily so that deps.sh
# has run by the time a recipe needs them.
LIBS = $(shell $(PKG_CONFIG) --libs libdw libelf zlib liblzma 2>/dev/null || echo -ldw -lelf -lz -llzma)

CFLAGS ?= -g -O2
# EXTRA_CFLAGS/LDFLAGS add to, not replace, the flags (sanitizer builds:
# EXTRA_CFLAGS='-fsanitize=address,undefined' LDFLAGS='-fsanitize=address,undefined').
# LIBBPF_CFLAGS, if set, replaces libbpf's own CFLAGS (to sanitize it too).
EXTRA_CFLAGS ?=
LDFLAGS ?=
LIBBPF_CFLAGS ?=
CFLAGS += $(EXTRA_CFLAGS)
CFLAGS += -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -std=gnu11 -D_GNU_SOURCE
INCLUDES := -I$(LIBBPF_INC) -Iinclude -Isrc -Ibpftool-ext
# Only bpftool-ext/ sees libbpf's internal headers.
EXT_INCLUDES := -I$(LIBBPF_TREE)/src -I$(LIBBPF_TREE)/include -I$(LIBBPF_TREE)/include/uapi
# Every object lists the headers it includes (-MMD -MP): touching a header
# rebuilds exactly its users.
DEPFLAGS = -MMD -MP -MF $(@:.o=.d)

# The layers (docs/layers.md): src/lib is libucorebtf (public libbpf API
# only, never prints), src/tool the build-time libraries, src/cli the
# command line, bpftool-ext the minimiser (libbpf internals).
LIB_SRCS := $(wildcard src/lib/*.c)
TOOL_SRCS := $(wildcard src/tool/*.c)
CLI_SRCS := $(filter-out src/cli/main.c,$(wildcard src/cli/*.c))
EXT_SRCS := $(wildcard bpftool-ext/*.c)
LIB_OBJS := $(patsubst src/lib/%.c,$(OUTPUT)/obj/lib/%.o,$(LIB_SRCS))
TOOL_OBJS := $(patsubst src/tool/%.c,$(OUTPUT)/obj/tool/%.o,$(TOOL_SRCS))
CLI_OBJS := $(patsubst src/cli/%.c,$(OUTPUT)/obj/cli/%.o,$(CLI_SRCS))
MAIN_OBJ := $(OUTPUT)/obj/cli/main.o
EXT_OBJS := $(patsubst bpftool-ext/%.c,$(OUTPUT)/obj/ext/%.o,$(EXT_SRCS))
ALL_OBJS := $(LIB_OBJS) $(TOOL_OBJS) $(CLI_OBJS) $(MAIN_OBJ) $(EXT_OBJS)
CORE_LIB := $(OUTPUT)/libucorebtf-core.a
UCOREBTF := $(OUTPUT)/ucorebtf

# The public runtime library: src/lib only, built without libbpf's
# internal headers.  The application brings its own libbpf >= 1.0.
# The shared library as libbpf lays it out: the real file
# libucorebtf.so.0.1.0 (soname libucorebtf.so.0), libucorebtf.so.0 ->
# libucorebtf.so.0.1.0 (what the loader opens), libucorebtf.so ->
# libucorebtf.so.0 (what -lucorebtf finds at link time).
RT_VERSION := 0.1.0
RT_MAJOR := $(firstword $(subst ., ,$(RT_VERSION)))
RT_LIB_A := $(OUTPUT)/libucorebtf.a
RT_LIB_SO := $(OUTPUT)/libucorebtf.so
RT_LIB_SO_MAJOR := $(RT_LIB_SO).$(RT_MAJOR)
RT_LIB_SO_REAL := $(RT_LIB_SO).$(RT_VERSION)
RT_PC := $(OUTPUT)/libucorebtf.pc
RT_LIBS = $(shell $(PKG_CONFIG) --libs libelf zlib liblzma 2>/dev/null || echo -lelf -lz -llzma)
# What a static link of libucorebtf needs besides libbpf (Libs.private).
RT_PRIVATE_LIBS := -lelf -lz -llzma

# Man pages: one reStructuredText page per command family (as bpftool's),
# rendered by Debian's docutils; the bash completion is a plain script.
# tests/build/t_man_sync.sh keeps both in step with the help output.
RST2MAN ?= rst2man
MAN_RST := $(sort $(wildcard docs/man/*.rst))
MAN_PAGES := $(patsubst docs/man/%.rst,$(OUTPUT)/man/man8/%.8,$(MAN_RST))

# The seed example with the bundle embedded (examples/seed/loader.c built
# with -DSEED_EMBED_BUNDLE against libucorebtf.a only).
SEED_DIR := $(OUTPUT)/examples/seed
SEED_BUNDLE_H := $(SEED_DIR)/seed_bundle.h
SEED_EMBED := $(SEED_DIR)/loader_embed

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS)) \
	    $(OUTPUT)/bpf/seed_nocore.bpf.o
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(OUTPUT) -I$(LIBBPF_INC) -Ibpf -Wall -Wno-unused-function

# Userspace programs that tests and examples build against the core library.
TEST_TOOL_SRCS := $(wildcard tests/tools/*.c tests/unit/*.c) $(wildcard examples/*/loader*.c)
TOOLS := $(patsubst %.c,$(OUTPUT)/%,$(TEST_TOOL_SRCS))

# Example "applications": built with DWARF, no optimisation that would fold the probed call.
APP_SRCS := $(wildcard examples/*/app_*.c)
APPS := $(patsubst %.c,$(OUTPUT)/%,$(APP_SRCS))

.PHONY: all clean test demo demo-ssl deps test-deps libbpf
all: $(UCOREBTF) $(BPF_OBJS) $(TOOLS) $(APPS) $(RT_LIB_A) $(RT_LIB_SO_REAL) $(RT_LIB_SO_MAJOR) \
	$(RT_LIB_SO) $(RT_PC) $(SEED_EMBED) $(MAN_PAGES)

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	$(call msg,DEPS,scripts/deps.sh)
	$(Q)mkdir -p $(@D)
	$(Q)bash scripts/deps.sh
	$(Q)touch $@

# After the build's packages: two apt-get runs would race for apt's lock.
test-deps: $(TEST_DEPS_STAMP)
$(TEST_DEPS_STAMP): scripts/deps.sh | $(DEPS_STAMP)
	$(call msg,DEPS,scripts/deps.sh --test)
	$(Q)bash scripts/deps.sh --test
	$(Q)touch $@

ifeq ($(LIBBPF_SRC),)
# The tarball is cached outside the clone (scripts/apt-src.sh).
$(OUTPUT)/libbpf-src/src/Makefile: scripts/fetch-libbpf.sh | $(DEPS_STAMP)
	$(call msg,FETCH,libbpf 1.5.0 (Debian source))
	$(Q)bash scripts/fetch-libbpf.sh $(OUTPUT)/libbpf-src
	$(Q)touch $@
endif

libbpf: $(LIBBPF_OBJ)
$(LIBBPF_OBJ): $(LIBBPF_TREE)/src/Makefile | $(DEPS_STAMP)
	$(call msg,LIB,$@)
	$(Q)$(MAKE) -s -C $(LIBBPF_TREE)/src BUILD_STATIC_ONLY=1 \
		OBJDIR=$(OUTPUT)/libbpf/obj DESTDIR=$(OUTPUT)/libbpf \
		INCLUDEDIR= LIBDIR= UAPIDIR= $(if $(LIBBPF_CFLAGS),CFLAGS='$(LIBBPF_CFLAGS)') \
		install >/dev/null

$(VMLINUX_H): | $(DEPS_STAMP)
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

# Objects wait for libbpf's headers (order-only: libbpf.a is not a source).
$(OUTPUT)/obj/lib/%.o: src/lib/%.c | $(LIBBPF_OBJ)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -fPIC -fvisibility=hidden -I$(LIBBPF_INC) -Iinclude -Isrc -c $< -o $@

$(OUTPUT)/obj/tool/%.o: src/tool/%.c | $(LIBBPF_OBJ)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(INCLUDES) -c $< -o $@

$(OUTPUT)/obj/cli/%.o: src/cli/%.c | $(LIBBPF_OBJ)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(INCLUDES) -c $< -o $@

$(OUTPUT)/obj/ext/%.o: bpftool-ext/%.c | $(LIBBPF_OBJ)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(INCLUDES) $(EXT_INCLUDES) -c $< -o $@

-include $(ALL_OBJS:.o=.d)

$(CORE_LIB): $(LIB_OBJS) $(TOOL_OBJS) $(CLI_OBJS) $(EXT_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(RT_LIB_A): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# libbpf's symbols stay undefined: they come from the application's libbpf.
# The version script exports ucorebtf_* only (tests/build/t_lib_abi.sh).
RT_MAP := src/lib/libucorebtf.map
$(RT_LIB_SO_REAL): $(LIB_OBJS) $(RT_MAP)
	$(call msg,LIB,$@)
	$(Q)$(CC) -shared -Wl,-soname,$(notdir $(RT_LIB_SO_MAJOR)) -Wl,--version-script=$(RT_MAP) \
		$(LIB_OBJS) $(RT_LIBS) -o $@

$(RT_LIB_SO_MAJOR): $(RT_LIB_SO_REAL)
	$(Q)ln -sfn $(notdir $<) $@

$(RT_LIB_SO): $(RT_LIB_SO_MAJOR)
	$(Q)ln -sfn $(notdir $<) $@

# pc_text PREFIX,LIBDIR,INCLUDEDIR: libucorebtf.pc, paths relative to
# ${prefix} where they lie under it (a tree moved elsewhere is found with
# pkg-config --define-prefix).  libbpf is the application's own (>= 1.0,
# public API only): Requires.private, so that --static links it.
pc_rel = $(if $(filter $(1),$(2)),$${prefix},$(if $(filter $(1)/%,$(2)),$${prefix}/$(patsubst $(1)/%,%,$(2)),$(2)))
pc_text = printf '%s\n' 'prefix=$(1)' 'libdir=$(call pc_rel,$(1),$(2))' \
	'includedir=$(call pc_rel,$(1),$(3))' '' 'Name: libucorebtf' \
	'Description: pick and prepare userspace CO-RE BTF from a ucorebtf bundle' \
	'Version: $(RT_VERSION)' 'Requires.private: libbpf' 'Cflags: -I$${includedir}' \
	'Libs: -L$${libdir} -lucorebtf' 'Libs.private: $(RT_PRIVATE_LIBS)'

# The build tree's own .pc (PKG_CONFIG_PATH=build): the header stays in the
# source tree.  `make install` writes another one for the installed tree.
$(RT_PC): Makefile
	$(call msg,GEN,$@)
	$(Q)$(call pc_text,$(OUTPUT),$(OUTPUT),$(abspath include)) > $@

# gen btf of both releases, gen min (blobs + kernel needs), archive, bundle.
$(SEED_BUNDLE_H): $(UCOREBTF) $(SEED_DIR)/app_v1 $(SEED_DIR)/app_v2 $(OUTPUT)/bpf/seed.bpf.o
	$(call msg,BUNDLE,$@)
	$(Q)rm -rf $(SEED_DIR)/archive
	$(Q)cd $(SEED_DIR) && for v in 1 2; do \
		$(UCOREBTF) gen btf app_v$$v --name seed-app --version $$v -o seed-app-$$v.btf >/dev/null || exit 1; \
	done && \
	$(UCOREBTF) gen min $(OUTPUT)/bpf/seed.bpf.o seed-app-1.btf seed-app-2.btf -o archive --archive >/dev/null
	$(Q)$(UCOREBTF) bundle create $(SEED_DIR)/archive -o $(SEED_DIR)/seed.ucb
	$(Q)$(UCOREBTF) bundle create $(SEED_DIR)/archive --emit c -o $@

$(SEED_EMBED): examples/seed/loader.c $(wildcard examples/common/*.h) $(SEED_BUNDLE_H) $(RT_LIB_A) $(LIBBPF_OBJ)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -DSEED_EMBED_BUNDLE -I$(LIBBPF_INC) -Iinclude -I$(SEED_DIR) $< \
		$(RT_LIB_A) $(LIBBPF_OBJ) $(RT_LIBS) -o $@

# Any docutils warning fails the build (a broken page is not installed).
$(OUTPUT)/man/man8/%.8: docs/man/%.rst | $(DEPS_STAMP)
	$(call msg,MAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(RST2MAN) --halt=warning --no-generator --no-datestamp $< > $@.tmp && mv $@.tmp $@

man: $(MAN_PAGES)

$(UCOREBTF): $(MAIN_OBJ) $(CORE_LIB) $(LIBBPF_OBJ)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $< $(CORE_LIB) $(LIBBPF_OBJ) $(LDFLAGS) $(LIBS) -o $@

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(VMLINUX_H) $(LIBBPF_OBJ)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

# The seed probe without CO-RE: what a tracer with a hand-made offset table does.
$(OUTPUT)/bpf/seed_nocore.bpf.o: bpf/seed.bpf.c $(wildcard bpf/*.h) $(VMLINUX_H) $(LIBBPF_OBJ)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DSEED_NO_CORE -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUTPUT)/%: %.c $(CORE_LIB) $(LIBBPF_OBJ)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -MF $@.d $(INCLUDES) $< $(CORE_LIB) $(LIBBPF_OBJ) $(LDFLAGS) $(LIBS) -o $@

-include $(TOOLS:=.d)

$(APPS): $(OUTPUT)/%: %.c
	$(call msg,APP,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -g -O0 $< -o $@

test: all $(TEST_DEPS_STAMP)
	$(Q)OUTPUT=$(OUTPUT) bash tests/run.sh

demo: all
	$(Q)OUTPUT=$(OUTPUT) bash examples/seed/demo.sh

# OpenSSL 1.1.1-3.6 (docs/openssl.md); OPENSSL=path/to/openssl for one build.
demo-ssl: all
	$(Q)OUTPUT=$(OUTPUT) bash examples/sslsniff/demo.sh

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

# ---- The Go example (examples/go/, tests/e2e/t_go_example.sh) -----------
# Debian's Go and cilium/ebpf 0.9.1 (test packages): GOPATH mode on
# /usr/share/gocode, no module download, no network; the build cache in
# OUTPUT so that it works as root in CI and goes with `make clean`.
GO ?= go
GO_EXAMPLE := $(OUTPUT)/examples/go/seed-go
GO_ENV := GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$(OUTPUT)/go-cache GOFLAGS=-buildvcs=false \
	CGO_ENABLED=0 GOPROXY=off
.PHONY: go-example
go-example: $(GO_EXAMPLE) $(OUTPUT)/bpf/seed_go.bpf.o

$(GO_EXAMPLE): $(wildcard examples/go/*.go) | $(TEST_DEPS_STAMP)
	$(call msg,GO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)cd examples/go && $(GO_ENV) $(GO) build -trimpath -o $@ .

# ---- Install (like libbpf's: PREFIX, DESTDIR, LIBDIR) --------------------
# make install [PREFIX=/usr/local] [DESTDIR=] [LIBDIR=$(PREFIX)/lib]
# (Debian multiarch: LIBDIR=/usr/lib/x86_64-linux-gnu).  The .pc written
# there says prefix=$(PREFIX); `make uninstall` with the same variables
# removes exactly the files install wrote (tests/build/t_install.sh).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALL ?= install
BASH_COMPLETION := scripts/bash-completion/ucorebtf

# Every file install writes, for uninstall.
INSTALLED := $(BINDIR)/ucorebtf $(INCLUDEDIR)/ucorebtf.h $(PKGCONFIGDIR)/libucorebtf.pc \
	$(addprefix $(LIBDIR)/,$(notdir $(RT_LIB_A) $(RT_LIB_SO) $(RT_LIB_SO_MAJOR) $(RT_LIB_SO_REAL))) \
	$(addprefix $(MANDIR)/man8/,$(notdir $(MAN_PAGES))) $(BASHCOMPDIR)/ucorebtf

.PHONY: install uninstall man
install: $(UCOREBTF) $(RT_LIB_A) $(RT_LIB_SO_REAL) $(RT_LIB_SO_MAJOR) $(RT_LIB_SO) $(MAN_PAGES)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d -m 755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR)
	$(Q)$(INSTALL) -m 755 $(UCOREBTF) $(DESTDIR)$(BINDIR)/ucorebtf
	$(Q)$(INSTALL) -m 644 $(RT_LIB_A) $(DESTDIR)$(LIBDIR)/
	$(Q)$(INSTALL) -m 755 $(RT_LIB_SO_REAL) $(DESTDIR)$(LIBDIR)/
	$(Q)ln -sfn $(notdir $(RT_LIB_SO_REAL)) $(DESTDIR)$(LIBDIR)/$(notdir $(RT_LIB_SO_MAJOR))
	$(Q)ln -sfn $(notdir $(RT_LIB_SO_MAJOR)) $(DESTDIR)$(LIBDIR)/$(notdir $(RT_LIB_SO))
	$(Q)$(INSTALL) -m 644 include/ucorebtf.h $(DESTDIR)$(INCLUDEDIR)/
	$(Q)$(call pc_text,$(PREFIX),$(LIBDIR),$(INCLUDEDIR)) > $(DESTDIR)$(PKGCONFIGDIR)/libucorebtf.pc
	$(Q)chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/libucorebtf.pc
	$(Q)$(INSTALL) -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man8/
	$(Q)$(INSTALL) -m 644 $(BASH_COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/ucorebtf

uninstall:
	$(call msg,UNINST,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# ---- Fuzzing (docs/fuzzing.md) ----------------------------------------
# libFuzzer harnesses (tests/fuzz/fuzz_*.c) linked against every layer and
# libbpf, all rebuilt with clang -fsanitize=fuzzer-no-link,address,undefined
# into $(OUTPUT)/fuzz (libbpf with -fwrapv: its hashes wrap on purpose).
# `make fuzz` runs each harness for FUZZ_TIME seconds on a copy of its seed
# corpus (tests/fixtures/fuzz/<harness>/); tests/cli/t_fuzz.sh runs them
# briefly in `make test`.  FUZZ=bundle,index runs a subset.
FUZZ_OUT := $(OUTPUT)/fuzz
FUZZ_TIME ?= 120
FUZZ ?=
FUZZ_HARNESSES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_HARNESSES))
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Wall -Wno-unused-parameter \
	-Wno-missing-field-initializers -std=gnu11 -D_GNU_SOURCE
# Two libbpf habits are not ours to fix, so UBSan skips them in libbpf only:
# memcpy(dst, NULL, 0) (an ELF's empty .BTF section, btf_new()) and types
# read at a header length that is not a multiple of 4 (btf_parse_type_sec()).
FUZZ_LIBBPF_CFLAGS := -g -O1 -std=gnu89 -fwrapv $(FUZZ_SAN) \
	-fno-sanitize=nonnull-attribute,alignment -fsanitize=fuzzer-no-link
FUZZ_LIBBPF := $(FUZZ_OUT)/libbpf/libbpf.a
FUZZ_INCLUDES := -I$(FUZZ_OUT)/libbpf -Iinclude -Isrc -Ibpftool-ext
FUZZ_CORE := $(FUZZ_OUT)/libucorebtf-core.a
FUZZ_OBJS := $(patsubst src/%.c,$(FUZZ_OUT)/obj/%.o,$(LIB_SRCS) $(TOOL_SRCS) $(CLI_SRCS)) \
	     $(patsubst bpftool-ext/%.c,$(FUZZ_OUT)/obj/ext/%.o,$(EXT_SRCS))
# Fixtures the harnesses open, compiled in (the environment overrides them):
# the seed app as prepare's target, a small kernel BTF, the seed app's BTF.
FUZZ_FIXTURES := $(abspath tests/fixtures/fuzz)
FUZZ_DEFS := -DFUZZ_TARGET='"$(SEED_DIR)/app_v1"' -DFUZZ_KBTF='"$(FUZZ_FIXTURES)/kernel.btf"' \
	     -DFUZZ_LIB_BTF='"$(FUZZ_FIXTURES)/seed-app-1.btf"'
# Changed flags rebuild everything of the fuzz build (libbpf's objects too).
FUZZ_STAMP := $(FUZZ_OUT)/.flags
FUZZ_FLAGS := $(CLANG) $(FUZZ_CFLAGS) / $(FUZZ_LIBBPF_CFLAGS) / $(FUZZ_FIXTURES) $(SEED_DIR)
comma := ,

.PHONY: fuzz fuzz-build FORCE
fuzz-build: $(FUZZ_BINS) $(SEED_BUNDLE_H)

fuzz: fuzz-build
	$(Q)FUZZ_OUT=$(FUZZ_OUT) SEED_DIR=$(SEED_DIR) bash tests/fuzz/run.sh --keep $(FUZZ_TIME) \
		$(subst $(comma), ,$(FUZZ))

$(FUZZ_STAMP): FORCE
	$(Q)mkdir -p $(@D)
	$(Q)[ "$$(cat $@ 2>/dev/null)" = '$(FUZZ_FLAGS)' ] || echo '$(FUZZ_FLAGS)' > $@

$(FUZZ_LIBBPF): $(LIBBPF_TREE)/src/Makefile $(FUZZ_STAMP)
	$(call msg,LIB,$@)
	$(Q)rm -rf $(FUZZ_OUT)/libbpf
	$(Q)$(MAKE) -s -C $(LIBBPF_TREE)/src BUILD_STATIC_ONLY=1 CC=$(CLANG) EXTRA_CFLAGS= \
		OBJDIR=$(FUZZ_OUT)/libbpf/obj DESTDIR=$(FUZZ_OUT)/libbpf \
		INCLUDEDIR= LIBDIR= UAPIDIR= CFLAGS='$(FUZZ_LIBBPF_CFLAGS)' install >/dev/null

$(FUZZ_OUT)/obj/ext/%.o: bpftool-ext/%.c $(FUZZ_STAMP) | $(FUZZ_LIBBPF)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) $(FUZZ_INCLUDES) $(EXT_INCLUDES) -c $< -o $@

$(FUZZ_OUT)/obj/%.o: src/%.c $(FUZZ_STAMP) | $(FUZZ_LIBBPF)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) $(FUZZ_INCLUDES) -c $< -o $@

$(FUZZ_CORE): $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_CORE) $(FUZZ_LIBBPF) $(FUZZ_STAMP)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -MF $@.d $(FUZZ_DEFS) $(FUZZ_INCLUDES) $< \
		$(FUZZ_CORE) $(FUZZ_LIBBPF) $(LIBS) -o $@

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
