# Two commands for a newcomer: `make lab` and `make test`. Everything else is for contributors.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# Parallel, one notebook per worker: plain `-n 2` would split one notebook's cells across workers.
PYTEST_PARALLEL := -n 2 --dist loadfile
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# nbval runs on the English notebooks only: notebooks/zh/ holds their Chinese editions, generated from them with the
# same code cells and outputs (course/i18n.py), which `python course/build.py i18n --check` (a test) keeps in step.
NBVAL_PATHS := notebooks --ignore=notebooks/zh
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Optional: a PyTorch wheel index, e.g. `make lab TORCH_INDEX=https://download.pytorch.org/whl/cpu` for the CPU-only
# build on Linux (PyPI's Linux x86-64 wheel is the CUDA build). Empty: torch comes from PyPI like everything else.
TORCH_INDEX ?=

.PHONY: help install lab test unit nbval nbval-portable notebooks bench test-browser site slides explore course clean

help:
	@echo "make lab        install (first time) and open JupyterLab on notebooks/"
	@echo "make test       install (first time) and run every test: unit, property, parity and nbval"
	@echo "make notebooks  re-execute every notebook in place from a fresh kernel (outputs + widget state)"
	@echo "make nbval-portable  strict nbval as if on another processor (NB=... for one notebook)"
	@echo "make bench      speed ratios against reference implementations"
	@echo "make test-browser  drive the widgets in headless Chromium (JupyterLab, Voila, offline slides)"
	@echo "make site       the course as an offline static website, English and Chinese (open site/index.html)"
	@echo "make slides     export offline slide decks to course/slides/ (open index.html)"
	@echo "make explore    serve every notebook as an app (Voila, code hidden) on localhost"
	@echo "make course     regenerate the Chinese notebooks, question banks, errata, syllabus and slide metadata"
	@echo "make clean      remove the virtual environment"

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(TORCH_INDEX),$(BIN)/python -m pip install --quiet -c constraints.txt --index-url $(TORCH_INDEX) torch)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,course]"
	# A clean classroom screen: no "Jupyter news" pop-up, no update check (JupyterLab reads this file at start).
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp course/lab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 --no-browser $(ROOT_FLAG) \
		--LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

test: $(STAMP)
	CV_INTERVIEW_PROGRESS=$$(mktemp -d)/progress.json $(BIN)/python -m pytest $(PYTEST_PARALLEL) tests --ignore=tests/browser $(NBVAL) $(NBVAL_PATHS)

unit: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) tests --ignore=tests/browser

# A real browser: headless Chromium (Debian's package) driven by Playwright against JupyterLab and Voila on
# 127.0.0.1. Screenshots land in artifacts/browser/.
CHROMIUM ?= /usr/bin/chromium
test-browser: site
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
		else echo "Chromium is missing: sudo apt-get install chromium (or set CHROMIUM=/path/to/chromium)"; exit 1; fi; }
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -p no:cacheprovider -v tests/browser

nbval: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(NBVAL) $(NBVAL_PATHS)

# The same check as if on another processor: torch, oneDNN and MKL forced onto other kernels, which changes the
# last bits of float results. Training numbers that only reproduce on the machine that ran them fail here.
OTHER_CPU := ATEN_CPU_CAPABILITY=default DNNL_MAX_CPU_ISA=SSE41 MKL_ENABLE_INSTRUCTIONS=SSE4_2
nbval-portable: $(STAMP)
	env $(OTHER_CPU) $(BIN)/python -m pytest $(PYTEST_PARALLEL) $(NBVAL) $(NB)

# Re-run notebooks top to bottom and save outputs and widget state. `make notebooks NB=notebooks/01_iou.ipynb` for one.
NB ?= $(NOTEBOOKS)
# The mock interview's progress goes to a throw-away file, so no learner's reviews end up in the stored outputs.
# Then the Chinese editions (notebooks/zh/) are regenerated from the new outputs and their catalogs.
notebooks: $(STAMP)
	$(BIN)/python course/build.py slide-metadata
	CV_INTERVIEW_PROGRESS=$$(mktemp -d)/progress.json $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=600 --ExecutePreprocessor.store_widget_state=True $(NB)
	$(BIN)/python course/build.py i18n

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The course as a static website in site/ (Sphinx + MyST-NB + sphinx-book-theme, from the stored outputs; works
# offline and from file://): English in site/, the Chinese edition in site/zh/ (from notebooks/zh/), a language switch
# on every page, Chinese search (jieba). SITE_LANGS=en for English only.
SITE_STAMP := $(VENV)/.installed-site
SITE_LANGS ?= en zh
$(SITE_STAMP): $(STAMP) pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[site]"
	touch $(SITE_STAMP)

site: $(SITE_STAMP)
	$(BIN)/python course/site/build_site.py --lang $(SITE_LANGS)

# Offline reveal.js decks of every notebook in course/slides/ (assets fetched once from the npm registry).
slides: $(STAMP)
	$(BIN)/python course/slides.py

# Every notebook as an app (code hidden, widgets live) with Voila on localhost; the landing page lists the notebooks
# by title in course order (course/site/voila/: a Voila config file and a tree template).
EXPLORE_PORT ?= 8866
explore: $(STAMP)
	$(BIN)/voila notebooks --no-browser --Voila.ip=127.0.0.1 --port=$(EXPLORE_PORT) \
		--Voila.config_file_paths=course/site/voila

# Regenerate what the course layer derives from the notebooks (question bank, errata, syllabus timing, slide
# metadata), in English and Chinese (the Chinese notebooks first).
course: $(STAMP)
	$(BIN)/python course/build.py slide-metadata
	$(BIN)/python course/build.py i18n
	$(BIN)/python course/build.py questions
	$(BIN)/python course/build.py errata
	$(BIN)/python course/build.py syllabus

clean:
	rm -rf $(VENV)
