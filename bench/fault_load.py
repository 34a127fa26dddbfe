"""The fault bench's load: wrk reads, a Python client's timestamped reads and writes.

Every answer lands in a ``Timeline`` keyed by the epoch second it arrived in, so a phase's
errors can be told apart second by second. wrk counts statuses per second in its Lua
``response`` hook (``os.time()``, the same clock); its socket errors come only as totals,
which is why wrk runs once per phase. The Python client times each of its own calls,
socket errors included.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench.common import WRK_THREADS_LUA

READS = [
    "/api/v1/centres",
    "/api/v1/experts?q=%D0%A8%D0%B8%D0%B1%D1%83%D1%82%D0%BE%D0%B2",  # Шибутов
    "/api/v1/experts?q=solozobov",
    "/api/v1/publications",
    "/api/v1/reports/coverage",  # organisers only: sent with the token
    "/api/v1/health",
]
WRK_LUA = (
    WRK_THREADS_LUA
    + """
local paths = {%(paths)s}

function init(args)
  token, counts = args[1], {}
  math.randomseed(os.time() * 100 + id)
end

-- Each connection waits this long between requests, leaving the 2 cores some air.
function delay()
  return %(pace_ms)d
end

function request()
  local path = paths[math.random(#paths)]
  local headers = {}
  if path:find("/reports/", 1, true) then
    headers["Authorization"] = "Bearer " .. token
  end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  local key = os.time() .. " " .. status
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("counts")) do
      io.write("S ", key, " ", count, "\\n")
    end
  end
  local e = summary.errors
  io.write("E ", e.connect + e.read + e.write + e.timeout, "\\n")
end
"""
)
MAX_ROUNDS = 3_000  # per writer: the loop ends with the run, or here at the latest
RETRY_PAUSE = 0.05  # after a failed call, so an outage does not become a hot loop


@dataclass
class Tally:
    """Answers by kind; ``socket`` counts calls that got no HTTP answer at all."""

    ok: int = 0
    client: int = 0
    server: int = 0  # 5xx other than 503
    unavailable: int = 0  # 503
    socket: int = 0

    @property
    def requests(self) -> int:
        return self.ok + self.client + self.server + self.unavailable + self.socket

    @property
    def errors(self) -> int:
        return self.server + self.unavailable + self.socket

    def add(self, status: int | None, count: int = 1) -> None:
        if status is None:
            self.socket += count
        elif status == 503:
            self.unavailable += count
        elif status >= 500:
            self.server += count
        elif status >= 400:
            self.client += count
        else:
            self.ok += count

    def __iadd__(self, other: Tally) -> Tally:
        for name in ("ok", "client", "server", "unavailable", "socket"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


class Timeline:
    """Tallies per epoch second, shared by the client's threads."""

    def __init__(self) -> None:
        self.seconds: dict[int, Tally] = defaultdict(Tally)
        self._lock = threading.Lock()

    def record(self, at: float, status: int | None, count: int = 1) -> None:
        with self._lock:
            self.seconds[int(at)].add(status, count)

    def between(self, start: float, end: float) -> Tally:
        """The seconds from ``start``'s to the one before ``end``'s: phases that follow
        one another share none."""
        total = Tally()
        for second in range(int(start), int(end)):
            total += self.seconds.get(second, Tally())
        return total


class Wrk:
    """One wrk run of ``seconds`` over ``READS``; ``finish`` books its answers."""

    def __init__(self, base: str, token: str, seconds: float, script: Path) -> None:
        cmd = ["wrk", "-t", "2", "-c", "4", "-d", f"{seconds:.0f}s", "--timeout", "10s"]
        self.proc = subprocess.Popen(
            [*cmd, "-s", str(script), base, "--", token],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    @staticmethod
    def script(path: Path, pace_ms: int = 20) -> Path:
        paths = ", ".join(json.dumps(p) for p in READS)
        path.write_text(WRK_LUA % {"paths": paths, "pace_ms": pace_ms})
        return path

    def finish(self, timeline: Timeline) -> int:
        """Add the per-second statuses to ``timeline``; the socket errors, which wrk
        gives only as a total, are returned."""
        out, _ = self.proc.communicate(timeout=60)
        socket_errors = None
        for line in out.splitlines():
            words = line.split()
            if words[:1] == ["S"]:
                timeline.record(int(words[1]), int(words[2]), int(words[3]))
            elif words[:1] == ["E"]:
                socket_errors = int(words[1])
        if socket_errors is None:
            raise RuntimeError(f"wrk printed no totals:\n{out}")
        return socket_errors


@dataclass(frozen=True)
class Write:
    """One write the client sent: ``outcome`` is ack (2xx), refused (4xx: nothing
    saved), or unknown (5xx or no answer: it may have been saved)."""

    table: str
    row_id: int | None  # None: a create that got no 2xx, so no id
    column: str
    value: str
    outcome: str


@dataclass
class Client:
    """Writers that create and rename centres and create publications, and a reader."""

    base: str
    token: str
    timeline: Timeline
    writes: list[Write] = field(default_factory=list)
    unavailable: list[bool] = field(default_factory=list)  # per 503: Retry-After and JSON?
    stop: threading.Event = field(default_factory=threading.Event)

    def call(
        self, method: str, path: str, body: dict | None = None, auth: bool = True
    ) -> tuple[int | None, dict]:
        """Status and JSON body; status None when no whole answer came back."""
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.base + path,
            data=None if body is None else json.dumps(body).encode(),
            headers=headers,
            method=method,
        )
        status, answer = None, {}
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                # Both at once: a 2xx whose body broke off acknowledged nothing.
                status, answer = response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            status = exc.code
            if status == 503:
                self.unavailable.append(_well_formed_503(exc))
        except (OSError, http.client.HTTPException, ValueError):
            pass
        self.timeline.record(time.time(), status)
        if status is None or status >= 500:
            time.sleep(RETRY_PAUSE)
        return status, answer

    def create(self, table: str, path: str, column: str, body: dict) -> int | None:
        status, answer = self.call("POST", path, body)
        if status is not None and 200 <= status < 300:
            self._log(Write(table, answer["id"], column, body[column], "ack"))
            return answer["id"]
        if status is None or status >= 500:
            self._log(Write(table, None, column, body[column], "unknown"))
        return None

    def update(self, table: str, path: str, row_id: int, column: str, value: str) -> None:
        status, _ = self.call("PATCH", f"{path}/{row_id}", {column: value})
        outcome = "refused" if status is not None and 400 <= status < 500 else "unknown"
        if status is not None and 200 <= status < 300:
            outcome = "ack"
        self._log(Write(table, row_id, column, value, outcome))

    def _log(self, write: Write) -> None:
        self.writes.append(write)  # list.append is atomic under the GIL

    def writer(self, number: int) -> None:
        for round_ in range(MAX_ROUNDS):
            if self.stop.is_set():
                return
            name = f"Fault bench centre {number}-{round_}"
            body = {"name_en": name, "country": "KZ", "kind": "academic"}
            centre = self.create("centres", "/api/v1/centres?force=true", "name_en", body)
            if centre is not None:
                self.update("centres", "/api/v1/centres", centre, "name_en", f"{name} renamed")
            title = f"Fault bench paper {number}-{round_}"
            body = {"title": title, "kind": "article", "year": 2026}
            self.create("publications", "/api/v1/publications", "title", body)

    def reader(self) -> None:
        for round_ in range(MAX_ROUNDS * 10):
            if self.stop.is_set():
                return
            path = READS[round_ % len(READS)]
            self.call("GET", path, auth="/reports/" in path)  # anonymous, as wrk reads
            time.sleep(0.02)

    def start(self, writers: int) -> list[threading.Thread]:
        targets = [(self.writer, (n,)) for n in range(writers)] + [(self.reader, ())]
        threads = [threading.Thread(target=t, args=a, daemon=True) for t, a in targets]
        for thread in threads:
            thread.start()
        return threads


@dataclass
class WriteCheck:
    """The write log against the rows: acknowledged writes, those lost, and the writes
    answered 5xx or not at all (``unanswered``), of which ``saved`` are in the rows."""

    acked: int = 0
    missing: list[Write] = field(default_factory=list)
    unanswered: int = 0
    saved: int = 0


def _well_formed_503(answer: urllib.error.HTTPError) -> bool:
    """A 503 as the issue asks for it: ``Retry-After`` and the one JSON error shape."""
    try:
        body = json.loads(answer.read())
    except (OSError, ValueError):
        return False
    shaped = isinstance(body, dict) and body.get("code") == 503
    return shaped and bool(answer.headers.get("Retry-After"))


def check_writes(writes: list[Write], database_url: str) -> WriteCheck:
    """Compare the write log with the database.

    A field holds its last acknowledged value, or the value of a later write whose
    outcome is unknown (it may have been saved). A row that is gone loses every
    acknowledged write to it. A create that got no 2xx is looked up by its value (each
    is unique); a rename by its row (it is the last write to its centre).
    """
    history: dict[tuple[str, int, str], list[Write]] = defaultdict(list)
    for write in writes:
        if write.row_id is not None:
            history[write.table, write.row_id, write.column].append(write)
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            stored = _stored_values(conn, history.keys())
            created = _stored_creates(conn, [w for w in writes if w.row_id is None])
    finally:
        engine.dispose()
    result = WriteCheck()
    for key, attempts in history.items():
        _check_field(result, attempts, stored.get(key))
    result.unanswered += len([w for w in writes if w.row_id is None])
    result.saved += len(created)
    return result


def _check_field(result: WriteCheck, attempts: list[Write], stored: str | None) -> None:
    acks = [i for i, w in enumerate(attempts) if w.outcome == "ack"]
    unknown = [w for w in attempts if w.outcome == "unknown"]
    result.acked += len(acks)
    result.unanswered += len(unknown)
    result.saved += len([w for w in unknown if w.value == stored])
    if not acks:
        return
    last = acks[-1]
    allowed = {attempts[last].value} | {w.value for w in attempts[last:] if w in unknown}
    if stored is None:
        result.missing += [attempts[i] for i in acks]
    elif stored not in allowed:
        result.missing.append(attempts[last])


def _stored_values(conn, keys) -> dict[tuple[str, int, str], str]:
    wanted: dict[tuple[str, str], list[int]] = defaultdict(list)
    for table, row_id, column in keys:
        wanted[table, column].append(row_id)
    stored = {}
    for (table, column), ids in wanted.items():
        query = sa.select(sa.column("id"), sa.column(column)).select_from(sa.table(table))
        rows = conn.execute(query.where(sa.column("id").in_(ids)))
        stored |= {(table, row_id, column): value for row_id, value in rows}
    return stored


def _stored_creates(conn, creates: list[Write]) -> set[tuple[str, str]]:
    wanted: dict[tuple[str, str], list[str]] = defaultdict(list)
    for write in creates:
        wanted[write.table, write.column].append(write.value)
    found = set()
    for (table, column), values in wanted.items():
        query = sa.select(sa.column(column)).select_from(sa.table(table))
        rows = conn.scalars(query.where(sa.column(column).in_(values)))
        found |= {(table, value) for value in rows}
    return found
