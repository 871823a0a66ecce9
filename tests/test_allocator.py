"""malloc thresholds: a tuned process reuses freed blocks instead of faulting them in again."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from extractor.allocator import tune_malloc

from .conftest import ROOT

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's"
)


def refault_count() -> int:
    """Page faults of allocating, filling and freeing a 1 MB array 50 times (in this process;
    ``test_dask`` runs it on Dask workers)."""
    import resource

    import numpy

    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(50):
        numpy.ones(128 * 1024).sum()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


#: ``refault_count`` in a fresh process, after ``tune_malloc`` when told "tuned".
REFAULTS = """
import sys
from extractor.allocator import tune_malloc
from tests.test_allocator import refault_count
if sys.argv[1] == "tuned":
    assert tune_malloc()
print(refault_count())
"""


def refaults(mode: str) -> int:
    """``REFAULTS`` in a fresh process started as Dask's nannies start workers."""
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}
    done = subprocess.run(
        [sys.executable, "-c", REFAULTS, mode],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


@glibc
def test_a_tuned_process_reuses_freed_blocks_where_dasks_setting_refaults_them() -> None:
    # Untuned, every round faults its 256 pages in again (12,852 faults here);
    # tuned, the first round's memory serves all 50 (225).
    untuned, tuned = refaults("default"), refaults("tuned")
    assert untuned > 10 * tuned


@glibc
def test_tune_malloc_can_be_called_again() -> None:
    assert tune_malloc() is True
    assert tune_malloc() is True


def test_tune_malloc_is_a_no_op_without_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform, "libc_ver", lambda: ("", ""))
    assert tune_malloc() is False
