package io.caravan.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;

/**
 * An archive written by its own thread and read as a stream: at most {@code bufferSize} bytes wait
 * between the writer and the reader, whatever the archive's size. A writer failure makes the reader
 * fail (never a short archive that looks complete), and a reader that closes early (the client went
 * away) makes the writer fail, which ends its thread and releases what it held.
 */
public final class ArchivePipe {

    /** Writes the whole archive to {@code out}; {@code out} is closed afterwards by the pipe. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private ArchivePipe() {
    }

    /** Starts {@code writer} on a daemon thread named {@code threadName}; the returned stream reads what it writes. */
    public static InputStream start(String threadName, int bufferSize, Writer writer, AutoCloseable resource) throws IOException {
        Reader reader = new Reader(bufferSize);
        PipedOutputStream out = new PipedOutputStream(reader);
        Thread thread = new Thread(() -> {
            try {
                writer.write(out);
            } catch (Throwable t) {
                reader.failure = t; // before the close below, so the reader sees it rather than a clean end
            } finally {
                closeQuietly(out);
                closeQuietly(resource);
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        return reader;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception ignored) {
            // the archive is written or has failed already; nothing more to report
        }
    }

    private static final class Reader extends PipedInputStream {
        private volatile Throwable failure;

        Reader(int size) {
            super(size);
        }

        @Override
        public synchronized int read() throws IOException {
            int b = super.read();
            return b < 0 ? end() : b;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            return n < 0 ? end() : n;
        }

        private int end() throws IOException {
            if (failure != null) {
                throw new IOException("the archive could not be completed: " + failure.getMessage(), failure);
            }
            return -1;
        }
    }
}
