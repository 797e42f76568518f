#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run QEMU with its serial console on stdout, without a terminal.

Every console line goes to LOG with the seconds since start; progress lines
(E2E-MARK, E2E-RESULT, panics) are also printed. QEMU is stopped DONE_GRACE
seconds after the line DONE appears (Xen does not always power the machine
off), or at the time limit.

Usage: run-qemu.py LOG TIMEOUT DONE -- QEMU-COMMAND...
Exit status: 0 if DONE was seen, 1 if QEMU ended without it, 124 on time-out.
"""
import os
import re
import signal
import subprocess
import sys
import time

DONE_GRACE = 5
SHOW = re.compile(r"E2E-MARK|E2E-RESULT|Kernel panic|\(XEN\) Panic|"
                  r"\(XEN\) \*\*\*|end Kernel panic")


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def main():
    if len(sys.argv) < 5 or sys.argv[4] != "--":
        sys.exit(__doc__)
    log_path, timeout, done = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    cmd = sys.argv[5:]
    start = time.monotonic()
    qemu = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    os.set_blocking(qemu.stdout.fileno(), False)
    pending = b""
    done_at = None
    max_rss = 0
    status = 1
    with open(log_path, "w") as log:
        while True:
            now = time.monotonic() - start
            try:
                chunk = os.read(qemu.stdout.fileno(), 65536)
            except BlockingIOError:
                chunk = None
            if chunk == b"":
                break
            if chunk:
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    log.write(f"[{now:7.2f}] {line}\n")
                    if SHOW.search(line):
                        print(f"[{now:7.2f}] {line.strip()}", flush=True)
                    if done in line and done_at is None:
                        done_at = now
                        status = 0
                log.flush()
            else:
                time.sleep(0.05)
            max_rss = max(max_rss, rss_mib(qemu.pid))
            if done_at is not None and now > done_at + DONE_GRACE:
                break
            if now > timeout:
                print(f"[{now:7.2f}] time limit of {timeout:.0f} s reached",
                      flush=True)
                status = 124
                break
    if qemu.poll() is None:
        qemu.send_signal(signal.SIGTERM)
        try:
            qemu.wait(10)
        except subprocess.TimeoutExpired:
            qemu.kill()
            qemu.wait()
    print(f"qemu: {time.monotonic() - start:.1f} s, max RSS {max_rss} MiB, "
          f"exit status {qemu.returncode}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
