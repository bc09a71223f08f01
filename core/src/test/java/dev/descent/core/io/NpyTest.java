package dev.descent.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    private static final Path FILE = Path.of("a.npy");

    @TempDir
    Path dir;

    /** A .npy file as numpy's format description lays it out: magic, version, length, the dict padded with spaces and a newline, data. */
    private static byte[] handWritten(int major, String dict, int align, byte[] data) {
        int lenBytes = major == 1 ? 2 : 4;
        int unpadded = 8 + lenBytes + dict.length() + 1;
        int headerLen = (unpadded + align - 1) / align * align - 8 - lenBytes;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        ByteBuffer len = ByteBuffer.allocate(lenBytes).order(ByteOrder.LITTLE_ENDIAN);
        if (lenBytes == 2) len.putShort((short) headerLen);
        else len.putInt(headerLen);
        out.writeBytes(len.array());
        out.writeBytes(dict.getBytes(StandardCharsets.ISO_8859_1));
        for (int k = dict.length(); k < headerLen - 1; k++) out.write(' ');
        out.write('\n');
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static byte[] le(int width, long... v) {
        ByteBuffer b = ByteBuffer.allocate(width * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            if (width == 4) b.putInt((int) x);
            else if (width == 8) b.putLong(x);
            else b.put((byte) x);
        }
        return b.array();
    }

    @Test
    void readsHeadersWrittenAsNumpyWritesThemInEveryVersionAndType() throws Exception {
        ByteBuffer f4 = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < 6; k++) f4.putFloat(k * 0.5f - 1);
        Tensor t = Npy.read(FILE, handWritten(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 64, f4.array()));
        assertEquals(DType.FLOAT32, t.dtype());
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f}, t.toFloatArray());
        // version 2.0 and 3.0 (4-byte length), old 16-byte alignment, a 1-D shape written "(4,)"; int32 and uint8 kept as they are
        Tensor i4 = Npy.read(FILE, handWritten(2, "{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }", 16, le(4, 7, -2, 0, 1 << 30)));
        assertEquals(DType.INT32, i4.dtype());
        assertArrayEquals(new long[] {7, -2, 0, 1 << 30}, i4.toLongArray());
        Tensor u1 = Npy.read(FILE, handWritten(3, "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 3), }", 64, le(1, 0, 200, 255)));
        assertEquals(DType.UINT8, u1.dtype());
        assertArrayEquals(new long[] {0, 200, 255}, u1.toLongArray());
        Tensor b1 = Npy.read(FILE, handWritten(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", 64, le(1, 1, 0, 1)));
        assertArrayEquals(new boolean[] {true, false, true}, b1.toBooleanArray());
        Tensor i8 = Npy.read(FILE, handWritten(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (), }", 64, le(8, Long.MIN_VALUE)));
        assertEquals(0, i8.dim());
        assertEquals(Long.MIN_VALUE, i8.toLongArray()[0]);
        // keys in another order, double quotes, no trailing comma; an empty array
        Tensor f8 = Npy.read(FILE, handWritten(1, "{\"shape\": (0, 2), \"descr\": \"<f8\", \"fortran_order\": False}", 64, new byte[0]));
        assertArrayEquals(new int[] {0, 2}, f8.shape());
        assertEquals(DType.FLOAT64, f8.dtype());
    }

    @Test
    void writesWhatItReadsBackAndWhatNumpyExpectsInTheHeader() throws Exception {
        SplittableRandom rng = new SplittableRandom(41);
        Tensor[] ts = {Tensor.randn(rng, 3, 4), Tensor.randn(DType.FLOAT64, rng, 5), Tensor.of(new long[] {1, -5, Long.MAX_VALUE}, 3, 1),
            Tensor.of(new boolean[] {true, false}, 2), Tensor.of(2.5f), Tensor.randn(rng, 4, 3).t()};
        for (Tensor t : ts) {
            Path f = dir.resolve("t.npy");
            Npy.write(f, t);
            Tensor back = Npy.read(f);
            assertEquals(t.dtype(), back.dtype());
            assertArrayEquals(t.shape(), back.shape());
            assertTrue(t.contentEquals(back), "round trip of " + t);
        }
        byte[] b = Npy.toBytes(Tensor.zeros(2, 3));
        assertEquals(0, (10 + (ByteBuffer.wrap(b, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff)) % 64, "data aligned to 64 bytes");
        String header = new String(b, 10, b.length - 10 - 24, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
        assertTrue(header.endsWith(" \n"), header);
        assertTrue(new String(Npy.toBytes(Tensor.zeros(5)), StandardCharsets.ISO_8859_1).contains("'shape': (5,)"));
    }

    @Test
    void narrowDtypesReadAndWriteAsNumpyLaysThemOut() throws Exception {
        // float16 0x3c00 = 1, 0xc000 = -2, 0x7c00 = inf; int8 as signed bytes
        byte[] f2 = {0x00, 0x3c, 0x00, (byte) 0xc0, 0x00, 0x7c};
        Tensor h = Npy.read(FILE, handWritten(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (3,), }", 64, f2));
        assertEquals(DType.FLOAT16, h.dtype());
        assertArrayEquals(new float[] {1, -2, Float.POSITIVE_INFINITY}, h.toFloatArray());
        Tensor q = Npy.read(FILE, handWritten(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }", 64, le(1, -128, -1, 127)));
        assertEquals(DType.INT8, q.dtype());
        assertArrayEquals(new long[] {-128, -1, 127}, q.toLongArray());
        assertArrayEquals(f2, java.util.Arrays.copyOfRange(Npy.toBytes(h), Npy.toBytes(h).length - 6, Npy.toBytes(h).length), "float16 bytes written as read");
        Tensor[] ts = {h, q, Tensor.of(new long[] {Integer.MIN_VALUE, 3}).to(DType.INT32), Tensor.of(new long[] {0, 255}).to(DType.UINT8)};
        String[] descr = {"<f2", "|i1", "<i4", "|u1"};
        for (int k = 0; k < ts.length; k++) {
            byte[] b = Npy.toBytes(ts[k]);
            assertTrue(new String(b, 10, 40, StandardCharsets.ISO_8859_1).contains("'descr': '" + descr[k] + "'"), descr[k]);
            assertArrayEquals(ts[k].toLongArray(), Npy.read(FILE, b).toLongArray(), descr[k]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.toBytes(Tensor.zeros(DType.BFLOAT16, 2)));
        assertTrue(e.getMessage().contains("bfloat16") && e.getMessage().contains("to(DType.FLOAT32)"), e.getMessage());
    }

    @Test
    void bfloat16TravelsAsItsBitPatternsInAUint16ArrayOnlyWhenAskedFor() throws Exception {
        // bfloat16 0x3f80 = 1, 0xc040 = -3, 0x4049 = 3.140625 (the top halves of the float32 bits)
        byte[] u2 = {(byte) 0x80, 0x3f, 0x40, (byte) 0xc0, 0x49, 0x40};
        byte[] file = handWritten(1, "{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }", 64, u2);
        assertTrue(fails(file).contains("uint16 only as bfloat16 bit patterns"), fails(file));
        Path f = dir.resolve("b.npy");
        java.nio.file.Files.write(f, file);
        Tensor b = Npy.readBfloat16Bits(f);
        assertEquals(DType.BFLOAT16, b.dtype());
        assertArrayEquals(new float[] {1, -3, 3.140625f}, b.toFloatArray());
        Path g = dir.resolve("c.npy");
        Npy.writeBfloat16Bits(g, b);
        byte[] back = java.nio.file.Files.readAllBytes(g);
        assertTrue(new String(back, 10, 40, StandardCharsets.ISO_8859_1).contains("'descr': '<u2'"));
        assertArrayEquals(u2, java.util.Arrays.copyOfRange(back, back.length - 6, back.length));
        java.nio.file.Files.write(f, Npy.toBytes(Tensor.zeros(3)));
        assertTrue(assertThrows(FileFormatException.class, () -> Npy.readBfloat16Bits(f)).getMessage().contains("descr <u2"));
        assertThrows(IllegalArgumentException.class, () -> Npy.toBytesBfloat16Bits(Tensor.zeros(2)));
    }

    private static String fails(byte[] b) {
        return assertThrows(FileFormatException.class, () -> Npy.read(FILE, b)).getMessage();
    }

    @Test
    void hostileAndUnsupportedHeadersAreRefusedWithTheReason() {
        String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
        byte[] data = new byte[8];
        assertTrue(fails(handWritten(1, ok.replace("False", "True"), 64, data)).contains("expected fortran_order False (row-major; save np.ascontiguousarray(a)), found fortran_order True"));
        assertTrue(fails(handWritten(1, ok.replace("<f4", ">f4"), 64, data)).contains("big-endian descr '>f4'"));
        assertTrue(fails(handWritten(1, ok.replace("<f4", "<c8"), 64, data)).contains("expected descr <f4, <f8, <f2, <i8, <i4, |i1, |u1 or |b1, found '<c8'"));
        assertTrue(fails(handWritten(1, ok, 64, new byte[4])).contains("expected 8 bytes of data for <f4 of shape [2], found 4 bytes"));
        assertTrue(fails(handWritten(1, ok, 64, new byte[12])).contains("found 12 bytes"));
        assertTrue(fails(handWritten(1, ok.replace("(2,)", "(65536, 65536)"), 64, data)).contains("at most 2^31-9 elements"));
        assertTrue(fails(handWritten(1, ok.replace("(2,)", "(-2,)"), 64, data)).contains("a dimension (a non-negative integer) in the .npy header"));
        assertTrue(fails(handWritten(1, ok.replace("}", "'extra': 1, }"), 64, data)).contains("a quoted string in the .npy header"));
        assertTrue(fails(handWritten(1, "{'descr': '<f4', 'shape': (2,), }", 64, data)).contains("exactly the keys descr, fortran_order and shape"));
        assertTrue(fails(handWritten(1, ok.replace("}", ""), 64, data)).contains("expected a quoted string in the .npy header, found the end of the header"));
        byte[] v = handWritten(1, ok, 64, data);
        v[6] = 4;
        assertTrue(fails(v).contains("at byte 6: expected version 1.0, 2.0 or 3.0, found version 4.0"));
        byte[] len = handWritten(1, ok, 64, data);
        len[8] = (byte) 0xff;
        len[9] = 0x7f; // 32767 bytes of header: more than numpy's 10000 limit
        assertTrue(fails(len).contains("expected a header of at most 10000 bytes, found 32767 bytes"));
        len[9] = 0x01; // 511 bytes: past the end
        assertTrue(fails(len).contains("expected a header of at most the"));
        assertTrue(fails(new byte[] {(byte) 0x93, 'N', 'U'}).contains("expected the .npy magic"));
        assertTrue(fails("PK\3\4 a zip".getBytes(StandardCharsets.ISO_8859_1)).contains("at byte 0: expected the .npy magic"));
    }

    @Test
    void anyDamageToAValidFileReadsOrFailsAsAFileFormatException() {
        byte[] good = Npy.toBytes(Tensor.randn(new SplittableRandom(42), 3, 2));
        qt().withExamples(500).forAll(integers().between(0, good.length - 1), integers().between(0, 255), integers().between(0, 2)).checkAssert((at, value, kind) -> {
            byte[] b = switch (kind) {
                case 0 -> java.util.Arrays.copyOf(good, at);
                case 1 -> {
                    byte[] c = good.clone();
                    c[at] = (byte) (int) value;
                    yield c;
                }
                default -> {
                    byte[] c = good.clone();
                    c[at] ^= (byte) (1 << (value % 8));
                    yield c;
                }
            };
            try {
                Tensor t = Npy.read(FILE, b);
                assertTrue(t.numel() * 4L <= b.length, "no more elements than the bytes could hold");
            } catch (FileFormatException expected) {
                assertTrue(expected.getMessage().startsWith("a.npy: at byte "), expected.getMessage());
            }
        });
    }
}
