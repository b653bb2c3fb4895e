package io.caravan.session;

import java.nio.ByteBuffer;

/**
 * A chunk's request body kept in memory after it was stored, for the reader that wants it next.
 *
 * @param sha256  the hash it was stored under (a replaced chunk's old body is never served)
 * @param buffers the bytes, in order (a reader consumes them)
 * @param length  how many bytes they held when kept
 * @param release lets the buffers go; run exactly once
 * @param keptAt  when it was kept (epoch milliseconds of the store's clock)
 */
record HeldBody(String sha256, ByteBuffer[] buffers, long length, Runnable release, long keptAt) {
}
