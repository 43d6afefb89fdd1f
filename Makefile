# beishen — build, test, demo and benchmark entry points.
# Every C file under review/, render/ and fonts/ is part of the library that
# both the CLI and the server link; review/main.c holds only the command table.

CC      ?= cc
.DEFAULT_GOAL := all
PKGS    := sqlite3 jansson glib-2.0 libzip zlib cairo pangocairo pangoft2 harfbuzz fontconfig poppler-glib
DEBS    := pkg-config libsqlite3-dev libjansson-dev libglib2.0-dev libzip-dev zlib1g-dev libcairo2-dev \
           libpango1.0-dev libharfbuzz-dev libfontconfig-dev libpoppler-glib-dev \
           fonts-noto-cjk fonts-hanazono qpdf poppler-utils sqlite3 zip unzip jq valgrind \
           python3-reportlab libjpeg-dev python3-fonttools
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= -O2 -g
# Bounded snprintf into fixed buffers is deliberate (hard caps on untrusted input).
override CFLAGS += -std=c11 -Wall -Wextra -Werror -Wno-format-truncation -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
           -Ireview -Irender -Ifonts -Ibuild $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lm

BUILD   ?= build
# Faces cut from Noto CJK at build time by fonts/subset.py (see there why);
# fonts.c reads them from this absolute path, whatever the working directory.
FONT_DIR := $(CURDIR)/build/fonts
NOTO_DIR := /usr/share/fonts/opentype/noto
SUBSET_FONTS := $(FONT_DIR)/BeishenSansTC-Regular.ttf $(FONT_DIR)/BeishenSansTC-Bold.ttf \
                $(FONT_DIR)/BeishenSerifTC-Regular.ttf $(FONT_DIR)/BeishenSerifTC-Bold.ttf
override CFLAGS += -DBEISHEN_FONT_DIR='"$(FONT_DIR)"'
# The workstation server's modules need libmicrohttpd and libsodium; server.mk
# (included below when present) adds them and their packages.
SERVER_SRC := review/server.c review/auth.c review/audit.c review/cli_server.c
LIB_SRC := $(filter-out review/main.c $(SERVER_SRC),$(wildcard review/*.c render/*.c fonts/*.c))
-include server.mk
PKGS    += $(SERVER_PKGS)
DEBS    += $(SERVER_DEBS)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema_sql.o $(SERVER_OBJ)
UNIT_SRC := $(wildcard tests/unit_*.c)
UNIT_BIN := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)
HEADERS := $(wildcard review/*.h render/*.h fonts/*.h)

.PHONY: all deps demo test asan bench clean check-deps samples

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

beishen: $(BUILD)/review/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

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

$(BUILD)/schema_sql.o: $(BUILD)/schema_sql.c
	@echo "  CC $<"; $(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(LIB_OBJ) $(HEADERS) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

# The sample generator writes JPEG attachments with libjpeg; nothing else uses it.
$(BUILD)/generate: samples/generate.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDLIBS) $(shell pkg-config --libs libjpeg)

BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

$(BUILD)/bench/%: tests/bench/%.c $(LIB_OBJ) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

# Install whatever Debian packages are missing (idempotent).
deps:
	@sh tools/deps.sh $(DEBS)
	@$(MAKE) --no-print-directory browser-deps

check-deps:
	@pkg-config --exists $(PKGS) libjpeg && command -v qpdf >/dev/null && command -v pdftotext >/dev/null \
	  && command -v jq >/dev/null && fc-list | grep -qi 'Noto Sans CJK' && fc-list | grep -qi hanazono \
	  && /usr/bin/python3 -c 'import fontTools' 2>/dev/null \
	  || $(MAKE) --no-print-directory deps

samples: $(BUILD)/generate
	rm -rf samples/round-115.tmp
	$(BUILD)/generate --seed 115 --out samples/round-115.tmp
	rm -rf samples/round-115 && mv samples/round-115.tmp samples/round-115

demo: check-deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh

test: check-deps browser-deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@sh tests/run.sh

asan: check-deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  build-asan/beishen-asan
	@BEISHEN=build-asan/beishen-asan BUILD=build-asan \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 sh tests/run.sh

build-asan/beishen-asan: $(BUILD)/review/main.o $(LIB_OBJ) $(UNIT_BIN) $(BUILD)/generate $(SUBSET_FONTS)
	$(CC) $(CFLAGS) -o $@ $(BUILD)/review/main.o $(LIB_OBJ) $(LDLIBS)

bench: check-deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@sh tests/bench/run.sh

clean:
	rm -rf build build-asan beishen out
