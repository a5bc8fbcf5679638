"""Shared test setup: never touch the network, keep torch to the CPUs we have, start each test afresh."""

import os
import sys
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def fresh_accelerate_state():
    """accelerate keeps one state per process (mixed precision included); each test trains as a fresh process would."""
    yield
    state = sys.modules.get("accelerate.state")
    if state is not None:
        state.AcceleratorState._reset_state(reset_partial_state=True)


@pytest.fixture
def out(tmp_path, monkeypatch) -> Path:
    """The studio app's output store for one test (the app tests drive the app against it)."""
    folder = tmp_path / "out"
    monkeypatch.setenv("STUDIO_APP_OUTPUT", str(folder))
    return folder
