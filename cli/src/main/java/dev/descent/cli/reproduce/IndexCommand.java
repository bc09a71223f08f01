// `descent reproduce index DIR`: the README linking the reproductions in a folder.
package dev.descent.cli.reproduce;

import dev.descent.bench.reproduce.ReproductionIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code descent reproduce index DIR [--readme FILE]}: writes DIR/README.md from each reproduction's {@code summary.md}, and the README's block. */
@Command(name = "index", mixinStandardHelpOptions = true, description = "Write DIR/README.md linking the reports of the reproductions in DIR.")
final class IndexCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "a folder of reproduction folders (e.g. docs/reproductions)")
    Path dir;
    @Option(names = "--readme", paramLabel = "FILE", description = "also replace the summary lines between the reproductions markers of FILE"
            + " (the project's README.md)")
    Path readme;

    @Override
    public Integer call() throws IOException {
        System.out.println("wrote " + ReproductionIndex.write(dir));
        if (readme != null) System.out.println("wrote " + ReproductionIndex.updateReadme(readme, dir));
        return 0;
    }
}
