"""PlatformIO custom test runner for clock51's firmware unit tests (``test_framework = custom``).

PlatformIO loads this file for every env (``test_framework = custom`` in [env] keeps its
default ``unity`` framework, which would download Unity from the registry, out of the
picture). ``pio test -e test`` builds each suite folder firmware/test/test_*/ with SDCC and
runs the image with ``test_testing_command`` (``clock51-sim exec``, see platformio.ini); this
runner turns the lines the harness (unit51.h) prints, in Unity's format, into PlatformIO test
cases:

    firmware/test/test_calendar/test_main.c:41:test_weekday:PASS
    firmware/test/test_calendar/test_main.c:57:test_valid:FAIL: Expected 29 Was 28
    12 Tests 1 Failures 0 Ignored

A suite passes when every case passed, the summary line came and agrees with the cases,
and ``clock51-sim exec`` exited 0 (its exit status port says pass). Anything else - a
crash, a hang (the cycle budget), a summary missing or disagreeing - is an error of the
suite with one line saying what. The simulator's own lines (statistics, errors) are shown
with ``-v``; its error line always.
"""

from __future__ import annotations

import re

import click
from platformio.test.exception import UnitTestError
from platformio.test.result import TestCase, TestCaseSource, TestStatus
from platformio.test.runners.base import TestRunnerBase

CASE_RE = re.compile(
    r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?P<name>[^:\s]+):"
    r"(?P<status>PASS|FAIL|IGNORE)(?::\s*(?P<message>.*))?$"
)
SUMMARY_RE = re.compile(r"^(?P<tests>\d+) Tests (?P<failures>\d+) Failures "
                        r"(?P<ignored>\d+) Ignored\s*$")
SIM_ERROR = "clock51-sim: error:"


class CustomTestRunner(TestRunnerBase):
    """Unity-format lines from ``clock51-sim exec`` -> PlatformIO test cases."""

    def setup(self) -> None:
        self._summary: dict[str, int] | None = None
        self._sim_errors: list[str] = []

    def on_testing_line_output(self, line: str) -> None:
        if self.options.verbose:
            click.echo(line, nl=False)
        text = line.strip()
        if not text:
            return
        case = self.parse_case(text)
        if case is not None:
            self.test_suite.add_case(case)
            if not self.options.verbose:
                click.echo(case.humanize())
            return
        m = SUMMARY_RE.match(text)
        if m:
            self._summary = {k: int(v) for k, v in m.groupdict().items()}
            return
        if text.startswith(SIM_ERROR):
            self._sim_errors.append(text)       # shown once, as the suite's error

    @staticmethod
    def parse_case(text: str) -> TestCase | None:
        m = CASE_RE.match(text)
        if not m:
            return None
        status = TestStatus.from_string(m["status"])
        return TestCase(
            name=m["name"],
            status=status,
            message=(m["message"] or "").strip() or None,
            stdout=text,
            source=TestCaseSource(filename=m["file"], line=int(m["line"])),
        )

    def stage_testing(self) -> None:
        if self.options.without_testing:
            return
        try:
            super().stage_testing()
        except UnitTestError as exc:
            # exec exits 1 when the suite reported failures: the FAIL cases already say it
            if not (self._summary and self._summary["failures"] and not self._sim_errors[1:]
                    and self._failed_cases() == self._summary["failures"]):
                raise UnitTestError(self._problem() or str(exc)) from exc
            return
        problem = self._problem()
        if problem:
            raise UnitTestError(problem)

    def _failed_cases(self) -> int:
        return self.test_suite.get_status_nums(TestStatus.FAILED)

    def _problem(self) -> str | None:
        """What is wrong with the run beyond failed cases, in one line (None: nothing)."""
        if self._summary is None:
            why = "no test summary: the suite did not reach UNITY_END()"
            return f"{self._sim_errors[-1]}; {why}" if self._sim_errors else why
        if self._sim_errors and not self._summary["failures"]:
            return self._sim_errors[-1]
        cases = len(self.test_suite.cases)
        if self._summary["tests"] != cases:
            return (f"the summary counts {self._summary['tests']} tests but "
                    f"{cases} test results were printed")
        if self._summary["failures"] != self._failed_cases():
            return (f"the summary counts {self._summary['failures']} failures but "
                    f"{self._failed_cases()} FAIL lines were printed")
        return None
