# Neurons to Networks — the two commands of the README are `make book` and
# `make test`; both create (or reuse) .venv and install everything first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

.PHONY: setup book pdf test lint student bench bench-speech grade lab repo clean

$(STAMP): requirements.txt pyproject.toml apt.txt tests/apt.txt
	bash tools/apt_install.sh apt.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP)

## make book — execute the notebooks (cached) and build the site into _build/html
## nbval executes each notebook whose code changed, two at a time, and stores it in the execution cache myst-nb
## reads (tools/nbval_cache.py), so the site build itself only renders: each notebook is executed once, and a
## failing cell is a failing test that names its notebook and cell. Each of the two gets one thread for
## TensorFlow and BLAS: two notebooks that each spin two threads on two cores run far slower.
CACHE := _build/.jupyter_cache
ONE_THREAD := TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
NBVAL := $(BIN)/python -m pytest -p no:cacheprovider -p tools.nbval_cache --nbval-lax --nbval-current-env \
	--nbval-cell-timeout=300 -n 2 --dist loadfile --nbval-cache $(CACHE)
book: setup
	$(BIN)/python -m course_lib.keras_cache
	$(ONE_THREAD) $(NBVAL) --nbval-cache-skip-cached book/
	$(BIN)/jupyter-book build . --path-output . -W --keep-going
	@echo
	@echo "The course is built. Open: file://$(CURDIR)/_build/html/index.html"

## make pdf — the whole book as one PDF (student version), printed from the built site by headless Chromium
pdf: setup
	bash tools/apt_install.sh tests/apt.txt
	test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python tools/make_pdf.py

## make test — lint, unit/property/parity/check tests, student edition, the book executed once, site and browser
## nbval executes every notebook exactly once (the cache is cleared first; two at a time), in strict mode: an error, a
## failed result guard or a failing exercise check is a failing test. The site is built from that execution, and the
## site and browser tests reuse it.
## Each stage prints "== stage NAME at HH:MM:SS", so a CI log shows where the time goes.
stage = @echo "== stage $(1) at $$(date +%T)"
test: setup
	$(call stage,lint)
	bash tools/apt_install.sh tests/apt.txt
	$(MAKE) lint
	$(BIN)/python -m course_lib.keras_cache
	$(call stage,unit tests)
	$(BIN)/python -m pytest -n 2 --dist loadfile --ignore=tests/site --ignore=tests/pdf tests
	$(call stage,book executed once by nbval and built strictly)
	rm -rf _build/.jupyter_cache _build/.doctrees
	COURSE_CHECKS_STRICT=1 $(MAKE) book
	$(call stage,site and browser tests)
	$(BIN)/python -m pytest tests/site -p no:cacheprovider
	$(call stage,pdf)
	$(BIN)/python tools/make_pdf.py
	$(BIN)/python -m pytest tests/pdf -p no:cacheprovider
	$(call stage,done)

lint: setup
	$(BIN)/ruff check course_lib tests benchmarks book drafts
	$(BIN)/ruff format --check course_lib tests benchmarks book drafts

## make student — regenerate the student edition (committed in student/)
student: setup
	$(BIN)/python -m course_lib.edition book student/book

## make bench — speed benchmarks, one `name: value` line per figure
bench: setup
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/grade_class.py

## make bench-speech — chapter 14 on real voices: synthetic and real held-out accuracy, PocketSphinx beside it,
## training time (about 3 minutes; SEEDS="0 1 2" for more seeds)
bench-speech: setup
	$(BIN)/python benchmarks/speech_real.py --seeds $(or $(SEEDS),0)

## make grade SUBMISSIONS=DIR OUT=DIR [NOTEBOOKS=04_activations,06_losses] [SEED=N] [SHARD=I/N] — grade a class
## (see the preface); the learner's code runs under bubblewrap (apt.txt)
grade: setup
	$(BIN)/python -m course_lib.grade "$(SUBMISSIONS)" --out "$(OUT)" $(if $(NOTEBOOKS),--notebooks $(NOTEBOOKS)) \
		$(if $(SEED),--seed $(SEED)) $(if $(SHARD),--shard $(SHARD))

## make lab — JupyterLab on the book
lab: setup
	$(BIN)/python -m course_lib.keras_cache
	$(BIN)/jupyter lab book

## make repo URL=https://github.com/YOU/FORK — point the book at your fork
repo: setup
	$(BIN)/python tools/set_repo.py "$(URL)"
	$(MAKE) student

clean:
	rm -rf _build .pytest_cache
