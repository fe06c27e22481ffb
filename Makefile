# Two commands on a fresh clone: `make run` and `make test`. Both make .venv first.
VENV    := .venv
BIN     := $(VENV)/bin
PYTHON  ?= python3
STAMP   := $(VENV)/.installed-stamp

.PHONY: run test lint types pytest openapi image-check bench lock clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/hub serve --demo

test: $(STAMP) lint types pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy

# The suite includes `alembic upgrade head` + `alembic check` (tests/test_migrations.py)
# and the contract drift test, against TEST_DATABASE_URL or an embedded PostgreSQL.
pytest: $(STAMP)
	$(BIN)/pytest

openapi: $(STAMP)
	$(BIN)/hub openapi --out openapi

image-check:
	bash ../shared/tools/image-check -- \
		DATABASE_URL=$${IMAGE_CHECK_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres} \
		HUB_KEY_ENCRYPTION_KEY=image-check-only

bench: $(STAMP)
	$(BIN)/python -m bench.run

# Refresh the pinned versions after changing pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check -e ".[dev]"
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^implementation-hub' > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
