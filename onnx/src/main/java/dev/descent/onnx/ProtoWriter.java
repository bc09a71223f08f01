package dev.descent.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A protobuf writer: keys, varints, fixed32/64 and length-delimited fields, the wire format {@link ProtoReader} reads.
 * {@link OnnxExport} writes models with it, and tests write hand-made ONNX files (real protobuf bytes) with it.
 * A message is built in memory; a nested message is appended to its parent ({@link #message}) with one copy of its bytes, and the outermost
 * one is streamed out with {@link #writeTo}.
 */
final class ProtoWriter {
    /** A byte buffer that appends itself to another without an intermediate copy. */
    private static final class Bytes extends ByteArrayOutputStream {
        void appendTo(ByteArrayOutputStream to) {
            to.write(buf, 0, count);
        }
    }

    private final Bytes out = new Bytes();

    ProtoWriter rawVarint(long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    ProtoWriter key(int field, int wireType) {
        return rawVarint(((long) field << 3) | wireType);
    }

    ProtoWriter varint(int field, long v) {
        return key(field, 0).rawVarint(v);
    }

    ProtoWriter fixed32(int field, float f) {
        key(field, 5);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(f).array());
        return this;
    }

    ProtoWriter fixed64(int field, long v) {
        key(field, 1);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    ProtoWriter bytes(int field, byte[] b) {
        key(field, 2).rawVarint(b.length);
        out.writeBytes(b);
        return this;
    }

    ProtoWriter string(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter m) {
        key(field, 2).rawVarint(m.out.size());
        m.out.appendTo(out);
        return this;
    }

    ProtoWriter packedVarints(int field, long... v) {
        ProtoWriter p = new ProtoWriter();
        for (long x : v) p.rawVarint(x);
        return bytes(field, p.toByteArray());
    }

    ProtoWriter packedFloats(int field, float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return bytes(field, b.array());
    }

    ProtoWriter packedDoubles(int field, double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) b.putDouble(x);
        return bytes(field, b.array());
    }

    /** The number of bytes written so far. */
    int size() {
        return out.size();
    }

    /** Writes the bytes written so far to {@code stream}. */
    void writeTo(java.io.OutputStream stream) throws java.io.IOException {
        out.writeTo(stream);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
