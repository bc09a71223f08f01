package dev.descent.onnx;

import dev.descent.core.Workspace;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The arrays {@link OnnxModel#run} keeps from one run for the next: a {@link Workspace} per thread and model, all of
 * them under one budget — a sixteenth of the maximum heap in elements, a quarter of it in float32 bytes. A thread's run
 * that would take the total past it gives its arrays up instead (its next run starts afresh, and reuses its own dead
 * arrays within the run all the same). A thread that ends, or a model no longer referenced, hands its share back when
 * its workspace is collected.
 */
final class RunWorkspaces {
    /** Elements all threads' workspaces of all models keep between runs. */
    private static final AtomicLong HELD = new AtomicLong();
    /** The most elements they may keep together (tests lower it). */
    static volatile long budget = Runtime.getRuntime().maxMemory() / 16;

    /** Made on the first recycled run: the cleaner starts a thread. */
    private static final class Cleaning {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /** A thread's workspace for one model and the elements of it counted in {@link #HELD}. */
    private static final class Slot {
        final Workspace workspace = new Workspace();
        final AtomicLong counted = new AtomicLong();

        Slot() {
            AtomicLong c = counted; // the action must not reach the slot, or the slot is never collected
            Cleaning.CLEANER.register(this, () -> HELD.addAndGet(-c.getAndSet(0)));
        }
    }

    private final ThreadLocal<Slot> slots = ThreadLocal.withInitial(Slot::new);

    /** This thread's workspace. */
    Workspace get() {
        return slots.get().workspace;
    }

    /** After a run in this thread's workspace: counts what it keeps, or drops it when all would keep more than the budget. */
    void settle() {
        Slot s = slots.get();
        long now = s.workspace.heldElements();
        if (HELD.addAndGet(now - s.counted.getAndSet(now)) > budget) {
            HELD.addAndGet(-s.counted.getAndSet(0));
            slots.remove();
        }
    }

    /** Elements all workspaces keep between runs (tests). */
    static long held() {
        return HELD.get();
    }
}
