# Two commands on a fresh clone: `make run` and `make test`. Both make .venv first.
VENV    := .venv
BIN     := $(VENV)/bin
PYTHON  ?= python3
STAMP   := $(VENV)/.installed-stamp

.PHONY: run test lint types pytest openapi image-check bench bench-observations lock clean

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

# Builds the Dockerfile and runs the image in production mode against the machine's
# PostgreSQL, in a database made afresh for it (so the image's migrations run from scratch).
# Builds the Dockerfile for real (podman), runs the image against a fresh database on the
# machine's PostgreSQL and probes /healthz.
image-check: $(STAMP)
	$(BIN)/python -m api.database_server recreate \
		postgresql://postgres@127.0.0.1:5432/postgres hub_image_check
	bash ../shared/tools/image-check -- \
		DATABASE_URL=$${IMAGE_CHECK_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/hub_image_check} \
		HUB_KEY_ENCRYPTION_KEY=image-check-only

bench: $(STAMP)
	$(BIN)/python -m bench.run

# 100,000 observations through POST /v1/observations/batch (bench/README.md).
bench-observations: $(STAMP)
	$(BIN)/python -m bench.observations

# Refresh the pinned versions after changing pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check -e ".[dev]"
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^implementation-hub' > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
