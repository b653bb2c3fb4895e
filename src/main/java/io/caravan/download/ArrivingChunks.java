package io.caravan.download;

import io.caravan.CaravanException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.List;

/**
 * The chunk files of one manifest in index order, as the extraction reads them while they are still
 * being fetched: {@link #get} waits until chunk {@code i} is on disk, and fails at once when a fetch
 * failed (the extraction stops instead of waiting for a chunk that will not come).
 */
final class ArrivingChunks extends AbstractList<Path> {

    private final List<Path> files;
    private final boolean[] ready;
    private RuntimeException failure;

    ArrivingChunks(List<Path> files) {
        this.files = files;
        this.ready = new boolean[files.size()];
    }

    synchronized void arrived(int index) {
        ready[index] = true;
        notifyAll();
    }

    synchronized void failed(RuntimeException e) {
        if (failure == null) {
            failure = e;
        }
        notifyAll();
    }

    synchronized RuntimeException failure() {
        return failure;
    }

    @Override
    public synchronized Path get(int index) {
        while (!ready[index]) {
            if (failure != null) {
                throw new CaravanException("chunk " + index + " will not arrive: " + failure.getMessage(), failure);
            }
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new InterruptedIOException("interrupted while waiting for chunk " + index));
            }
        }
        return files.get(index);
    }

    @Override
    public int size() {
        return files.size();
    }
}
