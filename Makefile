# beishen — build, test, demo and benchmark entry points.
#
# The library is every C file of the layers below; the CLI binary adds
# review/cli/main.c, which holds only the command table's entry point.
# Layers, lowest first (a layer includes only layers to its left):
#   review/core ← review/store ← review/ingest, review/query ← review/scoring ← review/cli, review/server
#   review/core, fonts ← render   (render draws the data it is handed; it never reads the store)
# Includes name their layer: "core/error.h", "store/store.h", "render/layout.h".

CC      ?= cc
.DEFAULT_GOAL := all
PKGS    := sqlite3 jansson glib-2.0 libzip zlib cairo pangocairo pangoft2 harfbuzz fontconfig \
           poppler-glib libmicrohttpd libsodium
DEBS    := pkg-config libsqlite3-dev libjansson-dev libglib2.0-dev libzip-dev zlib1g-dev libcairo2-dev \
           libpango1.0-dev libharfbuzz-dev libfontconfig-dev libpoppler-glib-dev \
           libmicrohttpd-dev libsodium-dev \
           fonts-noto-cjk fonts-hanazono qpdf poppler-utils sqlite3 zip unzip jq valgrind \
           python3-reportlab libjpeg-dev python3-fonttools chromium wrk curl
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= -O2 -g
# Bounded snprintf into fixed buffers is deliberate (hard caps on untrusted input).
override CFLAGS += -std=c11 -Wall -Wextra -Werror -Wno-format-truncation -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
           -Ireview -I. -I$(BUILD) $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lm

BUILD   ?= build
# Faces cut from Noto CJK at build time by fonts/subset.py (see there why);
# fonts.c reads them from this absolute path, whatever the working directory.
FONT_DIR := $(CURDIR)/build/fonts
NOTO_DIR := /usr/share/fonts/opentype/noto
SUBSET_FONTS := $(FONT_DIR)/BeishenSansTC-Regular.ttf $(FONT_DIR)/BeishenSansTC-Bold.ttf \
                $(FONT_DIR)/BeishenSerifTC-Regular.ttf $(FONT_DIR)/BeishenSerifTC-Bold.ttf
override CFLAGS += -DBEISHEN_FONT_DIR='"$(FONT_DIR)"'

