# server.mk — the workstation's part of the build (included by the Makefile):
# the extra libraries and Debian packages of `beishen serve`, the browser UI
# compiled into the binary, `make serve`, and the browser test's npm install.
#
# The Makefile includes this after `BUILD ?= build` and SERVER_SRC, and then
# adds  PKGS += $(SERVER_PKGS)   DEBS += $(SERVER_DEBS)   LIB_OBJ += $(SERVER_OBJ)
# (after LIB_OBJ is defined) and makes `test` depend on browser-deps.

SERVER_PKGS := libmicrohttpd libsodium
# nodejs and npm are not listed: a machine may have them from elsewhere
# (Debian's npm would fight them); browser-deps installs Debian's only
# when `node` or `npm` is missing.
SERVER_DEBS := libmicrohttpd-dev libsodium-dev chromium wrk curl
# The server's own modules (the Makefile keeps them out of LIB_SRC so that it
# builds without libmicrohttpd when this file is absent) and the compiled-in UI.
# Recursive (=): BUILD is build-asan in `make asan`.
SERVER_SRC ?= review/server.c review/auth.c review/audit.c review/cli_server.c
SERVER_OBJ = $(SERVER_SRC:%.c=$(BUILD)/%.o) $(BUILD)/web_assets.o

WEB_FILES := $(sort $(wildcard review/web/*))

# review/web/* as C arrays: the binary serves its UI from wherever it runs.
$(BUILD)/web_assets.c: $(WEB_FILES) server.mk
	@mkdir -p $(BUILD)
	@{ echo '/* Generated from review/web/ by server.mk: do not edit. */'; \
	  echo '#include "server.h"'; \
	  i=0; for f in $(WEB_FILES); do \
	    echo "static const unsigned char asset_$$i[] = {"; \
	    od -An -v -tx1 "$$f" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	    echo '};'; i=$$((i + 1)); \
	  done; \
	  echo 'const struct server_asset server_assets[] = {'; \
	  i=0; for f in $(WEB_FILES); do \
	    case "$$f" in \
	      *.html) t='text/html; charset=utf-8' ;; \
	      *.js) t='text/javascript; charset=utf-8' ;; \
	      *.css) t='text/css; charset=utf-8' ;; \
	      *.svg) t='image/svg+xml' ;; \
	      *) t='application/octet-stream' ;; \
	    esac; \
	    echo "    {\"/$$(basename "$$f")\", \"$$t\", asset_$$i, sizeof asset_$$i},"; \
	    i=$$((i + 1)); \
	  done; \
	  echo '};'; \
	  echo 'const size_t server_asset_count = sizeof server_assets / sizeof server_assets[0];'; \
	} > $@.tmp && mv $@.tmp $@

$(BUILD)/web_assets.o: $(BUILD)/web_assets.c review/server.h
	@echo "  CC $<"; $(CC) $(CFLAGS) -c -o $@ $<

.PHONY: serve browser-deps

# The browser test's driver (playwright-core drives Debian's chromium; it
# downloads no browser of its own).
browser-deps:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || sh tools/deps.sh nodejs npm
	@command -v chromium >/dev/null 2>&1 || sh tools/deps.sh chromium
	@[ -d tests/browser/node_modules/playwright-core ] || \
	  (cd tests/browser && npm install --no-audit --no-fund --loglevel=error)

# make serve: the workstation on the demo database (building it first when
# needed), with a demo reviewer account whose new random password is printed.
# The account is made in out/demo.db only.
SERVE_LISTEN ?= 127.0.0.1:8080
serve: check-deps
	@$(MAKE) --no-print-directory all
	@[ -f out/demo.db ] || $(MAKE) --no-print-directory demo
	@set -e; db=out/demo.db; \
	  departments=$$(sqlite3 -batch -noheader "$$db" "SELECT '--department ' || code FROM departments ORDER BY code"); \
	  password=$$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n'); \
	  ./beishen user remove --db "$$db" demo >/dev/null 2>&1 || true; \
	  printf '%s\n' "$$password" | ./beishen user add --db "$$db" demo --role reviewer $$departments >/dev/null; \
	  echo; \
	  echo "== demo reviewer account (in $$db only)"; \
	  echo "   user:     demo"; \
	  echo "   password: $$password"; \
	  echo "   departments: $$(echo $$departments | sed 's/--department //g')"; \
	  echo; \
	  exec ./beishen serve --db "$$db" --listen $(SERVE_LISTEN)
