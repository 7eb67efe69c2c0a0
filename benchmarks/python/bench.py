"""The comparison suite's Python side: the guide's workloads on concurrent.futures.

Stdlib only. The Go runner (benchmarks/, `go run -C benchmarks .`) writes a JSON config on
stdin and reads JSON figures from stdout, so Python's ThreadPoolExecutor and
ProcessPoolExecutor are columns of the same table, measured in the same run, on the same
local HTTP server. `bench.py crash threads|processes kill|panic HEALTHY UNIT_NS` runs one
crash-isolation scenario and reports each result as a JSON line, as the Go child does.
"""

import json
import multiprocessing
import os
import signal
import statistics
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed, wait

EXECUTORS = {"py-threads": ThreadPoolExecutor, "py-procs": ProcessPoolExecutor}


# The tasks, at module level so that ProcessPoolExecutor can pickle them.
def noop(n=0):
    return n


def sleep_task(name, seconds):
    time.sleep(seconds)
    return name


def square(n):
    return n * n


def cpu_intensive_task(n):
    # The guide's function, as it is written there.
    result = 0
    for i in range(n):
        result += i ** 2
    return result


def download_file(url, path):
    with urllib.request.urlopen(url, timeout=30) as resp:
        data = resp.read()
    with open(path, "wb") as f:
        f.write(data)
    return len(data)


def length(b):
    return len(b)


def kill_self(_=0):
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(60)


def raise_error(_=0):
    raise RuntimeError("task raised on purpose")


def block(event):
    event.wait()


def warm(ex, workers):
    """Start every worker: rounds of one short sleep per worker until a round runs them
    all at once (at most a second), as the Go side's warm does."""
    list(ex.map(noop, range(2 * workers)))
    nap, deadline = 0.01, time.perf_counter() + 1
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        list(ex.map(sleep_task, ["warm"] * workers, [nap] * workers))
        if time.perf_counter() - start < 2 * nap:
            return


def time_ops(target, fn, max_n=1 << 22):
    """Seconds per op of fn(n), n growing until one call lasts target (as Go's timeOps)."""
    n = 1
    while True:
        start = time.perf_counter()
        fn(n)
        el = time.perf_counter() - start
        if el >= target or n >= max_n:
            return el / n
        n = min(max(int(n * 1.2 * target / max(el, 1e-6)), n + 1), 100 * n, max_n)


class Figures:
    def __init__(self):
        self.figs = []
        self.latency = {}

    def add(self, workload, metric, backend, unit, samples, params="", text=""):
        self.figs.append({"workload": workload, "metric": metric, "backend": backend,
                          "params": params, "unit": unit, "samples": samples, "text": text})


def run_tasks(cfg, out, name, cls):
    unit = cfg["unit_ns"] / 1e9
    tasks = [("A", 2), ("B", 1), ("C", 3), ("D", 1), ("E", 2)]
    samples, orders = [], {}
    for _ in range(cfg["reps"]):
        with cls(max_workers=3) as ex:
            list(ex.map(noop, range(3)))  # start the workers, as the Go side does
            start = time.perf_counter()
            futs = {ex.submit(sleep_task, n, d * unit): n for n, d in tasks}
            done = [(f.result(), (time.perf_counter() - start) / unit) for f in as_completed(futs)]
            samples.append((time.perf_counter() - start) / unit)
        key = order_text(done)
        orders[key] = orders.get(key, 0) + 1
    best = max(sorted(orders), key=orders.get)
    text = best if orders[best] == cfg["reps"] else f"{best} ({orders[best]} of {cfg['reps']} runs)"
    out.add("tasks", "makespan", name, "units", samples, text=text)


def order_text(done):
    """The completion order, grouping tasks done within a quarter unit (as the Go side)."""
    groups, last = [], float("-inf")
    for name, at in done:
        if at - last > 0.25 or not groups:
            groups.append([])
        groups[-1].append(name)
        last = at
    return ", ".join(" ".join(sorted(g)) for g in groups)


def run_overhead(cfg, out, name, cls):
    target = cfg["ops_target_ns"] / 1e9
    with cls(max_workers=os.cpu_count()) as ex:
        list(ex.map(noop, range(2 * os.cpu_count())))

        def many(n):
            for f in [ex.submit(noop, i) for i in range(n)]:
                f.result()

        per = [time_ops(target, many) * 1e6 for _ in range(cfg["reps"])]
        out.add("overhead", "per_task", name, "µs", per)
        meds, allv = [], []
        for _ in range(cfg["reps"]):
            rep = []
            for i in range(cfg["latency_samples"]):
                start = time.perf_counter()
                ex.submit(noop, i).result()
                rep.append((time.perf_counter() - start) * 1e6)
            meds.append(statistics.median(rep))
            allv += rep
        out.add("overhead", "latency", name, "µs", meds)
        out.latency[name] = allv


