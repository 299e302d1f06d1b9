# Lễ tân số — every target sets itself up: venv, database, model.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MODEL := models/letan.tar.gz
TRAIN_INPUTS := config.yml bot/domain.yml $(shell find nlu_data bot/nlu -name '*.yml' -o -name '*.py' 2>/dev/null) procedure_kb/text.py

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help system install db admin model run run-scaled test bench validate speech-model purge clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

system: ## install the Debian packages the project needs (as root; see the script)
	scripts/system-packages.sh

install: $(VENV)/.installed ## create .venv (Python 3.10) with the pinned dependencies

$(VENV)/.installed: requirements.lock scripts/find-python310.sh
	@python310="$$(scripts/find-python310.sh)" && \
	  { [ -x $(PY) ] || "$$python310" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade "pip<24.1"
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

db: install ## migrate the database and add missing seed procedures
	$(PY) -m procedure_kb.seed

admin: db ## create an admin account (LETAN_ADMIN_USER/LETAN_ADMIN_PASSWORD, or asks)
	$(PY) -m procedure_kb.admin

model: $(MODEL) ## train the Rasa model when its inputs changed

$(MODEL): $(TRAIN_INPUTS) | $(VENV)/.installed
	$(BIN)/rasa train --config config.yml --domain bot/domain.yml --data nlu_data \
	  --out models --fixed-model-name letan
	touch $@

run: system db model ## start Rasa :5005, actions :5055 and the API :8000 (Ctrl-C stops all)
	scripts/run.sh

run-scaled: system install model ## 2 Rasa, 2 action servers, 2 API workers behind nginx on PostgreSQL, Redis, RabbitMQ
	scripts/run_scaled.sh

test: system install model ## run the whole test suite
	$(BIN)/pytest

validate: install ## check the Rasa training data
	$(PY) scripts/validate_data.py

bench: db model ## NLU, queue, speech, Zalo and fact-table figures (see README)
	$(PY) scripts/bench_nlu.py
	$(PY) scripts/bench_queue.py
	$(PY) scripts/bench_speech.py
	$(PY) scripts/bench_zalo.py
	$(PY) scripts/bench_facts.py

purge: install ## clear contact data of complaints closed longer ago than the retention period
	$(PY) -m procedure_kb.retention

SPEECH_MODEL := vosk-model-small-vn-0.4
SPEECH_MODEL_URL := https://alphacephei.com/vosk/models/$(SPEECH_MODEL).zip

speech-model: ## download the Vietnamese speech model (Vosk, Apache-2.0; needs the internet)
	@if [ ! -d models/$(SPEECH_MODEL)/am ]; then \
	  mkdir -p models; \
	  if curl -fsSL --retry 2 --connect-timeout 20 -o models/$(SPEECH_MODEL).zip "$(SPEECH_MODEL_URL)" \
	     && python3 -m zipfile -e models/$(SPEECH_MODEL).zip models/ \
	     && [ -d models/$(SPEECH_MODEL)/am ]; then \
	    rm -f models/$(SPEECH_MODEL).zip; \
	  else \
	    rm -f models/$(SPEECH_MODEL).zip; \
	    echo "Could not download $(SPEECH_MODEL_URL)." >&2; \
	    echo "Download it where the internet is available, unzip it into $(CURDIR)/models/" >&2; \
	    echo "(so that models/$(SPEECH_MODEL)/am exists) and set VOSK_MODEL_PATH to that folder." >&2; \
	    exit 1; \
	  fi; \
	fi
	@echo "Vietnamese speech model ready; use: export VOSK_MODEL_PATH=$(CURDIR)/models/$(SPEECH_MODEL)"

clean: ## remove the venv, models and local data
	rm -rf $(VENV) models var
