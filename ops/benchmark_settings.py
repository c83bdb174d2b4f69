"""The production settings with the benchmark's URLconf, which adds the "fortunes" reference view (ops.throughput)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "jobs.benchmark"