def run_map(cfg, out, name, cls):
    nums = list(range(cfg["map_items"]))
    want = [n * n for n in nums]
    with cls(max_workers=os.cpu_count()) as ex:
        list(ex.map(noop, range(2 * os.cpu_count())))
        for chunk in (1, cfg["chunk"]):

            def one(n):
                if list(ex.map(square, nums[:n], chunksize=chunk)) != want[:n]:
                    raise RuntimeError("map(square) gave wrong results")

            samples = [time_ops(cfg["map_target_ns"] / 1e9, one, len(nums)) * 1e6 for _ in range(cfg["reps"])]
            text = "ThreadPoolExecutor ignores chunksize" if cls is ThreadPoolExecutor and chunk > 1 else ""
            out.add("map", "per_item", name, "µs", samples, params=f"chunk={chunk}", text=text)
    if cls is ProcessPoolExecutor:
        run_map_pool(cfg, out, name, nums, want)


def run_map_pool(cfg, out, name, nums, want):
    """multiprocessing.Pool.map, Python's fastest map over processes, with the same chunk."""
    chunk = cfg["chunk"]
    with multiprocessing.Pool(os.cpu_count()) as pool:
        pool.map(noop, range(2 * os.cpu_count()))

        def one(n):
            if pool.map(square, nums[:n], chunksize=chunk) != want[:n]:
                raise RuntimeError("Pool.map(square) gave wrong results")

        samples = [time_ops(cfg["map_target_ns"] / 1e9, one, len(nums)) * 1e6 for _ in range(cfg["reps"])]
        out.add("map", "per_item", name, "µs", samples, params=f"Pool.map chunk={chunk}",
                text="Pool.map: multiprocessing.Pool.map(square, chunksize=%d)" % chunk)


def run_download(cfg, out, name, cls):
    files, fail_every = cfg["files"], cfg["fail_every"]
    for w in cfg["io_workers"]:
        samples = []
        for rep in range(cfg["reps"]):
            d = os.path.join(cfg["dir"], f"{name}-{w}-{rep}")
            os.makedirs(d, exist_ok=True)
            with cls(max_workers=w) as ex:
                warm(ex, w)
                start = time.perf_counter()
                futs = [ex.submit(download_file, f"{cfg['url']}/file/{i}", os.path.join(d, f"file{i}"))
                        for i in range(files)]
                failed = sum(1 for f in futs if f.exception() is not None)
                samples.append(files / (time.perf_counter() - start))
            if failed != files // fail_every:
                raise RuntimeError(f"{failed} downloads failed; want {files // fail_every}")
            for f in os.listdir(d):
                os.remove(os.path.join(d, f))
            os.rmdir(d)
        out.add("download", "throughput", name, "files/s", samples, params=f"workers={w}",
                text=f"{files} files, {files // fail_every} failed as injected")


def sequential_ms(n):
    start = time.perf_counter()
    for _ in range(4):
        cpu_intensive_task(n)
    return (time.perf_counter() - start) * 1e3


def run_cpu(cfg, out, names):
    # Each round times the sequential loop, then every executor and worker count, and
    # their speedups are over that round's sequential time: on a shared machine the load
    # drifts. (Python takes seconds per round where Go takes milliseconds, so one
    # sequential run serves a round here, not one per pool as on the Go side.)
    n, reps = cfg["py_cpu_n"], cfg["py_cpu_reps"]
    seqs, times, speedups = [], {}, {}
    for _ in range(reps):
        seq = sequential_ms(n)
        seqs.append(seq)
        for name in names:
            for w in cfg["cpu_workers"]:
                with EXECUTORS[name](max_workers=w) as ex:
                    warm(ex, w)
                    start = time.perf_counter()
                    list(ex.map(cpu_intensive_task, [n] * 4))
                    t = (time.perf_counter() - start) * 1e3
                times.setdefault((name, w), []).append(t)
                speedups.setdefault((name, w), []).append(seq / t)
    out.add("cpu", "time", "py-sequential", "ms", seqs, text=f"n={n}")
    for (name, w), ts in times.items():
        p = f"workers={w}"
        out.add("cpu", "time", name, "ms", ts, params=p, text=f"n={n}")
        out.add("cpu", "speedup", name, "x", speedups[(name, w)], params=p, text=f"n={n}")


