# clock51: the two commands are `make run` and `make test`; both set everything up first.
.PHONY: all setup build run test lint bench clean

VENV := .venv/bin
ENVS := reference hc6800 breadboard reference_debug

all: run

setup:
	@bash tools/bootstrap.sh

build: setup
	$(VENV)/pio run $(foreach e,$(ENVS),-e $(e))

run: setup
	$(VENV)/python -m tools.run_demo

test: setup
	$(VENV)/ruff check sim host tests tools firmware/scripts firmware/tools firmware/boards firmware/test firmware/platform
	$(VENV)/python -m pytest -q -n auto --dist loadgroup

bench: setup
	$(VENV)/pio run -s -e reference
	@# every `clock51-sim exec` is a fresh process: with PYTHONDONTWRITEBYTECODE set and a
	@# source newer than its .pyc, each one would recompile it (7 ms for core.py alone)
	$(VENV)/python -m compileall -q sim firmware/boards >/dev/null
	$(VENV)/python -m sim.measure.bench --runs 3

clean:
	rm -rf .pio
