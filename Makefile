# The documented way to install, test, lint, benchmark and run the demo.
# Every target sets up what it needs first, so each works on a fresh clone.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DIARIZATION := $(VENV)/.diarization
DEMO_OUT ?= demo-out

.PHONY: install install-base install-diarization demo test test-fast lint eval \
	eval-closing eval-sales eval-connection eval-pitch eval-bare-model eval-diarization eval-redaction eval-roles eval-roles-words train-roles eval-veto train-veto train-phases eval-phases train-textcat bench demo-audio \
	redaction-audio clean \
	chromium

install: $(STAMP) $(DIARIZATION)
install-base: $(STAMP)
install-diarization: $(DIARIZATION)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,cluster]'
	touch $(STAMP)

# torch first, pinned to the CPU build, so that nothing pulls a multi-GB CUDA build.
$(DIARIZATION): $(STAMP)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev,diarization,cluster]'
	touch $(DIARIZATION)

demo: $(STAMP) $(DIARIZATION)
	$(BIN)/callcoach analyze demo/archive --out $(DEMO_OUT)
	@echo "Open $(abspath $(DEMO_OUT))/index.html in a browser."

test: $(STAMP) $(DIARIZATION) chromium
	$(BIN)/python -m pytest -q

# The browser test of the reports drives Debian's chromium (never `playwright install`, whose
# downloads fail offline); when it cannot be installed, that test skips and says why.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
chromium:
	@test -x $(CHROMIUM) || ($(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || echo "chromium could not be installed: the browser tests will skip"

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check analyzer tests demo
	$(BIN)/mypy

# The team's corpora, then the real sets in ../shared/realdata (parts never tuned on), then how far
# two blind readers of the real sales calls agree (models/eval/sales/second_*.csv);
# CORRECTIONS=DIR/corrections.csv also scores the labels on a coach's corrections.
eval: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.language
	$(BIN)/python -m analyzer.evaluate.language_real
	$(BIN)/python -m analyzer.evaluate.readers
	$(if $(CORRECTIONS),$(BIN)/python -m analyzer.evaluate.corrections $(CORRECTIONS))
	$(MAKE) eval-closing
	$(MAKE) eval-connection
	$(MAKE) eval-pitch

# The close (asks, commitments, objections), next steps and phases on the real sets (reported).
eval-closing: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.closing

# The labels turn by turn on sales conversations written by others (text not in the repo; see
# models/eval/sales/README.md): make eval-sales SALES="dir/sales1 dir/sales2". The sales veto
# is trained afresh on the tune part's folders given, so the test part is scored by a veto that
# never learned from it (the shipped one did, from six of its sets).
eval-sales: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.sales --veto-held-out $(SALES)

# Follow-up questions, acknowledgements and stretch kinds on real dialogues (../shared/realdata).
eval-connection: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.connection

# Whether a rising pitch at the end of an utterance tells questions from statements on the real
# calls (team-labelled in models/eval/pitch/), and how many Whisper ends with "?"; the first run
# transcribes the clips with the bundled tiny.en (under a minute), cached in .cache/eval-pitch/.
eval-pitch: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.pitch

# Would a model over the words beat the question rules on bare text? (4 min; it does not.)
eval-bare-model: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.bare_model

# Retrains the language backstop model from the corpora (deterministic, a few seconds).
train-textcat: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.train_textcat

# Recall of --redact per kind of detail on the planted sets and the spoken calls.
eval-redaction: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.redaction

# Who the rep is on the real calls and transcripts of ../shared/realdata, with and without
# hints and with channels swapped, and how well the confidence tells right from wrong. The
# first run transcribes the SpokenWOZ calls (a few minutes); they are cached in .cache/.
eval-roles: $(DIARIZATION)
	$(BIN)/python -m analyzer.evaluate.roles $(foreach d,$(SALES),--sales $(d))

# Retrains the sales veto (models/language/veto/model.json) from the labelled SALES folders
# of models/eval/sales/ and the donation chats' tune half in ../shared/realdata/persuasion
# (deterministic, about fifteen seconds).
train-veto: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.train_veto $(foreach d,$(SALES),--sales $(d))

# The sales veto held out by source: precision and recall per label, set and threshold, each
# set of calls decided by models trained without it (and with the chats; about ten minutes).
eval-veto: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.train_veto --held-out $(foreach d,$(SALES),--sales $(d))

# Retrains the phase word model (models/closing/phase_model/model.json) from the tune part of
# the SALES folders cut into phases (models/eval/sales/phases.csv) and the donation chats'
# tune half in ../shared/realdata/persuasion (deterministic, about three minutes).
train-phases: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.train_phases $(foreach d,$(SALES),--sales $(d))

# The phase word model held out: each tune set of SALES (and the chats) decided by a model
# trained without it (about four minutes).
eval-phases: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.train_phases --held-out $(foreach d,$(SALES),--sales $(d))

# Retrains the roles word model (models/roles/words.json) from the transcripts of
# ../shared/realdata and the SALES folders (deterministic, about ten seconds).
train-roles: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.train_roles $(foreach d,$(SALES),--sales $(d))

# The roles word model held out by source: each repository of SALES calls (and each corpus of
# ../shared/realdata) decided by a model trained without it (about a minute).
eval-roles-words: $(STAMP)
	$(BIN)/python -m analyzer.evaluate.train_roles --held-out $(foreach d,$(SALES),--sales $(d))

eval-diarization: $(DIARIZATION)
	$(BIN)/python -m analyzer.evaluate.diarization

bench: $(STAMP) $(DIARIZATION) chromium
	$(BIN)/python -m analyzer.evaluate.bench

# Regenerates the committed demo audio (needs espeak-ng, sox and ffmpeg from Debian).
demo-audio: $(STAMP)
	command -v espeak-ng >/dev/null && command -v sox >/dev/null && command -v ffmpeg >/dev/null \
	  || (apt-get update -qq && apt-get install -y -qq espeak-ng sox ffmpeg)
	$(BIN)/python demo/make_demo_archive.py

# Regenerates the committed spoken calls with planted details (needs espeak-ng from Debian).
redaction-audio: $(STAMP)
	command -v espeak-ng >/dev/null || (apt-get update -qq && apt-get install -y -qq espeak-ng)
	$(BIN)/python -m analyzer.evaluate.spoken_calls

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .ruff_cache .mypy_cache .cache
