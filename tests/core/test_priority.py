"""Work at the idle priority: the work runs under SCHED_IDLE, in a thread of its own, and
hands back its value or its error; where the policy is missing or refused it runs as is."""

from __future__ import annotations

import os
import threading

import pytest

from app.core import priority
from app.core.priority import at_idle_priority, idle_policy

linux = pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")


@pytest.fixture(autouse=True)
def _not_idle_already():
    if idle_policy():
        pytest.skip("the suite itself runs under SCHED_IDLE")


@linux
def test_the_work_runs_idle_and_the_caller_keeps_its_priority():
    assert not idle_policy()
    assert at_idle_priority(idle_policy) is True
    assert not idle_policy()


@linux
def test_threads_the_work_starts_are_idle_too():
    def start_one() -> list[bool]:
        seen: list[bool] = []
        thread = threading.Thread(target=lambda: seen.append(idle_policy()))
        thread.start()
        thread.join()
        return seen

    assert at_idle_priority(start_one) == [True]


@linux
def test_the_work_runs_in_a_thread_of_its_own():
    assert at_idle_priority(threading.get_ident) != threading.get_ident()


def test_the_work_s_value_and_error_reach_the_caller():
    assert at_idle_priority(lambda: 42) == 42
    with pytest.raises(ZeroDivisionError):
        at_idle_priority(lambda: 1 / 0)


@linux
def test_a_refused_policy_runs_the_work_at_the_caller_s_priority(monkeypatch):
    def refuse(*args):
        raise PermissionError("not allowed")

    monkeypatch.setattr(priority.os, "sched_setscheduler", refuse)
    assert at_idle_priority(idle_policy) is False
    assert at_idle_priority(lambda: 42) == 42


def test_without_the_policy_the_work_runs_here(monkeypatch):
    monkeypatch.delattr(priority.os, "SCHED_IDLE", raising=False)
    assert at_idle_priority(threading.get_ident) == threading.get_ident()
    assert idle_policy() is False
