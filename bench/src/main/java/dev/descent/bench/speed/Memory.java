package dev.descent.bench.speed;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Heap use of a repeated piece of work after warm-up: bytes allocated per call (all threads, from the
 * JVM's per-thread allocation counters), the peak heap while it ran, and the heap still live after a
 * full collection (model, optimizer state and kept buffers).
 */
public final class Memory {
    private Memory() {}

    /** Bytes allocated per call, peak heap during the calls, live heap after them (after a GC). */
    public record Use(long allocatedPerCall, long peakHeap, long liveHeap) {}

    public static Use measure(Runnable work, int warmups, int calls) {
        for (int i = 0; i < warmups; i++) work.run();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
        long before = threads.getTotalThreadAllocatedBytes();
        for (int i = 0; i < calls; i++) work.run();
        long allocated = threads.getTotalThreadAllocatedBytes() - before;
        long peak = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) peak += p.getPeakUsage().getUsed();
        System.gc();
        long live = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) if (p.getType() == MemoryType.HEAP) live += p.getUsage().getUsed();
        return new Use(allocated / calls, peak, live);
    }
}
