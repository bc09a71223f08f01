package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * README.md's Maven snippets, checked fast: well-formed, the plugin versions those of the parent pom, every library
 * artifact listed. {@code tools/readme-app-check} builds and runs an application from them (slow: it installs the project).
 */
class ReadmeMavenSnippetTest {
    static final Path ROOT = Path.of("..");

    /** README's fenced xml blocks, each parsed inside a wrapper element. */
    static List<Element> readmeXmlBlocks() throws Exception {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
        List<Element> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).equals("```xml")) continue;
            int end = lines.subList(i + 1, lines.size()).indexOf("```");
            assertTrue(end >= 0, "README.md: the xml block at line " + (i + 1) + " is not closed");
            String text = String.join("\n", lines.subList(i + 1, i + 1 + end));
            try {
                blocks.add(parse("<snippet>" + text + "</snippet>").getDocumentElement());
            } catch (org.xml.sax.SAXException e) {
                throw new AssertionError("README.md: the xml block at line " + (i + 1) + " is not well-formed: " + e.getMessage(), e);
            }
            i += end + 1;
        }
        return blocks;
    }

    static Document parse(String xml) throws Exception {
        var f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        var builder = f.newDocumentBuilder();
        builder.setErrorHandler(null);
        return builder.parse(new InputSource(new StringReader(xml)));
    }

    static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && e.getTagName().equals(name)) out.add(e);
        }
        return out;
    }

    static String text(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0).getTextContent().strip();
    }

    /** Every block holds only {@code <dependency>} or only {@code <plugin>} elements: what the script expects. */
    @Test
    void everyXmlBlockIsWellFormedAndHoldsDependenciesOrPlugins() throws Exception {
        List<Element> blocks = readmeXmlBlocks();
        assertFalse(blocks.isEmpty(), "README.md has no xml block");
        for (Element b : blocks) {
            var kinds = new TreeSet<String>();
            NodeList nodes = b.getChildNodes();
            for (int i = 0; i < nodes.getLength(); i++) if (nodes.item(i).getNodeType() == Node.ELEMENT_NODE) kinds.add(((Element) nodes.item(i)).getTagName());
            assertTrue(kinds.equals(new TreeSet<>(List.of("dependency"))) || kinds.equals(new TreeSet<>(List.of("plugin"))),
                    "an xml block of README.md holds " + kinds + "; tools/readme-app-check takes blocks of <dependency> or of <plugin>");
        }
    }

    @Test
    void thePluginsArePinnedToTheParentPomsVersions() throws Exception {
        Map<String, String> parent = new TreeMap<>();
        Element pm = (Element) parse(Files.readString(ROOT.resolve("pom.xml"))).getElementsByTagName("pluginManagement").item(0);
        for (Element p : children(children(pm, "plugins").get(0), "plugin")) parent.put(text(p, "artifactId"), text(p, "version"));

        Map<String, String> readme = new TreeMap<>();
        for (Element b : readmeXmlBlocks()) for (Element p : children(b, "plugin")) readme.put(text(p, "artifactId"), text(p, "version"));
        for (String plugin : List.of("maven-compiler-plugin", "maven-surefire-plugin")) {
            assertTrue(readme.containsKey(plugin), "README.md's plugins lack " + plugin + ": " + readme.keySet());
            assertEquals(parent.get(plugin), readme.get(plugin), "README.md's " + plugin + " version, against the parent pom's");
        }
        readme.forEach((plugin, version) -> assertTrue(version != null && !version.isEmpty(),
                "README.md's " + plugin + " has no version: Maven 3.8 would pick an old default"));
        assertTrue(readme.containsKey("exec-maven-plugin"), "README.md shows how to run the app with the exec plugin: " + readme.keySet());
    }

    /** The libraries are the reactor's modules with a module descriptor; README lists each, at the project's version. */
    @Test
    void everyLibraryArtifactIsListedAtTheProjectsVersion() throws Exception {
        Document pom = parse(Files.readString(ROOT.resolve("pom.xml")));
        String version = text(pom.getDocumentElement(), "version");
        var libraries = new TreeSet<String>();
        for (Element m : children(children(pom.getDocumentElement(), "modules").get(0), "module")) {
            Path dir = ROOT.resolve(m.getTextContent().strip());
            if (Files.exists(dir.resolve("src/main/java/module-info.java"))) {
                libraries.add(text(parse(Files.readString(dir.resolve("pom.xml"))).getDocumentElement(), "artifactId"));
            }
        }
        assertEquals(6, libraries.size(), "the six libraries: " + libraries);
        var listed = new TreeSet<String>();
        for (Element b : readmeXmlBlocks()) {
            for (Element d : children(b, "dependency")) {
                assertEquals("dev.descent", text(d, "groupId"), "README.md's dependency " + text(d, "artifactId"));
                assertEquals(version, text(d, "version"), "README.md's dependency " + text(d, "artifactId") + ", against the project's version");
                listed.add(text(d, "artifactId"));
            }
        }
        assertEquals(libraries, listed, "README.md's dependencies, against the library modules");
    }

    /** The script this test stands in for exists and is executable, and the README's commands carry its marker. */
    @Test
    void theSlowCheckIsThere() throws IOException {
        Path script = ROOT.resolve("tools/readme-app-check");
        assertTrue(Files.isExecutable(script), script + " is missing or not executable");
        assertTrue(Files.readString(ROOT.resolve("README.md"))
                .contains("<!-- tools/readme-app-check builds an application from the xml blocks above and runs these lines -->\n```sh\n"),
                "README.md's run commands lost the marker tools/readme-app-check looks for");
    }
}
