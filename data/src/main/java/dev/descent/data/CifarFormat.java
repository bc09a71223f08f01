package dev.descent.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CIFAR binary format shared by CIFAR-10 and CIFAR-100: fixed-size records of label bytes then
 * 3,072 pixel bytes (1,024 red, 1,024 green, 1,024 blue, each 32×32 row-major), class-name text files,
 * and finding the files in a folder or inside the official {@code .tar.gz} without extracting it.
 */
final class CifarFormat {
    private CifarFormat() {}

    static final int SIDE = 32, CHANNELS = 3, PIXELS = CHANNELS * SIDE * SIDE;
    private static final int MAX_NAMES_FILE = 1 << 16;

    /** The label bytes that start each record: their names and how many classes each counts. */
    record Labels(List<String> names, int[] classes) {
        int bytes() {
            return classes.length;
        }

        int recordSize() {
            return bytes() + PIXELS;
        }
    }

    /** The records of one file: a label column per label byte, and the pixels image after image. */
    record Records(byte[][] labels, byte[] pixels, int count) {}

    /** Parses one member (a file of the folder or of the archive). */
    @FunctionalInterface
    interface Parser<T> {
        T parse(ByteInput in) throws IOException;
    }

    /** The most records a CIFAR file holds: each CIFAR-10 batch and each test file 10,000, CIFAR-100's train.bin 50,000. */
    static final int BATCH_RECORDS = 10_000, CIFAR100_TRAIN_RECORDS = 50_000;

    /**
     * Reads a whole file of at most {@code maxRecords} records, checking every label's range. A plain file's size is
     * checked before anything is allocated. A stream of unknown length (a gzip file, an archive member) is checked
     * as it streams, record by record, the arrays growing as records arrive: a wrong label fails at its record, and
     * nothing beyond record {@code maxRecords + 1} is read, so a gzip bomb costs at most what a legal file holds.
     */
    static Records readRecords(ByteInput in, Labels spec, int maxRecords) throws IOException {
        long len = in.length();
        int rec = spec.recordSize();
        String kind = in.within().isEmpty() ? "file" : "stream";
        if (len == 0) throw in.error(0, "at least one " + rec + "-byte record", "an empty " + kind);
        if (len > 0 && len % rec != 0) {
            throw in.error(len - len % rec, "a whole number of " + rec + "-byte records", (len / rec) + " records and " + (len % rec) + " bytes more");
        }
        if (len > 0 && len / rec > maxRecords) throw tooMany(in, (long) maxRecords * rec, maxRecords, rec, (len / rec) + " records");
        int capacity = len > 0 ? (int) (len / rec) : Math.min(maxRecords, 16);     // small: a stream may hold one record
        byte[][] labels = new byte[spec.bytes()][capacity];
        byte[] pixels = new byte[capacity * PIXELS];
        int block = 16;
        byte[] buf = new byte[block * rec];
        int n = 0;
        while (true) {
            long at = in.position();
            int want = (int) Math.min(block, maxRecords + 1L - n) * rec;     // one record past the maximum shows there are more
            int got = in.readAtMost(buf, 0, want);
            int whole = got / rec;
            for (int r = 0; r < whole; r++, n++) {
                int p = r * rec;
                if (n == maxRecords) throw tooMany(in, at + p, maxRecords, rec, "more");
                for (int j = 0; j < spec.bytes(); j++) {
                    int v = buf[p + j] & 0xff;
                    if (v >= spec.classes()[j]) {
                        throw in.error(at + p + j, "a " + spec.names().get(j) + " below " + spec.classes()[j] + " (record " + n + ")", String.valueOf(v));
                    }
                }
                if (n == capacity) {
                    capacity = (int) Math.min(maxRecords, 2L * capacity);
                    for (int j = 0; j < labels.length; j++) labels[j] = Arrays.copyOf(labels[j], capacity);
                    pixels = Arrays.copyOf(pixels, capacity * PIXELS);
                }
                for (int j = 0; j < spec.bytes(); j++) labels[j][n] = buf[p + j];
                System.arraycopy(buf, p + spec.bytes(), pixels, n * PIXELS, PIXELS);
            }
            if (got < want) {
                if (got % rec != 0) throw in.error(at + (long) whole * rec, "a whole number of " + rec + "-byte records", n + " records and " + (got % rec) + " bytes more");
                break;
            }
        }
        if (n == 0) throw in.error(0, "at least one " + rec + "-byte record", "an empty " + kind);
        in.expectEnd(n + " records");
        if (n < capacity) {
            for (int j = 0; j < labels.length; j++) labels[j] = Arrays.copyOf(labels[j], n);
            pixels = Arrays.copyOf(pixels, n * PIXELS);
        }
        return new Records(labels, pixels, n);
    }

