"""Run a module as `python -m MODULE ARGS…` would, and note the process's peak memory at exit.

    CALLDESK_BENCH_PEAK=FILE python -m benchmarks.peak MODULE ARGS…

The peak is VmHWM from /proc/self/status: this process's own high-water mark. ru_maxrss (from
wait4 or getrusage) is not: Linux carries the parent's size at fork across exec into it.
"""

import atexit
import os
import runpy
import sys


def _note() -> None:
    target = os.environ.get("CALLDESK_BENCH_PEAK")
    if not target:
        return
    with open("/proc/self/status", encoding="ascii") as status:
        kb = next((line.split()[1] for line in status if line.startswith("VmHWM:")), "")
    with open(target, "w", encoding="ascii") as out:
        out.write(kb)


atexit.register(_note)
del sys.argv[0]  # runpy puts the module's own path in argv[0]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
