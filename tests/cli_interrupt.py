#!/usr/bin/env python3
"""Ctrl-C on a campaign, as a terminal delivers it.

Starts `./unmapfuzz fuzz --engine ENGINE --zoo NAME` in a session and process
group of its own with SIGINT and SIGTERM at their default dispositions (a
background job of a non-interactive shell inherits SIGINT ignored and would
prove nothing), waits for its progress lines, then sends SIGNAL either to the
whole process group (what Ctrl-C does) or to the driver alone (what `kill` or
a CI timeout does). Then:

  - the progress lines came at least every 10 s, one per interval;
  - the driver exits 130 and prints "interrupted (SIG...) after N s" and the
    summary so far;
  - no process of its session survives, and none runs the fuzzed binary;
  - its temporary directories are gone, and every corpus and crash file that
    existed before the signal is still there.

cli_interrupt.py SOURCE_DIR WORK_DIR ENGINE ZOO_NAME SIGNAL group|driver
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

src, work, engine, zoo, signame, target = sys.argv[1:7]
sig = getattr(signal, signame)
fail_count = 0


def fail(msg):
    global fail_count
    fail_count += 1
    print(f"FAILED: interrupt ({engine}, {signame} to the {target}): {msg}")


def skip_if_not_applicable():
    rc = subprocess.run([f"{src}/tests/bugzoo/zoo_applies.sh", zoo, src]).returncode
    if rc == 77:
        sys.exit(77)


def files_under(root):
    """Corpus and crash files: everything the campaign keeps."""
    out = set()
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(".scratch.")]
        for f in files:
            p = os.path.join(d, f)
            if re.search(r"/(corpus|queue|crashes)/", p) or os.path.basename(p).startswith("crash-"):
                out.add(p)
    return out


def session_processes(sid):
    procs = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        state, session = fields[0], int(fields[3])
        if state == "Z":
            continue
        if session == sid or f"zoo_{zoo} " in cmd + " " and f"{src}/build/" in cmd:
            procs.append(f"{pid}: {cmd.strip()}")
    return procs


def defaults():
    # The child must see SIGINT as a terminal's foreground job does.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


skip_if_not_applicable()
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
log_path = os.path.join(work, "driver.log")
env = dict(os.environ, UNMAPFUZZ_WORK=os.path.join(work, "w"))
lines_wanted = 2 if target == "group" else 1
with open(log_path, "w") as log:
    p = subprocess.Popen([f"{src}/unmapfuzz", "fuzz", "--engine", engine, "--zoo", zoo, "--jobs", "1",
                          "--time", "300"], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         env=env, start_new_session=True, preexec_fn=defaults)
    progress = re.compile(r"^\[ *(\d+)/300 s\] ")
    deadline = time.time() + 600  # the build the driver starts with included
    seen = []
    while time.time() < deadline and p.poll() is None:
        with open(log_path) as f:
            seen = [int(m.group(1)) for m in map(progress.match, f) if m]
        if len(seen) >= lines_wanted:
            break
        time.sleep(0.5)
    if p.poll() is not None:
        print(open(log_path).read()[-3000:])
        fail(f"the campaign ended (exit {p.returncode}) before {lines_wanted} progress line(s)")
        sys.exit(1)
    if len(seen) < lines_wanted:
        fail("no progress lines within 600 s")
    # Every 10 s, one line per interval: on a fixed grid of whole seconds,
    # with room for a loaded machine's scheduling (never a flood, never a
    # silence of twice the interval).
    if seen and seen[0] > 15:
        fail(f"the first progress line came at {seen[0]} s")
    for a, b in zip(seen, seen[1:]):
        if not 5 <= b - a <= 15:
            fail(f"progress lines {a} s and {b} s apart: one per 10 s expected")
    kept = files_under(env["UNMAPFUZZ_WORK"])
    if not kept:
        fail("no corpus or crash file before the signal: nothing to check")
    t0 = time.time()
    if target == "group":
        os.killpg(p.pid, sig)
    else:
        os.kill(p.pid, sig)
    try:
        rc = p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        fail("the driver did not exit within 60 s of the signal")
        os.killpg(p.pid, signal.SIGKILL)
        rc = p.wait()
    took = time.time() - t0

out = open(log_path).read()
if rc != 130:
    fail(f"exit status {rc}, expected 130")
if not re.search(rf"interrupted \({signame}\) after \d+ s", out):
    fail("no 'interrupted (...) after N s' line")
tail = out[out.find("interrupted ("):]
if not re.search(r"^\[ *\d+/300 s\] ", tail, re.M):
    fail("no summary (progress line) after the interruption")
if not re.search(r"^kept: corpus and crash files in ", tail, re.M):
    fail("the summary does not say where the corpus and crash files are")
time.sleep(2)
left = session_processes(p.pid)
if left:
    fail("processes survived: " + "; ".join(left))
    for line in left:  # do not leave them running
        try:
            os.kill(int(line.split(":")[0]), signal.SIGKILL)
        except OSError:
            pass
scratch = [os.path.join(d, x) for d, dirs, _ in os.walk(work) for x in dirs
           if x.startswith(".scratch.") or x.startswith("libFuzzerTemp")]
if scratch:
    fail("temporary directories left: " + ", ".join(scratch))
lost = sorted(f for f in kept if not os.path.exists(f))
if lost:
    fail(f"{len(lost)} corpus/crash file(s) deleted, e.g. {lost[0]}")
if fail_count:
    print(out[-4000:])
    sys.exit(1)
print(f"interrupt ({engine}, {signame} to the {target}): exit 130 {took:.1f} s after the signal, "
      f"{len(seen)} progress line(s) at {seen} s, {len(kept)} corpus/crash files kept, no process left")