    private static DataFileException tooMany(ByteInput in, long offset, int maxRecords, int rec, String found) {
        return in.error(offset, "at most " + maxRecords + " records of " + rec + " bytes (what a CIFAR file of this name holds)", found);
    }

    /** A class-name file: exactly {@code k} non-blank UTF-8 lines (surrounding spaces dropped), blank lines ignored. */
    static List<String> readNames(ByteInput in, int k) throws IOException {
        byte[] b = in.readRest(MAX_NAMES_FILE, "a class-name file");
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i < b.length && b[i] != '\n') continue;
            String line;
            try {
                CharBuffer cb = utf8.decode(ByteBuffer.wrap(b, start, i - start));
                line = cb.toString().strip();
            } catch (CharacterCodingException e) {
                throw in.error(start, "a line of UTF-8 text", "bytes that are not UTF-8");
            }
            if (!line.isEmpty()) {
                if (names.size() == k) throw in.error(start, k + " class names, one per line", "more (\"" + shorten(line) + "\")");
                names.add(line);
            }
            start = i + 1;
        }
        if (names.size() != k) throw in.error(b.length, k + " class names, one per line", String.valueOf(names.size()));
        return List.copyOf(names);
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** The dataset of one label column over the records of several files, in order. */
    static ImageDataset toDataset(List<Records> files, int column, List<String> classNames) {
        List<ImageDataset> parts = new ArrayList<>();
        for (Records r : files) parts.add(new ImageDataset(r.pixels(), r.labels()[column], CHANNELS, SIDE, SIDE, classNames));
        return ImageDataset.concat(parts);
    }

    // ------------------------------------------------------------------ finding the files

    /** Where CIFAR files are: a folder, or an archive (.tar.gz or .tar). */
    record Layout(String officialFolder, String archiveName) {}

    /**
     * Parses {@code required} and, if present, {@code optional} files (by base name) found at
     * {@code path}: a folder holding them, a folder holding the official subfolder or archive, or the
     * archive itself. From an archive, every member is read and the archive checked to its end
     * before anything is returned.
     */
    static Map<String, Object> read(Path path, Layout layout, Map<String, Parser<?>> required, Map<String, Parser<?>> optional) throws IOException {
        if (Files.isDirectory(path)) {
            String probe = required.keySet().iterator().next();
            if (Files.exists(path.resolve(probe))) return readFolder(path, required, optional);
            if (Files.isDirectory(path.resolve(layout.officialFolder()))) return readFolder(path.resolve(layout.officialFolder()), required, optional);
            if (Files.isRegularFile(path.resolve(layout.archiveName()))) return readArchive(path.resolve(layout.archiveName()), required, optional);
            throw new NoSuchFileException(path.toString(), null,
                    "no " + probe + " here, nor a folder " + layout.officialFolder() + ", nor the archive " + layout.archiveName());
        }
        if (Files.isRegularFile(path)) return readArchive(path, required, optional);
        throw new NoSuchFileException(path.toString(), null, "neither a CIFAR folder nor an archive");
    }

    private static Map<String, Object> readFolder(Path dir, Map<String, Parser<?>> required, Map<String, Parser<?>> optional) throws IOException {
        Map<String, Object> out = new HashMap<>();
        for (Map.Entry<String, Parser<?>> e : required.entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f)) throw new NoSuchFileException(f.toString(), null, "a CIFAR file this split needs");
            out.put(e.getKey(), parseFile(f, e.getValue()));
        }
        for (Map.Entry<String, Parser<?>> e : optional.entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (Files.isRegularFile(f)) out.put(e.getKey(), parseFile(f, e.getValue()));
        }
        return out;
    }

    private static Object parseFile(Path f, Parser<?> parser) throws IOException {
        try (ByteInput in = DataFiles.open(f)) {
            return parser.parse(in);
        }
    }

    private static Map<String, Object> readArchive(Path archive, Map<String, Parser<?>> required, Map<String, Parser<?>> optional) throws IOException {
        Map<String, Parser<?>> wanted = new LinkedHashMap<>(required);
        wanted.putAll(optional);
        Map<String, Object> out = new HashMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
            raw.mark(2);
            byte[] magic = raw.readNBytes(2);
            raw.reset();
            boolean gz = GzipInput.isGzipMagic(magic, magic.length);
            if (!gz && DataFiles.isGzipName(archive)) throw new DataFileException(archive, "", 0, "the gzip magic 1f 8b (the name ends in .gz)", DataFiles.hex(magic));
            try (InputStream body = gz ? new GzipInput(raw, archive) : raw) {
                TarInput tar = new TarInput(body, archive, gz, gz ? -1 : Files.size(archive));
                Map<String, Long> seenAt = new HashMap<>();
                TarInput.Member m;
                while ((m = tar.next()) != null) {
                    String base = m.name().substring(m.name().lastIndexOf('/') + 1);
                    Parser<?> parser = wanted.get(base);
                    if (parser == null) continue;
                    if (seenAt.containsKey(base)) {
                        throw tar.error(m.dataOffset() - TarInput.BLOCK, "one member named " + base, "a second (the first starts at byte " + seenAt.get(base) + ")");
                    }
                    seenAt.put(base, m.dataOffset() - TarInput.BLOCK);
                    String within = "member " + m.name() + " of " + tar.archiveName();
                    // The member's size comes from its header: read progressively rather than trust it.
                    ByteInput member = new ByteInput(tar.content(), archive, within, -1);
                    out.put(base, parser.parse(member));
                }
                for (String name : required.keySet()) {
                    if (!out.containsKey(name)) {
                        throw tar.error(tar.endOffset(), "a member named " + name + " (e.g. " + name + " in the official folder)", "the end-of-archive marker without it");
                    }
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ writing

    /** A file of the layout: its name, size and content. */
    record Member(String name, long size, DataFiles.Body body) {}

    /** Records {@code [from, to)} of the datasets' images, each preceded by its label bytes. */
    static Member records(String name, byte[][] labelColumns, ImageDataset images, int from, int to) {
        int rec = labelColumns.length + PIXELS;
        return new Member(name, (long) (to - from) * rec, out -> {
            byte[] buf = new byte[rec];
            byte[] px = images.pixelBytes();
            for (int i = from; i < to; i++) {
                for (int j = 0; j < labelColumns.length; j++) buf[j] = labelColumns[j][i];
                System.arraycopy(px, i * PIXELS, buf, labelColumns.length, PIXELS);
                out.write(buf);
            }
        });
    }

    /** A text file: one name per line, then an empty line (as the official files end). */
    static Member names(String name, List<String> names) {
        StringBuilder s = new StringBuilder();
        for (String n : names) {
            if (n.isBlank() || n.contains("\n") || !n.equals(n.strip())) throw new IllegalArgumentException("class name \"" + n + "\" cannot be stored one per line");
            s.append(n).append('\n');
        }
        s.append('\n');
        return text(name, s.toString());
    }

    static Member text(String name, String content) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        return new Member(name, b.length, out -> out.write(b));
    }

    /**
     * Writes {@code members} as files in the folder {@code target}, or, when {@code target} ends in
     * {@code .tar.gz}/{@code .tgz}/{@code .tar}, as an archive whose members sit in {@code folder}/.
     */
    static void write(Path target, String folder, List<Member> members) throws IOException {
        String n = target.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean gz = n.endsWith(".tar.gz") || n.endsWith(".tgz");
        if (gz || n.endsWith(".tar")) {
            DataFiles.write(target, gz, out -> {
                TarOutput tar = new TarOutput(out);
                tar.directory(folder + "/");
                for (Member m : members) tar.file(folder + "/" + m.name(), m.size(), m.body());
                tar.finish();
            });
        } else {
            Files.createDirectories(target);
            for (Member m : members) DataFiles.write(target.resolve(m.name()), false, m.body());
        }
    }

    /** Checks that a dataset can be stored as CIFAR images with {@code classes} classes. */
    static void checkWritable(String what, ImageDataset d, int classes) {
        if (d.channels() != CHANNELS || d.height() != SIDE || d.width() != SIDE) {
            throw new IllegalArgumentException(what + " images must be [3, 32, 32] for CIFAR, were [" + d.channels() + ", " + d.height() + ", " + d.width() + "]");
        }
        if (d.numClasses() != classes) throw new IllegalArgumentException(what + " must have " + classes + " classes, has " + d.numClasses());
        if (d.size() == 0) throw new IllegalArgumentException(what + " has no images; a CIFAR file holds at least one record");
    }
}
