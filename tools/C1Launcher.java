import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/** Runs the JUnit classes named in args and prints the summary (tools/c1-compile-check's launcher; exit 1 on a failure). */
public class C1Launcher {
    public static void main(String[] args) throws Exception {
        var request = LauncherDiscoveryRequestBuilder.request();
        for (String name : args) request.selectors(selectClass(Class.forName(name)));
        var summary = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request.build(), summary);
        var out = new PrintWriter(System.err);
        summary.getSummary().printTo(out);
        summary.getSummary().printFailuresTo(out, 10);
        out.flush();
        System.exit(summary.getSummary().getTotalFailureCount() == 0 ? 0 : 1);
    }
}
