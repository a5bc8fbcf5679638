"""Shared test setup: never touch the network, keep torch to the CPUs we have."""

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
