"""What a process held at its memory high-water mark, by allocating stack (memray).

Record a run with memray, then read its high-water mark: the total, and the bytes held by each
allocating stack (the innermost ``--depth`` frames), largest first.

    python -m pip install -e ".[profile]"
    OMP_NUM_THREADS=1 python -m memray run -q -o run.bin -m skxai explain MODEL DATA --out OUT --method tree-shap
    python benchmarks/probe_high_water.py run.bin --depth 4
"""

from __future__ import annotations

import argparse
import collections


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture", help="a memray capture file (memray run -o FILE)")
    ap.add_argument("--depth", type=int, default=4, help="frames of each stack to group by")
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()
    from memray import FileReader

    reader = FileReader(args.capture)
    print(f"peak (memray's accounting): {reader.metadata.peak_memory / 2**20:.1f} MiB")
    held = collections.Counter()
    for record in reader.get_high_watermark_allocation_records(merge_threads=True):
        stack = record.stack_trace(max_stacks=max(args.depth, 1))
        key = " <- ".join(f"{path.split('/')[-1]}:{function}:{line}" for function, path, line in stack[: args.depth])
        held[key] += record.size
    print(f"held at the high-water mark: {sum(held.values()) / 2**20:.1f} MiB")
    for key, size in held.most_common(args.top):
        print(f"{size / 2**20:8.1f} MiB  {key}")


if __name__ == "__main__":
    main()