LAYERS  := review/core review/store review/ingest review/query review/scoring review/server review/cli render fonts
LIB_SRC := $(filter-out review/cli/main.c,$(foreach d,$(LAYERS),$(wildcard $(d)/*.c)))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema_sql.o $(BUILD)/web_assets.o
HEADERS := $(foreach d,$(LAYERS),$(wildcard $(d)/*.h))
WEB_FILES := $(sort $(wildcard review/server/web/*))
UNIT_SRC := $(wildcard tests/unit_*.c)
UNIT_BIN := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)
# Programs the end-to-end tests drive (not tests themselves: run.sh runs unit_* only).
TEST_TOOLS := $(BUILD)/tests/hostile_client

.PHONY: all deps browser-deps check-deps demo test check asan bench clean samples serve

all: beishen $(BUILD)/generate $(SUBSET_FONTS)

# All four faces in one rule, two at a time: each takes 1.5 to 2.5 minutes of
# one core (most of it converting the outlines to TrueType).
$(SUBSET_FONTS) &: fonts/subset.py
	@mkdir -p $(FONT_DIR)
	@echo "  FONT $(FONT_DIR): Beishen Sans/Serif TC, cut from Noto CJK (about four minutes)"
	@/usr/bin/python3 fonts/subset.py $(NOTO_DIR)/NotoSansCJK-Regular.ttc 3 "Beishen Sans TC" $(FONT_DIR)/BeishenSansTC-Regular.ttf & a=$$!; \
	 /usr/bin/python3 fonts/subset.py $(NOTO_DIR)/NotoSansCJK-Bold.ttc 3 "Beishen Sans TC" $(FONT_DIR)/BeishenSansTC-Bold.ttf; b=$$?; \
	 wait $$a && [ $$b = 0 ] || exit 1; \
	 /usr/bin/python3 fonts/subset.py $(NOTO_DIR)/NotoSerifCJK-Regular.ttc 3 "Beishen Serif TC" $(FONT_DIR)/BeishenSerifTC-Regular.ttf & a=$$!; \
	 /usr/bin/python3 fonts/subset.py $(NOTO_DIR)/NotoSerifCJK-Bold.ttc 3 "Beishen Serif TC" $(FONT_DIR)/BeishenSerifTC-Bold.ttf; b=$$?; \
	 wait $$a && [ $$b = 0 ]

beishen: $(BUILD)/review/cli/main.o $(LIB_OBJ)
	@echo "  LD $@"; $(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC $<"; $(CC) $(CFLAGS) -c -o $@ $<

# The schema files are compiled in, so the binary never depends on the
# directory it is run from.  One file per schema version, applied in order.
# The directory too: removing or renaming a schema file changes only its
# modification time.
$(BUILD)/schema_sql.c: $(sort $(wildcard schema/*.sql)) tools/embed-schema.sh schema
	@mkdir -p $(BUILD)
	sh tools/embed-schema.sh $(sort $(wildcard schema/*.sql)) > $@

# The browser UI, compiled in the same way.
$(BUILD)/web_assets.c: $(WEB_FILES) tools/embed-web.sh
	@mkdir -p $(BUILD)
	@sh tools/embed-web.sh $(WEB_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/schema_sql.o $(BUILD)/web_assets.o: $(BUILD)/%.o: $(BUILD)/%.c $(HEADERS)
	@echo "  CC $<"; $(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(LIB_OBJ) $(HEADERS) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC $@"; $(CC) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

# The hostile clients of tests/e2e_hostile.sh: plain sockets, no library.
$(BUILD)/tests/hostile_client: tests/hostile_client.c
	@mkdir -p $(dir $@)
	@echo "  CC $@"; $(CC) $(CFLAGS) -o $@ $<

# The sample generator writes JPEG attachments with libjpeg; nothing else uses it.
$(BUILD)/generate: samples/generate.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDLIBS) $(shell pkg-config --libs libjpeg)

BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

$(BUILD)/bench/%: tests/bench/%.c $(LIB_OBJ) $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC $@"; $(CC) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

# nginx for tests/e2e_proxy.sh (contrib/nginx/beishen.conf in front of the
# server): the test runs its own nginx process; the service is not started
# (tools/deps.sh).  Debian's smallest build, unless some nginx is there
# already (nginx-light conflicts with Debian's other builds).
NGINX_DEB := nginx-light
HAVE_NGINX := { command -v nginx >/dev/null || test -x /usr/sbin/nginx; }

# Install whatever Debian packages are missing (idempotent).
deps:
	@sh tools/deps.sh $(DEBS) $(FUZZ_DEBS) $$($(HAVE_NGINX) || echo $(NGINX_DEB))
	@$(MAKE) --no-print-directory browser-deps

# The browser test's driver (playwright-core drives Debian's chromium; it
# downloads no browser of its own).  nodejs and npm are not in DEBS: a
# machine may have them from elsewhere (Debian's npm would fight them), so
# Debian's are installed only when `node` or `npm` is missing.
browser-deps:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || sh tools/deps.sh nodejs npm
	@command -v chromium >/dev/null 2>&1 || sh tools/deps.sh chromium
	@[ -d tests/browser/node_modules/playwright-core ] || \
	  (cd tests/browser && npm install --no-audit --no-fund --loglevel=error)

check-deps:
	@pkg-config --exists $(PKGS) libjpeg && command -v qpdf >/dev/null && command -v pdftotext >/dev/null \
	  && command -v jq >/dev/null && fc-list | grep -qi 'Noto Sans CJK' && fc-list | grep -qi hanazono \
	  && /usr/bin/python3 -c 'import fontTools' 2>/dev/null \
	  && $(HAVE_NGINX) \
	  || $(MAKE) --no-print-directory deps

samples: $(BUILD)/generate
	rm -rf samples/round-115.tmp
	$(BUILD)/generate --seed 115 --out samples/round-115.tmp
	rm -rf samples/round-115 && mv samples/round-115.tmp samples/round-115

demo: check-deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh

test: check-deps browser-deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(FUZZ_REPLAY_BIN) $(TEST_TOOLS)
	@sh tests/run.sh

# The C unit tests only: seconds, no packages to install, no browser.
check: $(UNIT_BIN) $(SUBSET_FONTS)
	@TESTS=unit sh tests/run.sh

asan: check-deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  build-asan/beishen-asan $(FUZZ_NAMES:%=build-asan/fuzz/replay_%)
	@BEISHEN=build-asan/beishen-asan BUILD=build-asan \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 sh tests/run.sh

build-asan/beishen-asan: $(BUILD)/review/cli/main.o $(LIB_OBJ) $(UNIT_BIN) $(TEST_TOOLS) $(BUILD)/generate $(SUBSET_FONTS)
	@echo "  LD $@"; $(CC) $(CFLAGS) -o $@ $(BUILD)/review/cli/main.o $(LIB_OBJ) $(LDLIBS)

bench: check-deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@sh tests/bench/run.sh

# make serve: the workstation on the demo database (building it first when
# needed), with a demo reviewer account whose new random password is printed.
# The account is made in out/demo.db only.
SERVE_LISTEN ?= 127.0.0.1:8080
serve: check-deps
	@$(MAKE) --no-print-directory all
	@[ -f out/demo.db ] || $(MAKE) --no-print-directory demo
	@sh tools/serve-demo.sh out/demo.db $(SERVE_LISTEN)

clean:
	rm -rf build build-asan build-fuzz beishen out

# ---- install --------------------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=/staging/root]; make uninstall (same PREFIX).
#   $(PREFIX)/bin/beishen                      the binary
#   $(PREFIX)/share/beishen/fonts/             the Beishen faces, found relative to the binary
#                                              (<bin>/../share/beishen/fonts; fonts/fonts.c)
#   $(PREFIX)/share/man/man1, man5             the man pages (man/)
#   $(PREFIX)/lib/systemd/system/beishen.service, $(PREFIX)/lib/sysusers.d/beishen.conf
#   $(PREFIX)/share/doc/beishen/               README, the export format, the reverse proxy example
# The installed binary is this build's, relinked with fonts.c compiled without the
# build tree's font directory, so it never reads the build tree.  Only PREFIX and
# DESTDIR move things: the binary finds its fonts by the fixed bin -> share layout.
PREFIX  ?= /usr/local
DESTDIR ?=
INSTALL ?= install
INSTALL_BIN  = $(DESTDIR)$(PREFIX)/bin
INSTALL_DATA = $(DESTDIR)$(PREFIX)/share/beishen
INSTALL_MAN  = $(DESTDIR)$(PREFIX)/share/man
INSTALL_DOC  = $(DESTDIR)$(PREFIX)/share/doc/beishen
INSTALL_UNIT = $(DESTDIR)$(PREFIX)/lib/systemd/system
INSTALL_SYSUSERS = $(DESTDIR)$(PREFIX)/lib/sysusers.d
MAN_PAGES := $(sort $(wildcard man/*.1 man/*.5))

.PHONY: install uninstall

$(BUILD)/install/fonts.o: fonts/fonts.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC $< (installed binary: fonts beside it only)"; $(CC) $(CFLAGS) -UBEISHEN_FONT_DIR -c -o $@ $<

$(BUILD)/install/beishen: $(BUILD)/review/cli/main.o $(filter-out $(BUILD)/fonts/fonts.o,$(LIB_OBJ)) \
                          $(BUILD)/install/fonts.o
	@echo "  LD $@"; $(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

install: $(BUILD)/install/beishen $(SUBSET_FONTS)
	$(INSTALL) -d $(INSTALL_BIN) $(INSTALL_DATA)/fonts $(INSTALL_MAN)/man1 $(INSTALL_MAN)/man5 \
	    $(INSTALL_DOC) $(INSTALL_UNIT) $(INSTALL_SYSUSERS)
	$(INSTALL) -m 0755 $(BUILD)/install/beishen $(INSTALL_BIN)/beishen
	$(INSTALL) -m 0644 $(SUBSET_FONTS) $(INSTALL_DATA)/fonts/
	$(INSTALL) -m 0644 $(filter %.1,$(MAN_PAGES)) $(INSTALL_MAN)/man1/
	$(INSTALL) -m 0644 $(filter %.5,$(MAN_PAGES)) $(INSTALL_MAN)/man5/
	sed 's|@BINDIR@|$(PREFIX)/bin|g' contrib/systemd/beishen.service > $(BUILD)/install/beishen.service
	$(INSTALL) -m 0644 $(BUILD)/install/beishen.service $(INSTALL_UNIT)/beishen.service
	$(INSTALL) -m 0644 contrib/systemd/beishen.sysusers $(INSTALL_SYSUSERS)/beishen.conf
	$(INSTALL) -m 0644 README.md docs/export-format.md schema/review-plan.md schema/requirements.md \
	    contrib/nginx/beishen.conf $(INSTALL_DOC)/

uninstall:
	rm -f $(INSTALL_BIN)/beishen $(INSTALL_UNIT)/beishen.service $(INSTALL_SYSUSERS)/beishen.conf
	rm -rf $(INSTALL_DATA) $(INSTALL_DOC)
	rm -f $(addprefix $(INSTALL_MAN)/man1/,$(notdir $(filter %.1,$(MAN_PAGES)))) \
	      $(addprefix $(INSTALL_MAN)/man5/,$(notdir $(filter %.5,$(MAN_PAGES))))


# ---- Fuzzing -----------------------------------------------------------------
# libFuzzer targets, one per tests/fuzz/fuzz_<name>.c, built by Debian's
# clang with AddressSanitizer and UndefinedBehaviorSanitizer (library and
# target alike) into build-fuzz/.  `make fuzz` runs each for FUZZ_SECONDS
# from its seeds (tests/fuzz/corpus/<name>/, never written to; what a run
# finds goes to build-fuzz/runs/<name>/) and prints executions and crashes
# per target; FUZZ_TARGETS picks targets, FUZZ_JOBS how many run at once,
# FUZZ_OPTIONS adds libFuzzer flags.  make test needs no clang: it builds
# the same targets with $(CC) and tests/fuzz/replay.c as main, and
# tests/e2e_fuzz_replay.sh replays every seed and every fixed crash
# (tests/fuzz/regressions/<name>/) through them.
FUZZ_DEBS     := clang libclang-rt-dev
FUZZ_SECONDS  ?= 60
FUZZ_JOBS     ?= 2
FUZZ_NAMES    := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS  ?= $(FUZZ_NAMES)
FUZZ_CFLAGS   := -O1 -g -Wno-unknown-warning-option -Wno-error=format-zero-length -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
                 -fno-sanitize-recover=undefined
FUZZ_REPLAY_BIN = $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)

.PHONY: fuzz fuzz-deps fuzz-seeds

# clang and its libFuzzer runtime; also in `make deps`.
fuzz-deps:
	@command -v clang >/dev/null 2>&1 && ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
	  >/dev/null 2>&1 || sh tools/deps.sh $(FUZZ_DEBS)

fuzz: check-deps fuzz-deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
	  $(FUZZ_TARGETS:%=build-fuzz/fuzz/fuzz_%)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) FUZZ_OPTIONS="$(FUZZ_OPTIONS)" \
	  sh tests/fuzz/run.sh $(FUZZ_TARGETS)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIB_OBJ) $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ $@"; $(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB_OBJ) $(LDLIBS)

$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(LIB_OBJ) $(HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CC $@"; $(CC) $(CFLAGS) -o $@ $< tests/fuzz/replay.c $(LIB_OBJ) $(LDLIBS)

# Rewrites the pdfpage target's PDF seeds (committed; see tests/fuzz/pdf_seeds.c).
fuzz-seeds: $(LIB_OBJ) $(SUBSET_FONTS)
	@mkdir -p $(BUILD)/fuzz
	$(CC) $(CFLAGS) -o $(BUILD)/fuzz/pdf_seeds tests/fuzz/pdf_seeds.c $(LIB_OBJ) $(LDLIBS)
	$(BUILD)/fuzz/pdf_seeds tests/fuzz/corpus/pdfpage
