// `descent reproduce index DIR`: the README linking the reproductions in a folder.
package dev.descent.cli.reproduce;

import dev.descent.bench.reproduce.ReproductionIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code descent reproduce index DIR}: writes DIR/README.md from each reproduction's {@code summary.md}. */
@Command(name = "index", mixinStandardHelpOptions = true, description = "Write DIR/README.md linking the reports of the reproductions in DIR.")
final class IndexCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "a folder of reproduction folders (e.g. docs/reproductions)")
    Path dir;

    @Override
    public Integer call() throws IOException {
        System.out.println("wrote " + ReproductionIndex.write(dir));
        return 0;
    }
}
