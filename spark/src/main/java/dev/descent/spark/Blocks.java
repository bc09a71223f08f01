package dev.descent.spark;

import java.nio.ByteBuffer;
import org.apache.spark.storage.BlockId;
import org.apache.spark.storage.BlockManager;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.io.ChunkedByteBuffer;
import scala.reflect.ClassTag$;

/**
 * What {@link BlockExchange} and {@link PushExchange} share: storing a message as a block in this executor's block
 * manager. {@code BlockManager.putBytes} is {@code private[spark]} in Scala, which is public in bytecode.
 */
final class Blocks {
    private Blocks() {}

    /**
     * Stores the first {@code length} bytes of {@code bytes} as block {@code id} of this executor's block manager: in
     * memory, in serialised form (the array itself, which the block keeps until it is removed), not reported to the driver.
     *
     * @throws IllegalStateException when the block manager does not store it (too little storage memory)
     */
    static void store(BlockManager bm, BlockId id, byte[] bytes, int length) {
        if (!bm.putBytes(id, new ChunkedByteBuffer(ByteBuffer.wrap(bytes, 0, length)), StorageLevel.MEMORY_ONLY_SER(), false, ClassTag$.MODULE$.Nothing())) {
            throw new IllegalStateException("the block manager of executor " + bm.blockManagerId().executorId() + " did not store " + id + " (" + length
                    + " bytes): too little storage memory?");
        }
    }
}
