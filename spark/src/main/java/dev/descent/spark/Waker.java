package dev.descent.spark;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Cuts the latency of {@code BarrierTaskContext.allGather} from about a second to about a millisecond.
 *
 * <p>Spark 4.2's barrier call waits for its RPC reply by polling: {@code while (!future.isCompleted) Thread.sleep(1000)},
 * where an interrupted sleep only makes it check again (and check whether the task was killed, which an interrupt does
 * not do). So every exchange costs up to a second even when the reply arrives in a millisecond: one step a second at
 * most, whatever the model. While the exchange is in flight, a virtual thread interrupts the waiting task thread every
 * {@link #PERIOD_NANOS} nanoseconds, so the loop checks the future that often. When the call returns the waker is stopped
 * and joined, and the thread's interrupt flag is cleared, so no interrupt outlives the exchange (a pending interrupt
 * would close the next file channel the task touches).
 */
final class Waker {
    private Waker() {}

    /**
     * How often the waiting thread is woken: half a millisecond, or the system property {@code descent.spark.wakerMicros}
     * (in microseconds; a diagnostic, to weigh the waker's CPU against the barrier's latency).
     */
    static final long PERIOD_NANOS = 1000L * Math.max(50, Long.getLong("descent.spark.wakerMicros", 500));

    static <T> T during(Supplier<T> call) {
        Thread caller = Thread.currentThread();
        boolean wasInterrupted = caller.isInterrupted();
        boolean[] done = {false};
        Thread waker = Thread.ofVirtual().name("descent-barrier-waker").start(() -> {
            while (true) {
                synchronized (done) {
                    if (done[0]) return;
                    caller.interrupt();
                }
                LockSupport.parkNanos(PERIOD_NANOS);
            }
        });
        try {
            return call.get();
        } finally {
            synchronized (done) {
                done[0] = true;
            }
            try {
                waker.join();
            } catch (InterruptedException e) {
                // our own interrupt arrived while joining: the waker has stopped or is about to
                joinQuietly(waker);
            }
            Thread.interrupted(); // clear what the waker set
            if (wasInterrupted) caller.interrupt();
        }
    }

    private static void joinQuietly(Thread t) {
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException ignored) {
                // keep joining: the waker ends after its next check
            }
        }
    }
}
