"""The frab schema the tests validate against is the shared external contract."""

from __future__ import annotations

import pathlib

import pytest

HERE = pathlib.Path(__file__).parent / "data" / "frab-schedule.schema.json"
REFERENCE = pathlib.Path(__file__).parents[2] / "shared" / "reference"
# The schema as it stands upstream (voc/schedule, validator/json/schema.json at 0a403ee).
SHARED = REFERENCE / "frab-schedule-upstream.schema.json"


@pytest.mark.skipif(not SHARED.exists(), reason="no shared reference directory beside the clone")
def test_the_vendored_frab_schema_is_the_reference():
    assert HERE.read_bytes() == SHARED.read_bytes()
