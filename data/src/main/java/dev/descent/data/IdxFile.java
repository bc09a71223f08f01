package dev.descent.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An IDX file (the MNIST family's format) of unsigned bytes: a big-endian magic {@code 00 00 08 r}
 * (data type 0x08 = unsigned byte, rank r), r big-endian 32-bit dimensions, then the data in
 * row-major order. Reading accepts the plain file or its gzip form (recognised by its magic) and
 * rejects anything that is not exactly this, naming the offset. Other IDX element types (signed
 * bytes, shorts, ints, floats, doubles) are rejected: no dataset Descent reads uses them.
 */
public final class IdxFile {
    /** The IDX type code of unsigned bytes. */
    public static final int UNSIGNED_BYTE = 0x08;

    private final Path file;
    private final String within;
    private final int[] dims;
    private final byte[] data;

    private IdxFile(Path file, String within, int[] dims, byte[] data) {
        this.file = file;
        this.within = within;
        this.dims = dims;
        this.data = data;
    }

    /** Data of a compressed file up to this size is read in one pass; beyond it, a first pass checks the length. */
    static final int ONE_PASS_BYTES = 1 << 20;

    /** Checks an IDX header (its dimensions) before any data is read. */
    @FunctionalInterface
    interface HeaderCheck {
        void check(ByteInput in, int[] dims) throws DataFileException;
    }

    /**
     * Reads and checks {@code file} (gzip or plain); nothing is returned unless the whole file is valid.
     *
     * @param file the IDX file
     * @return its dimensions and data
     * @throws DataFileException naming the offset when the magic, type, rank or dimensions are wrong, or the
     *         data is shorter or longer than the dimensions say
     * @throws IOException when the file cannot be read
     */
    public static IdxFile read(Path file) throws IOException {
        return read(file, (in, dims) -> {});
    }

    /**
     * Reads {@code file} as {@link #read(Path)} does, {@code check} vetting the header before the data is read.
     * A plain file's size is known, and checked against the header before the data array is allocated. A gzip
     * file's decompressed length is known only once it has been decompressed, and its header may promise more
     * than it holds (582 KB of gzip can hold 600 MB of zeros under a header claiming 627 MB): beyond
     * {@link #ONE_PASS_BYTES}, a first pass decompresses the whole file keeping nothing, checking its length and
     * CRC, and only then is the data array allocated and the file read again. Memory never exceeds what the file
     * holds; a bomb costs decompression time, not heap.
     */
    static IdxFile read(Path file, HeaderCheck check) throws IOException {
        int[] dims;
        try (ByteInput in = DataFiles.open(file)) {
            dims = header(in);
            check.check(in, dims);
            long count = count(dims);
            if (in.length() >= 0 || count <= ONE_PASS_BYTES) return data(in, dims);
            in.skipExactly(count, dataName(dims));
            in.expectEnd(count + " data bytes for dimensions " + Arrays.toString(dims));
        }
        try (ByteInput in = DataFiles.open(file)) {                  // checked: read it for real
            int[] again = header(in);
            if (!Arrays.equals(dims, again)) throw in.error(4, "dimensions " + Arrays.toString(dims) + ", as a moment ago", Arrays.toString(again));
            return data(in, dims);
        }
    }

    private static int[] header(ByteInput in) throws IOException {
        int zero1 = in.readUnsignedByte("the IDX magic"), zero2 = in.readUnsignedByte("the IDX magic");
        if (zero1 != 0 || zero2 != 0) throw in.error(0, "the IDX magic 00 00", String.format("%02x %02x", zero1, zero2));
        int type = in.readUnsignedByte("the IDX type code");
        if (type != UNSIGNED_BYTE) throw in.error(2, "IDX type 0x08 (unsigned byte)", String.format("0x%02x", type));
        int rank = in.readUnsignedByte("the IDX rank");
        if (rank < 1) throw in.error(3, "an IDX rank of at least 1", "0");
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            long at = in.position();
            dims[i] = in.readIntBigEndian("dimension " + i);
            if (dims[i] < 0) throw in.error(at, "a dimension below 2^31", Integer.toUnsignedString(dims[i]));
            count *= dims[i];
            if (count > ByteInput.MAX_ARRAY) throw in.error(at, "at most " + ByteInput.MAX_ARRAY + " data bytes", "dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + "...");
        }
        return dims;
    }

    private static long count(int[] dims) {
        long count = 1;
        for (int d : dims) count *= d;
        return count;
    }

    private static String dataName(int[] dims) {
        return "IDX data for dimensions " + Arrays.toString(dims);
    }

    private static IdxFile data(ByteInput in, int[] dims) throws IOException {
        long count = count(dims);
        byte[] data = in.readPromised(count, dataName(dims));
        in.expectEnd(count + " data bytes for dimensions " + Arrays.toString(dims));
        return new IdxFile(in.file(), in.within(), dims, data);
    }

    /** A format error at {@code offset} of the bytes this was read from (the decompressed stream of a gzip file). */
    DataFileException error(long offset, String expected, String found) {
        return new DataFileException(file, within, offset, expected, found);
    }

    /**
     * Writes an IDX file of unsigned bytes with dimensions {@code dims}, gzip-compressed when the name
     * ends in {@code .gz}, atomically.
     *
     * @param file the file to create or replace
     * @param dims the dimensions, 1 to 255 of them, each ≥ 0
     * @param data the bytes, row-major, exactly the product of {@code dims}
     * @throws IllegalArgumentException when the rank, a dimension or the data length is wrong
     * @throws IOException when writing fails
     */
    public static void write(Path file, int[] dims, byte[] data) throws IOException {
        if (dims.length < 1 || dims.length > 255) throw new IllegalArgumentException("IDX rank must be 1 to 255, was " + dims.length);
        long count = 1;
        for (int d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            count *= d;
        }
        if (count != data.length) throw new IllegalArgumentException("dimensions " + Arrays.toString(dims) + " need " + count + " bytes, got " + data.length);
        DataFiles.write(file, DataFiles.isGzipName(file), out -> {
            out.write(new byte[] {0, 0, UNSIGNED_BYTE, (byte) dims.length});
            for (int d : dims) out.write(new byte[] {(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
            out.write(data);
        });
    }

    /**
     * The file this was read from.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }

    /**
     * The dimensions, outermost first.
     *
     * @return a new array
     */
    public int[] dims() {
        return dims.clone();
    }

    /**
     * The rank (number of dimensions).
     *
     * @return 1 or more
     */
    public int rank() {
        return dims.length;
    }

    /**
     * The data bytes in row-major order (a copy).
     *
     * @return a new array, to be read as unsigned
     */
    public byte[] data() {
        return data.clone();
    }

    byte[] dataArray() {
        return data;
    }
}
