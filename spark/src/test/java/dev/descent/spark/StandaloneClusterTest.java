package dev.descent.spark;

import static dev.descent.spark.Fixtures.WORKERS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.train.Checkpoints;
import dev.descent.train.Trainer;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone cluster on localhost: a master and two workers, each its own JVM started from the Spark jars on
 * this test's class path (a Spark home made of links to them; no Spark download). Two replicas train through
 * {@code SparkCommandLine} (what {@code descent train --spark spark://...} runs); rank 1's executor process halts once in
 * the middle of the run (a killed executor), the worker starts a new one, the stage runs again from the last
 * checkpoint, and the final weights equal the single-process accumulation run's bitwise. About a minute: it runs when
 * {@code -Ddescent.spark.cluster=true} is given (.ci/run does), not in every build.
 */
@EnabledIfSystemProperty(named = "descent.spark.cluster", matches = "true")
class StandaloneClusterTest {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopCluster() {
        for (Process p : started) p.destroy();
        for (Process p : started) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }

    /** Rank 1's executor JVM halts after step 3, once per marker file: an executor killed mid-run. */
    record HaltOnce(String marker, long step) implements dev.descent.train.Callback {
        @Override
        public void onStep(Trainer t, dev.descent.train.Step s) {
            if (org.apache.spark.BarrierTaskContext.get().partitionId() == 1 && s.step() == step && !Files.exists(Path.of(marker))) {
                try {
                    Files.writeString(Path.of(marker), "executor halted at step " + step + "\n");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                Runtime.getRuntime().halt(137);
            }
        }
    }

    /** The replica of the fixtures, with the halt, as the command line's factory type. */
    record Factory(String data, String marker) implements IntFunction<Trainer.Builder>, Serializable {
        @Override
        public Trainer.Builder apply(int rank) {
            try {
                return new Fixtures.Replica(data).build(rank).callbacks(new HaltOnce(marker, 3));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void twoWorkersOnAStandaloneClusterSurviveAKilledExecutorAndEqualAccumulationBitwise() throws Exception {
        Path data = Fixtures.writeData(dir.resolve("data"));
        String master = cluster(2);
        System.setProperty("descent.spark.executorWait", "90");
        try {
            trainAndCompare(master, data);
        } finally {
            System.clearProperty("descent.spark.executorWait");
        }
    }

    private void trainAndCompare(String master, Path data) throws Exception {
        Path run = dir.resolve("run"), marker = dir.resolve("executor-halted");
        Map<String, Object> r = SparkCommandLine.train(master, WORKERS, run.toString(), 2, 1, Map.of(), new Factory(data.toString(), marker.toString()));
        assertTrue(Files.exists(marker), "an executor was killed");
        assertEquals("COMPLETED", r.get("status"), String.valueOf(r.get("message")));
        assertEquals(Fixtures.EPOCHS * 5L, ((Number) r.get("steps")).longValue());

        Map<String, long[]> want = Fixtures.bits(Fixtures.parameters(Fixtures.accumulationRun(data)));
        Map<String, long[]> got = Fixtures.bits(Checkpoints.modelState(Path.of((String) r.get("checkpoint"))));
        for (Map.Entry<String, long[]> e : want.entrySet()) {
            assertArrayEquals(e.getValue(), got.get(e.getKey()), "parameter " + e.getKey() + " differs from the accumulation run");
        }
    }

    /**
     * Too few executors for the workers asked: one worker of one core, two workers asked, a wait of 10 s for more: one
     * line naming what the cluster offered, within the wait plus the context's start, and no checkpoint.
     */
    @Test
    void tooFewExecutorsIsOneLineWithinTheWait() throws Exception {
        Path data = Fixtures.writeData(dir.resolve("data"));
        String master = cluster(1);
        Path run = dir.resolve("run");
        System.setProperty("descent.spark.executorWait", "10");
        long t0 = System.nanoTime();
        IOException e;
        try {
            e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> SparkCommandLine.train(master, 2, run.toString(), 0, 1, Map.of(), new Factory(data.toString(), dir.resolve("unused").toString())));
        } finally {
            System.clearProperty("descent.spark.executorWait");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        // one executor, or none yet on a slow machine: either way fewer than two
        assertTrue(e.getMessage().matches("--workers 2 needs 2 task slots; the cluster at \\Q" + master + "\\E offered [01] \\(from [01] executors?\\) within 10 s"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        assertTrue(seconds < 60, "took " + seconds + " s");
        assertTrue(!Files.exists(run.resolve("checkpoints")), "no checkpoint folder");
    }

    /** Starts a master and {@code workers} one-core workers; returns the master's URL. */
    private String cluster(int workers) throws Exception {
        Path sparkHome = fakeSparkHome(Path.of("target", "fake-spark-home").toAbsolutePath()); // links: outside the temporary folder
        int port = freePort();
        String master = "spark://127.0.0.1:" + port;
        start("master", sparkHome, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port",
                Integer.toString(freePort()));
        awaitPort(port, 60);
        for (int w = 0; w < workers; w++) {
            Path work = Files.createDirectories(dir.resolve("work-" + w));
            start("worker-" + w, sparkHome, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1", "--memory", "1g",
                    "--webui-port", Integer.toString(freePort()), "--work-dir", work.toString(), master);
        }
        return master;
    }

    /** A Spark home whose jars folder links to the Spark jars of this class path (what a worker puts on an executor's). */
    private static Path fakeSparkHome(Path home) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        Files.writeString(home.resolve("RELEASE"), "Spark from Maven artifacts, for StandaloneClusterTest\n");
        for (String entry : classPath()) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(p) && !Files.exists(jars.resolve(p.getFileName()))) {
                Files.createSymbolicLink(jars.resolve(p.getFileName()), p.toAbsolutePath());
            }
        }
        return home;
    }

    /** The class path entries, through surefire's manifest-only jar when there is one. */
    private static List<String> classPath() throws IOException {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            out.add(e);
            if (e.endsWith(".jar") && Path.of(e).getFileName().toString().startsWith("surefire")) {
                try (java.util.jar.JarFile jar = new java.util.jar.JarFile(e)) {
                    String cp = jar.getManifest() == null ? null : jar.getManifest().getMainAttributes().getValue("Class-Path");
                    if (cp != null) for (String u : cp.split(" ")) if (!u.isBlank()) out.add(Path.of(java.net.URI.create(u)).toString());
                }
            }
        }
        return out;
    }

    private void start(String name, Path sparkHome, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC"); // the master and worker daemons: no GC threads beside the executors
        for (String o : System.getProperty("descent.spark.opens", "").split(" ")) if (!o.isBlank()) cmd.add(o);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        started.add(pb.start());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the master did not open port " + port + " within " + seconds + " s");
    }
}
