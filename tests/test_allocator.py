"""malloc thresholds: a tuned process reuses freed blocks instead of faulting them in again."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from extractor.allocator import tune_malloc

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's"
)

#: Allocates, fills and frees a 1 MB array 50 times; prints the page faults it took.
REFAULTS = """
import resource, sys
import numpy
if sys.argv[1] == "tuned":
    from extractor.allocator import tune_malloc
    assert tune_malloc()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):
    numpy.ones(128 * 1024).sum()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def refaults(mode: str) -> int:
    """Page faults of REFAULTS in a fresh process started as Dask's nannies start workers."""
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}
    done = subprocess.run(
        [sys.executable, "-c", REFAULTS, mode], env=env, capture_output=True, text=True, check=True
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
