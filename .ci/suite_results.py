"""
The counts of a tempest run, read from its subunit stream (C{stestr last --subunit}).

tempest's own summary counts a class whose C{setUpClass} failed as one failure and
never mentions the tests it hid; a class skipped in C{setUpClass} is one skip. Here
every listed test is counted once: the tests of such a class count as failed (or
skipped), each with the class's reason, and a listed test that got no result at all
(a worker died) counts as failed. A failed C{tearDownClass} is one more failure.

    python suite_results.py --listed LISTED [--report FILE] < results.subunit

prints every failure with a one-line reason and ends with
C{N passed, N failed, N skipped}; exits 1 when anything failed or nothing ran. The
report file holds the same, plus the skips grouped by reason.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from typing import Iterable, TextIO

import subunit
import testtools

_FIXTURE = re.compile(r"^(setUpClass|tearDownClass) \((?P<cls>[\w.]+)\)$")
_TEST_ID = re.compile(r"^[A-Za-z_][\w.]*\.\w+(\[.*\])?$")
_TEST_FRAME = re.compile(r'^  File ".*/api/(?:\w+/)*(test_\w+\.py)", line (\d+)')
_PASSED = {"success", "xfail"}


def bare(test_id: str) -> str:
    """A test id without tempest's C{[id-...,smoke]} attributes."""
    return re.sub(r"\[.*\]$", "", test_id)


def one_line(text: str, limit: int = 500) -> str:
    """
    The exception a traceback ends with (its type, message and details), on one line,
    after the line of the test module that raised it (C{test_x.py:120 self.assert...}).
    """
    lines = text.rstrip().splitlines()
    frames = [i for i, line in enumerate(lines) if line.startswith('  File "')]
    if not frames:
        return " ".join(" ".join(lines).split())[:limit]
    tail = lines[frames[-1] + 1:]
    if tail and tail[0].startswith("    "):
        tail = tail[1:]
    tail = [line for line in tail if not re.match(r"^\s*[~^]+\s*$", line)]
    reason = " ".join(" ".join(tail).split())
    for i in reversed(frames):
        where = _TEST_FRAME.match(lines[i])
        if where:
            code = lines[i + 1].strip() if i + 1 < len(lines) else ""
            reason = "%s:%s %s -> %s" % (where.group(1), where.group(2), code, reason)
            break
    return reason if len(reason) <= limit else reason[:limit - 3] + "..."


def read_stream(stream: TextIO) -> dict[str, dict]:
    """Each test's final record (status and details) from a subunit v2 stream."""
    results: dict[str, dict] = {}

    def record(test: dict) -> None:
        results[test["id"]] = test

    reader = subunit.ByteStreamToStreamResult(stream.buffer, non_subunit_name="stdout")
    summary = testtools.StreamToDict(record)
    summary.startTestRun()
    try:
        reader.run(summary)
    finally:
        summary.stopTestRun()
    return results


def detail(test: dict, name: str) -> str:
    content = test["details"].get(name)
    return content.as_text() if content is not None else ""


def count(listed: Iterable[str], results: dict[str, dict]) -> tuple[Counter, list, list]:
    """
    Passed/failed/skipped counts, the failures as (name, tests hidden, reason) and the
    skips as (name, tests, reason), every listed test counted once.
    """
    counts: Counter = Counter()
    failures: list[tuple[str, int, str]] = []
    skips: list[tuple[str, int, str]] = []
    unresolved = {bare(test_id) for test_id in listed}
    fixtures = []
    for test_id, test in sorted(results.items()):
        match = _FIXTURE.match(test_id)
        if match:
            fixtures.append((match, test))
            continue
        unresolved.discard(bare(test_id))
        status = test["status"]
        if status in _PASSED:
            counts["passed"] += 1
        elif status == "skip":
            counts["skipped"] += 1
            skips.append((test_id, 1, one_line(detail(test, "reason"))))
        else:
            counts["failed"] += 1
            reason = one_line(detail(test, "traceback")) or "no result (%s)" % status
            failures.append((test_id, 1, reason))
    for match, test in fixtures:
        prefix = match.group("cls") + "."
        hidden = sorted(t for t in unresolved if t.startswith(prefix))
        unresolved.difference_update(hidden)
        name = match.group(0)
        status = test["status"]
        if status in _PASSED:
            continue
        if status == "skip":
            counts["skipped"] += len(hidden)
            skips.append((name, len(hidden), one_line(detail(test, "reason"))))
        else:
            counts["failed"] += max(len(hidden), 1)
            failures.append((name, len(hidden), one_line(detail(test, "traceback"))))
    for test_id in sorted(unresolved):
        counts["failed"] += 1
        failures.append((test_id, 1, "no result: not run, or its worker died"))
    return counts, failures, skips


def failure_line(name: str, hidden: int, reason: str) -> str:
    if name.startswith("setUpClass "):
        return "%s [%d tests]: %s" % (name, hidden, reason)
    return "%s: %s" % (name, reason)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--listed", required=True, help="tempest run --list-tests output")
    parser.add_argument("--report", help="also write the failures and skips here")
    args = parser.parse_args(argv)
    with open(args.listed) as f:
        listed = [line.strip() for line in f if _TEST_ID.match(line.strip())]
    counts, failures, skips = count(listed, read_stream(sys.stdin))
    total = "%d passed, %d failed, %d skipped" % (
        counts["passed"], counts["failed"], counts["skipped"])
    lines = [failure_line(*failure) for failure in failures]
    if args.report:
        by_reason = Counter()
        for _name, tests, reason in skips:
            by_reason[reason] += tests
        with open(args.report, "w") as report:
            report.write("%s (of %d listed)\n\n" % (total, len(listed)))
            report.write("Failures (%d entries):\n" % len(failures))
            report.writelines("  %s\n" % line for line in lines)
            report.write("\nSkips by reason (tests):\n")
            report.writelines("  %4d  %s\n" % (n, reason) for reason, n in by_reason.most_common())
    if lines:
        print("\nFailures:")
        for line in lines:
            print("  " + line)
    print(total)
    ran = counts["passed"] + counts["failed"] + counts["skipped"]
    return 1 if counts["failed"] or not ran else 0


if __name__ == "__main__":
    sys.exit(main())
