/**
 * Files: {@link dev.descent.core.io.Safetensors} reads and writes tensors in the safetensors format
 * (readable by other frameworks; never Java serialization), {@link dev.descent.core.io.AtomicFile} writes
 * through a temporary file and an atomic rename so that a crash never leaves a half-written file,
 * {@link dev.descent.core.io.Json} is the small strict JSON reader and writer for headers and run
 * records, and {@link dev.descent.core.io.FileFormatException} is what every loader throws for a file
 * that is not what it claims to be: it names the file, the byte offset and what was expected there.
 */
package dev.descent.core.io;
