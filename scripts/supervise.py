"""Run several programs in the foreground, restart each when it dies, stop them all together.

    python scripts/supervise.py --run-dir DIR --program NAME "COMMAND ARGS" [--program ...]

scripts/serve runs nginx, gunicorn and the background workers under it. Each program runs in
its own process group (so stopping it stops its children too: gunicorn's and nginx's worker
processes) with this process's standard output and error, and gets SIGTERM if this process dies.
Its process id is written to DIR/NAME.pid while it runs.

- A program that exits is started again: at once if it ran for a while (a worker that stopped
  after --max-tasks, say), else after a pause that doubles from 1 s up to 30 s, so a program
  that cannot start does not spin.
- SIGINT (Ctrl+C) or SIGTERM stops everything: SIGTERM to each program's process group (each
  finishes what it is doing: gunicorn its requests, a worker its task), then SIGKILL to what is
  left after STOP_TIMEOUT seconds (default 30).

No daemon, no configuration file: the standard library only, so it runs before anything is
installed and needs nothing from Debian."""

import argparse
import contextlib
import ctypes
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

RAN_LONG_ENOUGH = 10.0  # seconds: a program that ran this long is restarted at once
FIRST_PAUSE, LONGEST_PAUSE = 1.0, 30.0
PR_SET_PDEATHSIG = 1


def log(level, msg, **fields):
    parts = [f"time={datetime.now(UTC).isoformat(timespec='milliseconds')}", f"level={level}", "logger=supervise"]
    parts += [f"{name}={value}" for name, value in fields.items()]
    parts.append(f"msg={json.dumps(msg)}")
    sys.stdout.write(" ".join(parts) + "\n")
    sys.stdout.flush()


def _die_with_parent():
    """In the child, before exec: SIGTERM when the supervisor dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _kill_group(pgid):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class Program:
    def __init__(self, name, command, run_dir):
        self.name, self.argv, self.run_dir = name, shlex.split(command), run_dir
        self.process = None
        self.started_at = 0.0
        self.pause = FIRST_PAUSE
        self.start_after = 0.0
        self.restarts = 0

    @property
    def pid_file(self):
        return os.path.join(self.run_dir, f"{self.name}.pid")

    def start(self):
        self.process = subprocess.Popen(self.argv, start_new_session=True, preexec_fn=_die_with_parent)  # noqa: S603
        self.started_at = time.monotonic()
        with open(self.pid_file, "w") as file:
            file.write(f"{self.process.pid}\n")
        log("INFO", "started", program=self.name, pid=self.process.pid)

    def exited(self):
        """If it has exited: forget it and decide when to start it again."""
        if self.process is None or self.process.poll() is None:
            return False
        code, ran = self.process.returncode, time.monotonic() - self.started_at
        # What it leaves behind in its group (nginx's worker processes, holding the port) goes too.
        _kill_group(self.process.pid)
        self.process = None
        if os.path.exists(self.pid_file):
            os.unlink(self.pid_file)
        if ran >= RAN_LONG_ENOUGH:
            self.pause = FIRST_PAUSE
            wait = 0.0
        else:
            wait = self.pause
            self.pause = min(self.pause * 2, LONGEST_PAUSE)
        self.start_after = time.monotonic() + wait
        self.restarts += 1
        log("WARNING", "exited; starting it again", program=self.name, code=code, ran_s=f"{ran:.1f}", after_s=wait)
        return True

    def signal(self, signum):
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", required=True)
    parser.add_argument("--program", nargs=2, action="append", metavar=("NAME", "COMMAND"), required=True)
    args = parser.parse_args()
    stop_timeout = float(os.environ.get("STOP_TIMEOUT", "30"))
    programs = [Program(name, command, args.run_dir) for name, command in args.program]

    stopping = []

    def request_stop(signum, _frame):
        if not stopping:
            stopping.append(signum)
            log("INFO", "stopping everything", signal=signal.Signals(signum).name)

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    for program in programs:
        program.start()
    while not stopping:
        now = time.monotonic()
        for program in programs:
            program.exited()
            if program.process is None and now >= program.start_after and not stopping:
                program.start()
        time.sleep(0.2)

    for program in programs:
        program.signal(signal.SIGTERM)
    deadline = time.monotonic() + stop_timeout
    while time.monotonic() < deadline and any(p.process and p.process.poll() is None for p in programs):
        time.sleep(0.2)
    for program in programs:
        if program.process and program.process.poll() is None:
            log("WARNING", "did not stop in time; killing it", program=program.name, timeout_s=stop_timeout)
        if program.process:
            _kill_group(program.process.pid)
            program.process.wait()
        if os.path.exists(program.pid_file):
            os.unlink(program.pid_file)
    log("INFO", "stopped")
    return 128 + stopping[0]


if __name__ == "__main__":
    sys.exit(main())
