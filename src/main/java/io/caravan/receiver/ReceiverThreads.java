package io.caravan.receiver;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;

/**
 * The threads a receiver works on besides the requests': a bounded pool for archive extraction and a
 * single-thread scheduler for hashing published files into the content index. Made by Camel's
 * {@code ExecutorServiceManager} ({@link #of}), they are named and stop with the context; made plain
 * ({@link #plain}, for use without Camel), {@link #close} stops them.
 */
public final class ReceiverThreads implements AutoCloseable {

    /** Extraction threads when nothing else is configured. */
    public static final int DEFAULT_EXTRACT_THREADS = 8;

    private final ExecutorService extraction;
    private final ScheduledExecutorService indexing;
    private final ExtractionPool pool;
    private final boolean owned;

    private ReceiverThreads(ExecutorService extraction, ScheduledExecutorService indexing, boolean owned) {
        this.extraction = extraction;
        this.indexing = indexing;
        this.pool = new ExtractionPool(extraction);
        this.owned = owned;
    }

    /** Pools of {@code context}'s executor service manager: {@code extractThreads} for extraction. */
    public static ReceiverThreads of(CamelContext context, int extractThreads) {
        ThreadPoolProfile profile = new ThreadPoolProfile("caravan-extract");
        profile.setPoolSize(extractThreads);
        profile.setMaxPoolSize(extractThreads);
        // unbounded (Camel takes 0 or less for a hand-off queue): an extraction that cannot start yet waits
        profile.setMaxQueueSize(Integer.MAX_VALUE);
        profile.setKeepAliveTime(60L);
        profile.setTimeUnit(TimeUnit.SECONDS);
        profile.setAllowCoreThreadTimeOut(true);
        profile.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort); // once stopped: refused, not dropped unseen
        var manager = context.getExecutorServiceManager();
        return new ReceiverThreads(manager.newThreadPool(ReceiverThreads.class, "caravan-extract", profile),
                manager.newSingleThreadScheduledExecutor(ReceiverThreads.class, "caravan-dedup-index"), false);
    }

    /** Plain pools of daemon threads, for a receiver used without Camel; {@link #close} stops them. */
    public static ReceiverThreads plain(int extractThreads) {
        ThreadPoolExecutor extraction = new ThreadPoolExecutor(extractThreads, extractThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemons("caravan-extract"));
        extraction.allowCoreThreadTimeOut(true);
        return new ReceiverThreads(extraction, Executors.newSingleThreadScheduledExecutor(daemons("caravan-dedup-index")),
                true);
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread thread = new Thread(r, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The extraction pool, shared by every session of the receiver. */
    ExtractionPool extraction() {
        return pool;
    }

    /** Where queued published files are hashed, one at a time. */
    public ScheduledExecutorService indexing() {
        return indexing;
    }

    /** Stops plain pools; pools of a Camel context stop with it. */
    @Override
    public void close() {
        if (owned) {
            extraction.shutdownNow();
            indexing.shutdownNow();
        }
    }
}
