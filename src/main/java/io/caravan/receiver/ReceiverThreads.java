package io.caravan.receiver;

import io.caravan.unpack.ExtractPolicy;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;

/**
 * The threads a receiver works on besides the requests': bounded pools for archive extraction, for
 * writing large extracted files behind their reading, for building the archives of downloads and for
 * writing listings ({@code GET /mirror}, {@code GET /shares/{name}/listing}) while they are sent, and
 * a single-thread scheduler for hashing published files into the content index. Made by Camel's
 * {@code ExecutorServiceManager} ({@link #of}), they are named and stop with the context; made plain
 * ({@link #plain}, for use without Camel), {@link #close} stops them.
 */
public final class ReceiverThreads implements AutoCloseable {

    /** Extraction threads when nothing else is configured. */
    public static final int DEFAULT_EXTRACT_THREADS = 8;
    /** Archives built for downloads at once when nothing else is configured. */
    public static final int DEFAULT_ARCHIVE_THREADS = 4;
    /** Listings written at once when nothing else is configured. */
    public static final int DEFAULT_LISTING_THREADS = 4;

    private final ExecutorService extraction;
    private final ExecutorService writing;
    private final ExecutorService archives;
    private final ExecutorService listings;
    private final ScheduledExecutorService indexing;
    private final ExtractionPool pool;
    private final boolean owned;

    private ReceiverThreads(ExecutorService extraction, ExecutorService writing, ExecutorService archives,
                            ExecutorService listings, ScheduledExecutorService indexing, boolean owned) {
        this.extraction = extraction;
        this.writing = writing;
        this.archives = archives;
        this.listings = listings;
        this.indexing = indexing;
        this.pool = new ExtractionPool(extraction);
        this.owned = owned;
    }

    /** Pools of {@code context}'s executor service manager: {@code extractThreads} for extraction, {@code archiveThreads} for archives. */
    public static ReceiverThreads of(CamelContext context, int extractThreads, int archiveThreads) {
        return of(context, extractThreads, archiveThreads, DEFAULT_LISTING_THREADS);
    }

    /** As {@link #of(CamelContext, int, int)}, with {@code listingThreads} for listings. */
    public static ReceiverThreads of(CamelContext context, int extractThreads, int archiveThreads, int listingThreads) {
        if (extractThreads < 1 || archiveThreads < 1 || listingThreads < 1) {
            throw new IllegalArgumentException("caravan.receiver.extract-threads, caravan.receiver.archive-threads and"
                    + " caravan.receiver.listing-threads are " + extractThreads + ", " + archiveThreads + " and "
                    + listingThreads + "; each must be at least 1");
        }
        ExecutorServiceManager manager = context.getExecutorServiceManager();
        return new ReceiverThreads(bounded(manager, "caravan-extract", extractThreads),
                bounded(manager, "caravan-write", ExtractPolicy.WRITE_BEHIND_THREADS),
                bounded(manager, "caravan-archive", archiveThreads),
                bounded(manager, "caravan-listing", listingThreads),
                manager.newSingleThreadScheduledExecutor(ReceiverThreads.class, "caravan-dedup-index"), false);
    }

    /**
     * A pool of {@code threads} named {@code name}; work that cannot start yet waits (the pools' users
     * bound how much they give it), and once the context stops, work is refused, not dropped unseen.
     */
    private static ExecutorService bounded(ExecutorServiceManager manager, String name, int threads) {
        ThreadPoolProfile profile = new ThreadPoolProfile(name);
        profile.setPoolSize(threads);
        profile.setMaxPoolSize(threads);
        profile.setMaxQueueSize(Integer.MAX_VALUE); // unbounded (Camel takes 0 or less for a hand-off queue)
        profile.setKeepAliveTime(60L);
        profile.setTimeUnit(TimeUnit.SECONDS);
        profile.setAllowCoreThreadTimeOut(true);
        profile.setRejectedPolicy(ThreadPoolRejectedPolicy.Abort);
        return manager.newThreadPool(ReceiverThreads.class, name, profile);
    }

    /** Plain pools of daemon threads, for a receiver used without Camel; {@link #close} stops them. */
    public static ReceiverThreads plain(int extractThreads) {
        return new ReceiverThreads(plainPool("caravan-extract", extractThreads),
                plainPool("caravan-write", ExtractPolicy.WRITE_BEHIND_THREADS),
                plainPool("caravan-archive", DEFAULT_ARCHIVE_THREADS),
                plainPool("caravan-listing", DEFAULT_LISTING_THREADS),
                Executors.newSingleThreadScheduledExecutor(daemons("caravan-dedup-index")), true);
    }

    private static ExecutorService plainPool(String name, int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemons(name));
        pool.allowCoreThreadTimeOut(true);
        return pool;
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

    /** Where blocks of large extracted files are written while the next is read ({@link ExtractPolicy#withWriteBehind}). */
    public ExecutorService writing() {
        return writing;
    }

    /** Where the archives of downloads ({@code /parcels/zip}, {@code /parcels/tar-zst}) are built. */
    public ExecutorService archives() {
        return archives;
    }

    /** Where listings ({@code GET /mirror}, {@code GET /shares/{name}/listing}) are written while they are sent. */
    public ExecutorService listings() {
        return listings;
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
            writing.shutdownNow();
            archives.shutdownNow();
            listings.shutdownNow();
            indexing.shutdownNow();
        }
    }
}
