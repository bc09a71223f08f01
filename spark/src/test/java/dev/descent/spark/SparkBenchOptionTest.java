package dev.descent.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The executor JVM options of the bench's cluster variants ({@code EXCHANGE@option}). */
class SparkBenchOptionTest {
    @Test
    void aPropertyBecomesMinusD() {
        assertEquals(" -Ddescent.spark.sparse=false", SparkBench.executorOption("descent.spark.sparse=false"));
    }

    @Test
    void jvmOptionsPassAsTheyAreSeparatedBySemicolons() {
        assertEquals(" -XX:-TieredCompilation", SparkBench.executorOption("-XX:-TieredCompilation"));
        assertEquals(" -XX:CICompilerCount=2 -Xlog:jit+compilation=debug", SparkBench.executorOption("-XX:CICompilerCount=2;-Xlog:jit+compilation=debug"));
    }
}
