package io.caravan.receiver;

import io.caravan.util.DirectMemoryBudget;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;

/**
 * The direct buffer an upload's body is gathered into, of exactly its declared size, whose size the
 * caller has reserved in the receiver's {@link DirectMemoryBudget}: the reservation is given back when
 * the buffer is freed (its last reference released), wherever that happens: when the chunk is stored,
 * when the read-ahead lets a kept body go, when the upload fails or its connection closes.
 */
final class ReservedBody extends UnpooledDirectByteBuf {

    private final DirectMemoryBudget budget;
    private final int size;

    /** A buffer of {@code size} bytes, already reserved in {@code budget}; may throw {@link OutOfMemoryError}. */
    ReservedBody(ByteBufAllocator alloc, int size, DirectMemoryBudget budget) {
        super(alloc, size, size);
        this.budget = budget;
        this.size = size;
    }

    @Override
    protected void deallocate() {
        try {
            super.deallocate();
        } finally {
            budget.release(size);
        }
    }
}
