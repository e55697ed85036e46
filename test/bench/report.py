"""Prints the benchmark table from the measurements test/bench/run recorded.

    python3 report.py RESULTS_TSV

Each line of RESULTS_TSV is `ROW <tab> SIDE <tab> VALUE`, SIDE being `a`
(jobsched) or `b` (the baseline). Each repeat records its `a` and its `b`
back to back, so a row's ratio is the median of the repeats' own ratios: a
spell of load on this shared machine slows both sides of a pair, where it
would move a median of one side alone.
"""
import statistics
import sys

# id, case, measure (a), baseline (b), unit, ratio (a/b or b/a), target: (on, op, value)
# where `on` is "ratio" or "a" (the jobsched figure itself).
# The submit, throughput, latency, waiter and history-submit targets are the
# second performance step's (issue 17), closer to each baseline than the first's.
ROWS = [
    ("submit", "submit rate", "sync=0 submits/s, wrk 50 conns", "/health req/s, same server", "req/s", "a/b", ("ratio", ">=", 0.7)),
    ("throughput", "throughput", "N true jobs, one batch, -j 2", "C posix_spawn, 2 in flight", "jobs/s", "a/b", ("ratio", ">=", 0.95)),
    ("tsp", "vs task-spooler", "same N jobs until all done", "tsp -S 2, loop of tsp true", "s", "b/a", ("ratio", ">=", 1.5)),
    ("latency", "latency", "one sync=1 true job, keep-alive", "C spawn + wait of bash -c true", "ms", "a/b", ("ratio", "<=", 1.1)),
    ("waiters_rss", "many waiters", "server RSS per held /wait", "bare evhttp holding as many", "KB", "a/b", ("ratio", "<=", 1.15)),
    ("waiters_time", "many waiters", "job end to the last reply", "bare evhttp: release to last reply", "ms", "a/b", ("ratio", "<=", 1.3)),
    ("history_submit", "history", "submits/s with H finished jobs", "same, empty database", "req/s", "a/b", ("ratio", ">=", 0.95)),
    ("history_jobinfo", "history", "/jobinfo (default) p50, H jobs", "same, empty database", "ms", "a/b", ("a", "<=", 2.0)),
    ("history_jobinfo_id", "history", "/jobinfo?jobid= p50, H jobs", "same, empty database", "ms", "a/b", ("a", "<=", 2.0)),
    ("history_start", "history", "server start, H jobs", "same, empty database", "s", "a/b", ("a", "<=", 1.0)),
    ("events_monitors", "/events clients", "N true jobs, -j 2, M monitors reading", "same, no client", "jobs/s", "a/b", ("ratio", ">=", 0.9)),
    ("events_dashboards", "/events clients", "N true jobs, -j 2, D full streams reading", "same, no client", "jobs/s", "a/b", ("ratio", ">=", 0.9)),
    ("dashboard", "dashboard", "first load to a usable page, H jobs", "same, one job", "s", "a/b", ("a", "<=", 1.0)),
    ("bulk", "bulk from a shell", "N jobs, one curl (lines=1)", "N x tsp true in a loop", "s", "b/a", ("ratio", ">=", 10.0)),
    ("client_tsp", "command-line client", "C x jobsched add -- true in a loop", "C x tsp true in a loop", "s", "b/a", ("ratio", ">=", 1.0)),
    ("client_curl", "command-line client", "C x jobsched add -- true in a loop", "C x curl submit in a loop", "s", "b/a", ("ratio", ">=", 1.0)),
    ("client_start", "command-line client", "jobsched --version, per call", "curl --version, per call", "s", "b/a", ("ratio", ">=", 1.0)),
    ("slurm", "Slurm executor", "S true jobs until all done, --executor slurm", "loop of sbatch --wrap true, squeue each 1 s", "s", "b/a", ("ratio", ">=", 1.0)),
    ("resources", "resources", "R queued true jobs, mixed cpus/gpus, -j 4, counted", "R asking nothing, no --cpus/--gpus", "jobs/s", "a/b", ("ratio", ">=", 0.9)),
    ("tls_health", "TLS", "/health req/s over TLS, wrk 50 keep-alive conns", "same over plain HTTP", "req/s", "a/b", ("ratio", ">=", 0.7)),
    ("tls_handshakes", "TLS", "new TLS connections/s (openssl s_time -new)", "openssl s_server, same certificate", "conn/s", "a/b", ("ratio", ">=", 0.8)),
    ("webhooks", "webhooks", "N true jobs, -j 2, each notify= a receiver answering after 1 s", "same jobs without notify", "jobs/s", "a/b", ("ratio", ">=", 0.9)),
    ("tls_client", "TLS", "C x jobsched add over https, --cacert", "C x curl submit over https, --cacert", "s", "b/a", ("ratio", ">=", 1.0)),
    ("slurm_health", "Slurm executor", "/health p99, S jobs handed to Slurm", "same server, no job", "ms", "a/b", ("a", "<=", 20.0)),
]


def fmt(x):
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 0.1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def spread(values):
    if not values:
        return "-"
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def main():
    values = {}
    for line in open(sys.argv[1]):
        row, side, value = line.split("\t")
        values.setdefault((row, side), []).append(float(value))
    print("| case | measure | jobsched: median (min–max) | baseline | baseline: median (min–max) | unit | ratio (median of pairs) | target | against the target |")
    print("|---|---|---|---|---|---|---|---|---|")
    missed = 0
    for row, case, measure, baseline, unit, kind, (on, op, target) in ROWS:
        a, b = values.get((row, "a"), []), values.get((row, "b"), [])
        ratio = None
        if a and len(a) == len(b):
            pairs = [(x, y) if kind == "a/b" else (y, x) for x, y in zip(a, b)]
            ratio = statistics.median(num / den if den else float("inf") for num, den in pairs)
        subject = ratio if on == "ratio" else (statistics.median(a) if a else None)
        if subject is None:
            met = "not measured"
        else:
            # Figures, not a verdict on the run: a miss reads as what it is, not as a failure.
            met = "met" if (subject >= target if op == ">=" else subject <= target) else "short of it"
        missed += met != "met"
        target_text = f"{'ratio' if on == 'ratio' else unit} {'≥' if op == '>=' else '≤'} {target:g}"
        ratio_text = "-" if ratio is None else f"{ratio:.2f}" + (" (b/a)" if kind == "b/a" else "")
        print(f"| {case} | {measure} | {spread(a)} | {baseline} | {spread(b)} | {unit} | {ratio_text} | {target_text} | {met} |")
    print(f"\n{len(ROWS) - missed} of {len(ROWS)} targets met (a benchmark prints figures; it fails nothing)")


main()
