package dev.descent.tutorial.docs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * What a chapter returned and what it printed on {@code System.out} while it ran: the generator puts
 * the printed text into the chapter, the tests compare both with the chapter's claims.
 *
 * @param value what the run returned
 * @param output what it printed, with "\n" line ends
 * @param <T> the type of the returned value
 */
public record Captured<T>(T value, String output) {

    /**
     * Runs {@code run} with {@code System.out} redirected into a buffer (not thread-safe: one capture
     * at a time per JVM). A checked exception of the run is rethrown unchecked: an {@link IOException}
     * as an {@link UncheckedIOException}, any other as an {@link IllegalStateException} with it as the cause.
     *
     * @param run the code to run
     * @param <T> what it returns
     * @return its value and its printed text
     */
    public static <T> Captured<T> run(Callable<T> run) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        T value;
        try (PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            value = run.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("the chapter's run failed: " + e, e);
        } finally {
            System.setOut(original);
        }
        return new Captured<>(value, buffer.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }
}
