"""Runner throughput: how fast CommandRun moves output through the PTY, and how long it blocks
the event loop meanwhile.

    python bench/bench_runner.py [MEGABYTES ...]     (default: 10 50 200)

For each size it runs `yes ... | head -c SIZE` with a side file and a UI-like callback (which keeps
a bounded tail, as the Output pane does) while a 10 ms ticker measures loop stalls. Prints MB/s,
callbacks per second, the largest batch, and the p99 / max loop stall.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cockpit.runner.process import CommandRun


async def bench(megabytes: int, folder: Path) -> dict[str, float]:
    stalls: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            stalls.append(max(0.0, now - last - 0.01))
            last = now

    batches: list[int] = []
    tail: list[str] = []

    def on_output(text: str) -> None:
        batches.append(len(text))
        tail.append(text)
        if len(tail) > 64:
            del tail[:-32]

    size = megabytes * 1_000_000
    run = CommandRun(
        f"yes 'the quick brown fox jumps over the lazy dog 0123456789' | head -c {size}",
        on_output=on_output,
        output_path=folder / f"bench-{megabytes}.out",
    )
    tick = asyncio.create_task(ticker())
    started = time.monotonic()
    result = await run.run()
    elapsed = time.monotonic() - started
    stop.set()
    await tick
    assert result.ok, result.summary
    stalls.sort()
    return {
        "MB": megabytes,
        "seconds": elapsed,
        "MB/s": result.bytes_out / 1e6 / elapsed,
        "callbacks/s": len(batches) / elapsed,
        "max batch KiB": max(batches) / 1024,
        "p99 stall ms": stalls[int(len(stalls) * 0.99) - 1] * 1000 if stalls else 0.0,
        "max stall ms": stalls[-1] * 1000 if stalls else 0.0,
        "median stall ms": statistics.median(stalls) * 1000 if stalls else 0.0,
    }


async def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'MB':>5} {'s':>7} {'MB/s':>7} {'cb/s':>6} {'batchKiB':>9} {'p99ms':>7} {'maxms':>7}")
        for mb in sizes:
            r = await bench(mb, Path(tmp))
            print(
                f"{r['MB']:>5.0f} {r['seconds']:>7.2f} {r['MB/s']:>7.1f} {r['callbacks/s']:>6.1f} "
                f"{r['max batch KiB']:>9.1f} {r['p99 stall ms']:>7.1f} {r['max stall ms']:>7.1f}"
            )


if __name__ == "__main__":
    asyncio.run(main([int(a) for a in sys.argv[1:]] or [10, 50, 200]))
