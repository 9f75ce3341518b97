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
# The wheels of every package the student kit installs, downloaded once here, where the package
# index may be used: tests/test_kit.py installs the kit in a fresh venv from them, with no network.
# Git-ignored; the file lists what they were downloaded for (the test checks it is still the kit's list).
KIT_WHEELS := _kit_wheels/requirements.txt

.PHONY: setup sandbox browser postgres book kit test release clean

setup: $(STAMP) $(MATHJAX) $(KIT_WHEELS)

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

$(KIT_WHEELS): $(STAMP) kit/requirements.txt kit/build_kit.py
	$(BIN)/python kit/build_kit.py --wheels

# $(call debian,CHECK,PACKAGE,FOR WHAT,OTHERWISE): install a Debian package when CHECK (a shell test)
# fails and we are root; otherwise say how to install it and what happens without it.
define debian
	@if $(1); then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's $(2) for $(3) ..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	else \
		echo "warning: $(2) is not installed; run 'sudo apt-get install $(2)' or $(4)"; \
	fi
endef

# bubblewrap, the sandbox every grading kernel runs in (grading/sandbox.py); without it, grading
# refuses to run student code.
sandbox:
	$(call debian,command -v bwrap >/dev/null 2>&1,bubblewrap,the grading sandbox,grading refuses to run)

# Debian's Chromium, driven by Playwright in tests/test_browser.py (Playwright never downloads a
# browser of its own); NNFS_SKIP_BROWSER=1 skips that test deliberately.
browser:
	$(call debian,command -v chromium >/dev/null 2>&1,chromium,the browser test,the browser test fails)

# PostgreSQL's server programs for tests/test_gradebook.py (it starts its own server on a Unix
# socket); NNFS_SKIP_POSTGRES=1 skips those tests deliberately.
postgres:
	$(call debian,command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1,postgresql,the gradebook test,the gradebook test fails)

book: setup
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "student kit: $$(ls _build/html/_downloads/*/nn-from-scratch.zip)"

# Only the kit and the wheel, into _build/kit/ (to hand out without the website).
kit: setup
	$(BIN)/python kit/build_kit.py _build/kit

# One BLAS thread per process: the pytest workers already use both cores.
test: setup sandbox browser postgres
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest

release: setup
	$(BIN)/python -m grading release

clean:
	rm -rf _build _kit
