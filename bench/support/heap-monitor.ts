/**
 * `node --expose-gc --import bench/support/heap-monitor.ts ...`: every $BENCH_HEAP_EVERY_MS
 * (default 2000) collects garbage and appends `{"t":ms,"heap":bytes,"rss":bytes}` to
 * $BENCH_HEAP_OUT. The heap after a full GC is what a leak grows; RSS alone also moves with how much
 * room V8 keeps, which settles by itself.
 */
import { appendFileSync } from 'node:fs';

const out = process.env.BENCH_HEAP_OUT;
const every = Number(process.env.BENCH_HEAP_EVERY_MS ?? 2000);
const gc = (globalThis as { gc?: () => void }).gc;
if (out !== undefined) {
  const started = performance.now();
  setInterval(() => {
    gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    appendFileSync(out, `${JSON.stringify({ t: performance.now() - started, heap: heapUsed, rss })}\n`);
  }, every).unref();
}
