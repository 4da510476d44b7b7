# SPDX-License-Identifier: MIT
"""What every end-to-end driver under tests/ does the same way: the staged binaries,
a scratch directory, check() and its failure list, files in the scratch directory,
images, running a command under stdfu-emu, the JSON lines stdfu prints, and the exit.

A driver finds this module with
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
so it runs the same from ctest (any working directory) and by hand."""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

# run()'s cwd when the caller does not name one: the scratch directory
_TMP = object()


class Harness:
    """One driver run: STAGE is the install tree holding bin/stdfu and bin/stdfu-emu."""

    def __init__(self, stage, prefix, seed=0):
        self.stage = os.path.abspath(stage)
        self.stdfu = os.path.join(self.stage, "bin", "stdfu")
        self.emu = os.path.join(self.stage, "bin", "stdfu-emu")
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.rng = random.Random(seed)
        self.failures = []

    # "with Harness(...) as h:" for a scratch directory that goes at the end
    # (a driver that runs many sessions side by side, one Harness each).
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.tmp, ignore_errors=True)
        return False

    def check(self, cond, what):
        print(("ok   " if cond else "FAIL ") + what, flush=True)
        if not cond:
            self.failures.append(what)
        return cond

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, data):
        """Write bytes or text to the scratch file NAME; its path."""
        with open(self.path(name), "wb" if isinstance(data, (bytes, bytearray)) else "w") as f:
            f.write(data)
        return self.path(name)

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()

    def image(self, n=64 * 1024, name="app.bin", vectors=True):
        """N random bytes written to NAME. With VECTORS a plausible vector table (the
        application starts after the leave); without, the flashes take --force."""
        data = bytearray(self.rng.getrandbits(8) for _ in range(n))
        if vectors:
            data[0:8] = (0x20001000).to_bytes(4, "little") + (0x08000101).to_bytes(4, "little")
        self.write(name, bytes(data))
        return bytes(data)

    def dump(self, i):
        """Board I's --dump (the emulator's --dump dump.bin names them dump.bin.I)."""
        return self.read(f"dump.bin.{i}")

    def stats(self, name="stats.json"):
        with open(self.path(name)) as f:
            return json.load(f)

    def run(self, argv, emu_args=None, *, text=True, timeout=240, cwd=_TMP, env=None,
            stdin=None):
        """ARGV, under stdfu-emu with EMU_ARGS unless they are None; (rc, stdout, stderr)."""
        if emu_args is not None:
            argv = [self.emu, *emu_args, "--", *argv]
        p = subprocess.run(argv, capture_output=True, text=text, input=stdin, env=env,
                           timeout=timeout, cwd=self.tmp if cwd is _TMP else cwd)
        return p.returncode, p.stdout, p.stderr

    def main(self, tests, test, clean=False):
        """Run TESTS[TEST] (TESTS: a driver's globals(), its t_NAME functions) and exit
        non-zero if any check failed; with CLEAN the scratch directory goes if none did."""
        todo = {n[2:]: f for n, f in tests.items() if n.startswith("t_") and callable(f)}
        todo[test]()
        print(f"{test}: {len(self.failures)} check(s) failed" if self.failures
              else f"{test}: PASS", flush=True)
        if self.failures:
            sys.exit(1)
        if clean:
            shutil.rmtree(self.tmp, ignore_errors=True)
        sys.exit(0)


def json_lines(out):
    """The JSON objects of stdfu's output (a line that starts with '{')."""
    return [json.loads(x) for x in out.splitlines() if x.startswith("{")]


def results(out):
    return [o for o in json_lines(out) if o.get("event") == "result"]


def last_event(out, name):
    """The last JSON line of event NAME in OUT, or {} if there is none."""
    ev = [o for o in json_lines(out) if o.get("event") == name]
    return ev[-1] if ev else {}


def sh(script):
    """SCRIPT as an argv for run(): several commands under one emulator."""
    return ["/bin/sh", "-c", script]
