# conflictkg: the two commands of the README are `make example` and `make test`.
VENV    ?= .venv
PYTHON  ?= python3
CKG     := $(VENV)/bin/conflictkg
OUT     ?= out

.PHONY: install example test fuzz lint bench docs accuracy clean serve screenshots ontology-docs bench-web

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

## Build the example article: graph, events table, Turtle export, store, and every query pack.
example: install
	$(CKG) build examples/ -o $(OUT)/graph.trig --store oxigraph:$(OUT)/store
	$(CKG) export $(OUT)/graph.trig --format turtle -o $(OUT)/graph.ttl
	@for q in $$($(CKG) packs --names); do \
	  echo "== $$q: $$($(CKG) packs --summary $$q)"; \
	  $(CKG) query $$q --store oxigraph:$(OUT)/store --format table || exit 1; \
	done
	@echo "Wrote $(OUT)/graph.trig, $(OUT)/graph.ttl, $(OUT)/events.csv and the store $(OUT)/store"

## Lint and run the test suite (CI runs exactly this through .ci/run).
test: install
	$(VENV)/bin/ruff check src tests benchmarks docs
	$(VENV)/bin/python -m pytest

## Property tests with fresh random examples, 20 rounds (the suite itself draws the same examples every run).
fuzz: install
	for i in $$(seq 20); do $(VENV)/bin/python -m pytest -q -p no:cacheprovider --hypothesis-profile=fuzz \
		tests/test_properties.py tests/test_normalize.py || exit 1; done

lint: install
	$(VENV)/bin/ruff check src tests benchmarks docs

bench: install
	$(VENV)/bin/python benchmarks/run.py --sizes 10 100 1000 10000 --million

## Regenerate the worked example in README.md and docs/example-output.md.
docs: install
	mkdir -p $(OUT)
	$(MAKE) --no-print-directory example 2>&1 | tee $(OUT)/example.log
	$(VENV)/bin/python docs/generate.py $(OUT)

## Browse the example store: web view and read-only SPARQL endpoint on http://127.0.0.1:8000/.
serve: example
	$(CKG) serve --store oxigraph:$(OUT)/store

## Screenshots of the web view for docs/web.md and the README (headless Chromium, as the browser tests).
screenshots: install
	CKG_SCREENSHOTS=docs/img $(VENV)/bin/python -m pytest tests/test_browser.py -q

## The ontology's documentation page (also served at /ontology).
ontology-docs: install
	$(VENV)/bin/python -m conflictkg.web.ontology docs/ontology.html

## Page render times and the map with 10,000 synthetic events (figures for docs/web.md).
bench-web: install
	$(VENV)/bin/python benchmarks/web.py

## Extraction accuracy on the gold corpus: docs/accuracy.md, with this run appended to eval/history.jsonl.
accuracy: install
	$(CKG) eval eval/gold --split all --format md -o docs/accuracy.md --record eval

clean:
	rm -rf $(OUT) .pytest_cache
