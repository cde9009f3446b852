import runpy
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "examples" / "reliability_demo.py"


def test_reliability_demo_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(DEMO), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("429 + Retry-After: 1 -> success after")
    assert lines[1].startswith("401 -> AuthenticationError after 1 attempt(s): Invalid token")
    assert lines[2].startswith("midstream_close:5 -> StreamError(") and "kept 'The" in lines[2]
    assert lines[3].startswith("truncate:5 -> StreamError(") and "kept 'The" in lines[3]
