"""Fixtures shared by the end-to-end tests: one full pipeline run on the committed raw data, made once per session."""

from __future__ import annotations

import pytest
from support.raw_copy import copy_raw

from helpers.pipeline import RunConfig, run


@pytest.fixture(scope="session")
def fresh_run(tmp_path_factory) -> RunConfig:
    """The whole pipeline on a copy of data/raw, one notebook at a time, into temporary folders."""
    tmp = tmp_path_factory.mktemp("run")
    config = RunConfig(copy_raw(tmp), tmp / "processed", tmp / "reports", jobs=1)
    run(config, log=lambda _: None)
    return config
