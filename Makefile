# Neural Networks from Scratch: the two Quickstart commands and a few helpers.
#   make book   set up .venv and build the website into _build/html, with the student kit
#               (nn-from-scratch.zip: exercises, notebooks, nnlib's wheel, nnfs-check) it serves
#   make test   set up .venv (and Chromium for the browser test) and run the whole test-suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The website's own copy of MathJax, so that equations render with no internet access. It comes
# from the pinned PyPI package django-static-mathjax (MathJax 3.2.2's es5 build; despite the name
# it has no dependencies), and _config.yml serves it as _static/mathjax/. Git-ignored.
MATHJAX := _mathjax/mathjax/tex-mml-chtml.js

.PHONY: setup sandbox browser postgres book kit test release clean

setup: $(STAMP) $(MATHJAX)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Only the combined component the site uses (tex-mml-chtml.js) and what it loads on demand
# (TeX extensions, fonts, menu, accessibility); the other combined builds are left out.
$(MATHJAX): $(STAMP)
	rm -rf _mathjax
	$(BIN)/python -c 'import mathjax, pathlib, shutil; shutil.copytree(pathlib.Path(mathjax.__file__).parent / "static" / "mathjax" / "es5", "_mathjax/mathjax", ignore=shutil.ignore_patterns("tex-chtml*.js", "tex-svg*.js", "tex-mml-svg.js", "mml-*.js", "node-main.js"))'

# bubblewrap, the sandbox every grading kernel runs in (grading/sandbox.py). Installed when missing if
# we are root; otherwise grading refuses to run student code and says how to install it.
sandbox:
	@if command -v bwrap >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's bubblewrap for the grading sandbox ..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	else \
		echo "warning: bubblewrap is not installed; run 'sudo apt-get install bubblewrap' or grading refuses to run"; \
	fi

# Debian's Chromium, driven by Playwright in tests/test_browser.py (Playwright never downloads a
# browser of its own). Installed when missing if we are root; otherwise the browser test fails and
# says how to install it (or set NNFS_SKIP_BROWSER=1 to skip it deliberately).
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser test ..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "warning: chromium is not installed; run 'sudo apt-get install chromium' or the browser test fails"; \
	fi

# PostgreSQL's server programs for tests/test_gradebook.py (it starts its own server on a Unix socket).
# Installed when missing if we are root; otherwise that test fails and says how to install them
# (or set NNFS_SKIP_POSTGRES=1 to skip it deliberately).
postgres:
	@if command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's postgresql for the gradebook test ..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; \
	else \
		echo "warning: PostgreSQL is not installed; run 'sudo apt-get install postgresql' or the gradebook test fails"; \
	fi

# The build also makes the student kit and nnlib's wheel (kit/nnfs_site.py runs kit/build_kit.py
# into _kit/), which the pages link; the site serves them from _build/html/_downloads/.
book: setup
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "student kit: $$(ls _build/html/_downloads/*/nn-from-scratch.zip)"

# Only the kit and the wheel, into _build/kit/ (to hand out without the website).
kit: setup
	$(BIN)/python kit/build_kit.py _build/kit

test: setup sandbox browser postgres
	$(BIN)/python -m pytest

release: setup
	$(BIN)/python -m grading release

clean:
	rm -rf _build _kit
