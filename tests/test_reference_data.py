"""The frab schema the tests validate against is the shared external contract."""

from __future__ import annotations

import pathlib

import pytest

HERE = pathlib.Path(__file__).parent / "data" / "frab-schedule.schema.json"
SHARED = pathlib.Path(__file__).parents[2] / "shared" / "reference" / "frab-schedule.schema.json"


@pytest.mark.skipif(not SHARED.exists(), reason="no shared reference directory beside the clone")
def test_the_vendored_frab_schema_is_the_reference():
    assert HERE.read_bytes() == SHARED.read_bytes()
