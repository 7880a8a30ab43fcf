#!/usr/bin/env python3
"""A self-contained SVG flame graph from a JFR recording's execution samples.

    jfr print --events jdk.ExecutionSample --stack-depth 96 recording.jfr > samples.txt
    benchmarks/flamegraph.py samples.txt docs/flamegraph-cached.svg \
        --threads 'vert.x-eventloop' --title 'promgate, cached decisions'

Reads the text `jfr print` writes (no other tool needed: async-profiler is not required), folds
the stacks of the chosen threads (a regular expression over the thread name), and draws one box per
frame, as wide as the share of samples it is on, the root at the bottom. Hovering a box shows the
frame and its share (SVG <title>). Frames of promgate are orange, of Vert.x/Netty blue, of the JDK
grey, of other libraries green. Stacks deeper than --stack-depth were cut by JFR at the top; they
are drawn as far as they go.
"""
import argparse
import collections
import html
import re
import sys

FRAME = re.compile(r"^\s+([\w$.<>\[\]/]+)\(")


def samples(path, threads):
    """(thread, [frames root first]) for each execution sample of a matching thread."""
    wanted = re.compile(threads)
    thread, frames, inside = None, [], False
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("jdk.ExecutionSample"):
                thread, frames, inside = None, [], False
            elif "sampledThread = " in line:
                m = re.search(r'sampledThread = "([^"]*)"', line)
                thread = m.group(1) if m else ""
            elif "stackTrace = [" in line:
                inside = True
            elif inside and line.strip() == "]":
                inside = False
                if thread is not None and wanted.search(thread) and frames:
                    yield thread, list(reversed(frames))
            elif inside:
                m = FRAME.match(line)
                if m:
                    frames.append(m.group(1))


def fold(stacks):
    tree = {"n": 0, "children": {}}
    for _, frames in stacks:
        node = tree
        node["n"] += 1
        for frame in frames:
            node = node["children"].setdefault(frame, {"n": 0, "children": {}})
            node["n"] += 1
    return tree


def colour(frame):
    if frame.startswith("dev.promgate"):
        return "#f0a04b"
    if frame.startswith(("io.vertx", "io.netty")):
        return "#7fb3e0"
    if frame.startswith(("java.", "javax.", "jdk.", "sun.", "com.sun.")):
        return "#c8c8c8"
    return "#9ccf8f"


def short(frame):
    parts = frame.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else frame


def render(tree, title, subtitle, width=1600, row=17, min_width=1.0):
    total = tree["n"]
    depth = 0

    def measure(node, d):
        nonlocal depth
        depth = max(depth, d)
        for child in node["children"].values():
            measure(child, d + 1)

    measure(tree, 0)
    height = (depth + 1) * row + 70
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="monospace" font-size="11">',
           f'<rect width="100%" height="100%" fill="#ffffff"/>',
           f'<text x="10" y="20" font-size="15">{html.escape(title)}</text>',
           f'<text x="10" y="38" fill="#555">{html.escape(subtitle)}</text>']
    scale = (width - 20) / total if total else 0

    def draw(name, node, x, d):
        w = node["n"] * scale
        if w < min_width:
            return
        y = height - 20 - (d + 1) * row
        share = 100.0 * node["n"] / total
        label = html.escape(name)
        out.append(f'<g><title>{label} — {node["n"]} samples, {share:.2f}%</title>'
                   f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{row - 1}" fill="{colour(name)}" '
                   f'rx="2"/>')
        chars = int(w / 6.6)
        if chars >= 4:
            text = short(name)
            if len(text) > chars:
                text = text[:chars - 1] + "…"
            out.append(f'<text x="{x + 3:.2f}" y="{y + row - 5}">{html.escape(text)}</text>')
        out.append("</g>")
        cx = x
        for child_name, child in sorted(node["children"].items(), key=lambda kv: -kv[1]["n"]):
            draw(child_name, child, cx, d + 1)
            cx += child["n"] * scale

    cx = 10
    for name, child in sorted(tree["children"].items(), key=lambda kv: -kv[1]["n"]):
        draw(name, child, cx, 0)
        cx += child["n"] * scale
    out.append("</svg>")
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("samples", help="output of: jfr print --events jdk.ExecutionSample --stack-depth N FILE.jfr")
    p.add_argument("svg", help="the flame graph to write")
    p.add_argument("--threads", default=".", help="regular expression over thread names (default: all)")
    p.add_argument("--title", default="flame graph")
    p.add_argument("--min-width", type=float, default=1.0,
                   help="leave out frames narrower than this many pixels (default 1: a readable, small file)")
    p.add_argument("--top", type=int, default=0, help="also print the N frames with most samples on top")
    args = p.parse_args()
    stacks = list(samples(args.samples, args.threads))
    if not stacks:
        sys.exit("no execution samples for threads matching " + args.threads)
    tree = fold(stacks)
    threads = sorted({t for t, _ in stacks})
    subtitle = (f"{len(stacks)} JFR execution samples of {len(threads)} thread(s) matching '{args.threads}'; "
                "width = share of samples; orange promgate, blue Vert.x/Netty, grey JDK, green other libraries")
    with open(args.svg, "w", encoding="utf-8") as f:
        f.write(render(tree, args.title, subtitle, min_width=args.min_width))
    if args.top:
        self_time = collections.Counter(frames[-1] for _, frames in stacks)
        promgate = collections.Counter()
        for _, frames in stacks:
            for frame in set(frames):
                if frame.startswith("dev.promgate"):
                    promgate[frame] += 1
        print(f"{len(stacks)} samples; on top of the stack (self):")
        for frame, n in self_time.most_common(args.top):
            print(f"  {100.0 * n / len(stacks):5.1f}%  {frame}")
        print("promgate methods on the stack (inclusive):")
        for frame, n in promgate.most_common(args.top):
            print(f"  {100.0 * n / len(stacks):5.1f}%  {frame}")


if __name__ == "__main__":
    main()