def run_data(cfg, out, name, cls):
    data = bytes(range(256)) * (cfg["data_size"] // 256)
    per_mib = (1 << 20) / len(data)
    with cls(max_workers=os.cpu_count()) as ex:
        list(ex.map(noop, range(2 * os.cpu_count())))

        def one(n):
            for _ in range(n):
                if ex.submit(length, data).result() != len(data):
                    raise RuntimeError("wrong length")

        samples = [time_ops(cfg["ops_target_ns"] / 1e9, one) * 1e6 * per_mib for _ in range(cfg["reps"])]
    out.add("data", "per_mib", name, "µs", samples, text=f"{len(data) >> 10} KiB argument per task, pickled for processes")


def private_kib(pid):
    total = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total


def resident_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024


def run_startup(cfg, out, name, cls):
    w = cfg["proc_workers"]
    times, mem = [], []
    for _ in range(cfg["reps"]):
        start = time.perf_counter()
        ex = cls(max_workers=w)
        ex.submit(noop).result()
        times.append((time.perf_counter() - start) * 1e3)
        if cls is ProcessPoolExecutor:
            list(ex.map(noop, range(4 * w)))
            mem += [private_kib(pid) for pid in list(ex._processes)]
        ex.shutdown()
        if cls is ThreadPoolExecutor:
            n = cfg["mem_goroutines"]
            ev = threading.Event()
            before = resident_kib()
            ex = cls(max_workers=n)
            futs = [ex.submit(block, ev) for _ in range(n)]
            while len(ex._threads) < n:
                time.sleep(0.001)
            mem.append((resident_kib() - before) / n)
            ev.set()
            wait(futs)
            ex.shutdown()
    out.add("startup", "first_result", name, "ms", times, params=f"workers={w}")
    text = (f"private memory (USS) of an idle worker process; start method {multiprocessing.get_start_method()}"
            if cls is ProcessPoolExecutor
            else f"resident growth per busy thread, {cfg['mem_goroutines']} threads")
    out.add("startup", "memory_per_worker", name, "KiB", mem, text=text)


def main():
    cfg = json.load(sys.stdin)
    out = Figures()
    only = cfg.get("only") or ""
    steps = [("tasks", run_tasks), ("overhead", run_overhead), ("map", run_map),
             ("download", run_download), ("data", run_data), ("startup", run_startup)]
    errors = []
    for wl, fn in steps:
        if only and only != wl:
            continue
        for name, cls in EXECUTORS.items():
            try:
                fn(cfg, out, name, cls)
            except Exception as e:  # a broken workload is a note, not the end of the run
                errors.append(f"{wl} on {name}: {e!r}")
    if not only or only == "cpu":
        try:
            run_cpu(cfg, out, list(EXECUTORS))
        except Exception as e:
            errors.append(f"cpu: {e!r}")
    json.dump({"python": sys.version.split()[0], "figures": out.figs, "latency": out.latency,
               "errors": errors}, sys.stdout)


def crash(kind, mode, healthy, unit_ns):
    """One crash scenario: a task that kills its worker (or raises) amid healthy ones."""
    unit = unit_ns / 1e9

    def emit(**ev):
        print(json.dumps(ev), flush=True)

    def describe(exc):
        # Cut between words, as the Go side does: the runner wraps its lines itself.
        return "" if exc is None else textwrap.shorten(f"{type(exc).__name__}: {exc}", width=80, placeholder="…")

    cls = EXECUTORS["py-threads" if kind == "threads" else "py-procs"]
    ex = cls(max_workers=3)
    bad_fn = kill_self if mode == "kill" else raise_error
    futs, bad = [], None
    for i in range(healthy + 1):
        if i == healthy // 2:
            bad = ex.submit(bad_fn, 0)
        else:
            futs.append(ex.submit(sleep_task, "ok", unit))
    timeout = 20 * unit + 3
    for f in as_completed(futs + [bad], timeout=timeout):
        exc = f.exception()
        if f is bad:
            emit(e="bad", err=describe(exc))
        else:
            emit(e="healthy", ok=exc is None, err=describe(exc))
    # Then one task per worker: does the pool still serve?
    for _ in range(3):
        try:
            ok = ex.submit(sleep_task, "ok", unit).result(timeout=timeout) == "ok"
            emit(e="after", ok=ok)
        except Exception as e:
            emit(e="after", ok=False, err=describe(e))
    emit(e="end")
    ex.shutdown(wait=False, cancel_futures=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "crash":
        crash(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
