package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.core.Threads;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code descent bench matmul}: a row per thread count, the 2-thread row saying its speed over 1 thread's in the same rounds. */
class BenchMatmulTest {

    @Test
    void theTwoThreadRowComparesItselfWithOneThreadInTheSameRounds() {
        assumeTrue(Threads.poolSize() >= 2, "a pool of one thread has no 2-thread row");
        CommandRun r = CommandRun.of("bench", "matmul", "--sizes", "48", "--threads-list", "1,2", "--samples", "1", "--rounds", "2");
        assertEquals(0, r.code(), r.all());
        Matcher one = Pattern.compile("(?m)^matmul n=48\\s+GFLOP/s\\s+1\\s+(.*)$").matcher(r.out());
        Matcher two = Pattern.compile("(?m)^matmul n=48\\s+GFLOP/s\\s+2\\s+(.*)$").matcher(r.out());
        assertTrue(one.find() && two.find(), r.out());
        assertFalse(one.group(1).contains("threads over 1"), r.out());
        assertTrue(Pattern.compile("2 threads over 1 in the same rounds: \\d+\\.\\d\\d").matcher(two.group(1)).find(), r.out());
    }
}
