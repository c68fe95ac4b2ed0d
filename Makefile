# Point d'entrée unique : `make demo` lance le portail de démonstration, `make test` passe toute la suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installe
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/itinera
HOST ?= 127.0.0.1:8000

.PHONY: demo demo-check test quality format browsers clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Le portail et, à côté, le travailleur de tâches (courriels, rappels) sur la même base ; Ctrl-C arrête les deux.
demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py charger_demo
	export TASKS_BACKEND=django_tasks_db.DatabaseBackend; \
	$(BIN)/python manage.py db_worker --no-startup-delay --interval 2 --no-reload & \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST)

# Ce que `make demo` fait, sans servir : migrations, données, page de connexion et un tableau de bord.
demo-check: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py charger_demo
	$(BIN)/python manage.py verifier_demo

quality: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	DATABASE_URL=$(DATABASE_URL) DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py check
	DATABASE_URL=$(DATABASE_URL) DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	SECRET_KEY=verification-du-deploiement-$$(date +%s)-avec-une-cle-longue-et-aleatoire ALLOWED_HOSTS=itinera.example.fr \
		DATABASE_URL=$(DATABASE_URL) DJANGO_SETTINGS_MODULE=config.settings.base $(BIN)/python manage.py check --deploy --fail-level WARNING

test: $(STAMP) quality
	DATABASE_URL=$(DATABASE_URL) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var staticfiles
