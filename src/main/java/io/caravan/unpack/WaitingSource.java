package io.caravan.unpack;

/**
 * A source stream that waits for data which has not arrived yet (a receiver's next chunk). When an
 * extraction from it fails, {@link Unpacker} calls {@link #abandon()} so a read waiting in it ends
 * (with an exception) and the extraction's read stage can stop.
 */
public interface WaitingSource {

    /** Ends any wait for more data, now and later; reads then fail. */
    void abandon();
}
