"""Prints the table of the stall case (issue 26) from what test/bench/run recorded.

    python3 stall_report.py STALL_TSV

Each line of STALL_TSV is one step, tab-separated: name, the probe's worst
and 99th-percentile wait (ms, `-` without a reply), its requests answered and
failed, the step's own figure as KIND and VALUE (`-` for none), and the
server's RSS in KB at the step's start, at its peak and some seconds after it
(`-` where there was no server).
"""
import sys

WORST_MS, P99_MS, RSS_BACK_KB = 100, 10, 50 * 1024

# KIND: (the figure as text, its own target as text, whether VALUE meets it; None: no target)
FIGURES = {
    "bytes_per_job": (lambda v: f"{v} bytes per queued job", "≤ 400 bytes per job", lambda v: float(v) <= 400),
    "reply_s": (lambda v: f"reply in {float(v):.3g} s", None, None),
    "rss_growth_kb": (lambda v: f"RSS +{int(v) / 1024:.0f} MB while read", None, None),
    "dropped": (lambda v: f"{v} reading clients dropped", "no reader dropped", lambda v: v.split("/")[0] == "0"),
    "exit_s": (lambda v: f"exited in {float(v):.3g} s", "exit ≤ 5 s", lambda v: float(v) <= 5),
    "start_s": (lambda v: f"/health in {float(v):.3g} s", "start ≤ 1 s", lambda v: float(v) <= 1),
}


def mb(kb):
    return "-" if kb == "-" else f"{int(kb) / 1024:.0f}"


def number(text):
    if text == "-":
        return text
    x = float(text)
    return f"{x:.0f}" if x >= 100 else f"{x:.3g}"


def main():
    print("| step | probe worst ms | probe p99 ms | probe replies (none) | step figure | server RSS MB: start, peak, after | target | against the target |")
    print("|---|---|---|---|---|---|---|---|")
    rows = met_rows = 0
    for line in open(sys.argv[1]):
        name, worst, p99, count, failed, kind, value, start, peak, after = line.rstrip("\n").split("\t")
        # Without a reply to the probe (a server shutting down) its targets are left out.
        targets, verdicts = [], []
        if worst != "-":
            targets.append(f"worst ≤ {WORST_MS} ms, p99 ≤ {P99_MS} ms")
            verdicts.append(float(worst) <= WORST_MS and float(p99) <= P99_MS)
        figure = "-"
        if kind != "-":
            text, target, meets = FIGURES[kind]
            figure = text(value)
            if target:
                targets.append(target)
                verdicts.append(meets(value))
        # The submit step keeps its jobs: its memory is the bytes-per-job target's.
        if start != "-" and after != "-" and kind != "bytes_per_job":
            targets.append("RSS back within 50 MB")
            verdicts.append(int(after) - int(start) <= RSS_BACK_KB)
        if not verdicts:
            verdict = "not measured"
        else:
            verdict = "met" if all(verdicts) else "short of it"
        rows += 1
        met_rows += verdict == "met"
        print(f"| {name} | {number(worst)} | {number(p99)} | {count} ({failed}) | {figure} | "
              f"{mb(start)}, {mb(peak)}, {mb(after)} | {'; '.join(targets) or '-'} | {verdict} |")
    print(f"\n{met_rows} of {rows} steps met every target (a benchmark prints figures; it fails nothing)")


main()
