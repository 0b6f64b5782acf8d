# Quick start targets. `make test` and `make demo` create .venv when missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH_SPEC ?= torch torchvision
SEED ?= 0
DEMO_DATA ?= data/demo_seed$(SEED)
DEMO_WORK_DIR ?= work_dirs/demo_seed$(SEED)

.PHONY: venv test demo clean-demo

$(VENV)/.installed: setup.py requirements/runtime.txt requirements/mminstall.txt requirements/tests.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH_SPEC)
	$(PY) -m pip install --quiet -e '.[tests]'
	touch $@

venv: $(VENV)/.installed

# pytest's exit 5 (no test collected) is a failure, not a pass.
test: venv
	$(PY) -m pytest tests; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo 'pytest collected no tests' >&2; exit 1; fi; \
	exit $$rc

demo: venv
	$(PY) tools/misc/run_demo.py --seed $(SEED) --data-root $(DEMO_DATA) \
		--work-dir $(DEMO_WORK_DIR)

clean-demo:
	rm -rf $(DEMO_DATA) $(DEMO_WORK_DIR)
