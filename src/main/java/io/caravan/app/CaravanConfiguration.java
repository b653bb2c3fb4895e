package io.caravan.app;

import io.caravan.audit.JsonlAuditTrail;
import io.caravan.console.ConsoleApi;
import io.caravan.console.ConsoleAssets;
import io.caravan.console.ConsoleOverview;
import io.caravan.console.RecentAudit;
import io.caravan.console.SenderOverview;
import io.caravan.console.Shares;
import io.caravan.bandwidth.BandwidthSchedule;
import io.caravan.bandwidth.TokenBucket;
import io.caravan.catalog.AnswerMemory;
import io.caravan.catalog.ArchiveWriters;
import io.caravan.catalog.StreamedAnswers;
import io.caravan.catalog.CatalogApi;
import io.caravan.catalog.CatalogService;
import io.caravan.catalog.ChunkCache;
import io.caravan.catalog.DiskParcelCatalog;
import io.caravan.catalog.ParcelCatalog;
import io.caravan.fs.Versions;
import io.caravan.pack.Codecs;
import io.caravan.pack.DecoderMemory;
import io.caravan.pack.PackOptions;
import io.caravan.receiver.AnonymousAccessGuard;
import io.caravan.receiver.AuthFailureLog;
import io.caravan.receiver.BearerToken;
import io.caravan.receiver.ConnectionLimit;
import io.caravan.receiver.ConsumerFailureLog;
import io.caravan.receiver.DescriptorShortage;
import io.caravan.receiver.ErrorAnswers;
import io.caravan.receiver.JsonMemory;
import io.caravan.receiver.Receiver;
import io.caravan.receiver.ReceiverApi;
import io.caravan.receiver.ReceiverAudit;
import io.caravan.receiver.ReceiverBandwidth;
import io.caravan.receiver.ReceiverConfig;
import io.caravan.route.send.ErrorsAsFailures;
import io.caravan.route.send.PollSurvivesErrors;
import io.caravan.session.postgres.PostgresParcelCatalog;
import io.caravan.session.postgres.PostgresSessionStore;
import io.caravan.receiver.ReceiverPipeline;
import io.caravan.receiver.ReceiverProbes;
import io.caravan.receiver.ReceiverStateFolder;
import io.caravan.receiver.ReceiverThreads;
import io.caravan.receiver.RequestLimits;
import io.caravan.receiver.WrongTokenLimit;
import io.caravan.route.send.Outbox;
import io.caravan.route.send.OutboxHistory;
import io.caravan.route.send.SendsInFlight;
import io.caravan.route.send.ParcelSplitter;
import io.caravan.route.receive.PartSetPickup;
import io.caravan.route.send.Shipper;
import io.caravan.sender.ParcelSender;
import io.caravan.sender.ReceiverClient;
import io.caravan.sender.Retry;
import io.caravan.sender.SenderSettings;
import io.caravan.sender.StopSignal;
import io.caravan.session.DiskSessionStore;
import io.caravan.session.Durability;
import io.caravan.session.SessionLimits;
import io.caravan.session.SessionStore;
import io.caravan.share.ShareApi;
import io.caravan.sync.MirrorSync;
import io.caravan.sync.PathFilter;
import io.caravan.sync.SyncConsole;
import io.caravan.sync.SyncGuards;
import io.caravan.sync.SyncMode;
import io.caravan.sync.SyncPass;
import io.caravan.sync.SyncSettings;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.OnConflict;
import io.caravan.util.DataSize;
import io.caravan.util.DirectMemoryBudget;
import io.caravan.util.FileDescriptors;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import io.caravan.download.CatalogClient;
import io.caravan.fs.Versions;
import io.caravan.download.ParcelDownload;
import io.caravan.pull.PullFailures;
import io.caravan.pull.PullPass;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.LoggingLevel;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.routepolicy.quartz.CronScheduledRoutePolicy;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the beans the routes use from {@code caravan.*} properties, only those of the role that
 * {@link RoleSettings} decided: the receiver and its HTTP binding, the outbox, splitter and shipper,
 * the console of a process without a receiver, and the metrics registry.
 */
public final class CaravanConfiguration implements CamelConfiguration {

    /** How much of the audit trail's end the console's windows are seeded with at start. */
    private static final long RECENT_AUDIT_SEED = 4L << 20;

    /**
     * The bound on the receiver's connections: {@code caravan.receiver.max-connections}, by default half of the
     * descriptors this process may open, lowered to what a quarter of the heap holds
     * ({@link ConnectionLimit#forLimitAndHeap}); said in the log at the start, with the reason.
     */
    /**
     * The names a receiver without a token answers to besides IP addresses and localhost: those of
     * {@code caravan.receiver.allowed-hosts}, and the name it is bound to when that is a name.
     */
    private static java.util.Set<String> allowedHosts(Settings settings) {
        java.util.Set<String> names = new java.util.HashSet<>(io.caravan.receiver.BrowserRequests.names(
                settings.text("caravan.receiver.allowed-hosts", "")));
        names.add(settings.text("caravan.receiver.host", "127.0.0.1"));
        return names;
    }

    private static ConnectionLimit connectionLimit(Settings settings) {
        FileDescriptors descriptors = FileDescriptors.now();
        long heap = Runtime.getRuntime().maxMemory();
        int byDescriptors = ConnectionLimit.forLimit(descriptors.max());
        int derived = ConnectionLimit.forLimitAndHeap(descriptors.max(), heap);
        ConnectionLimit limit = new ConnectionLimit(settings.integer("caravan.receiver.max-connections", derived));
        String halfOf = "half of the " + (descriptors.known() ? String.valueOf(descriptors.max()) : "unknown number of")
                + " descriptors this process may open, ulimit -n";
        String reason = derived < byDescriptors
                ? "by default what a quarter of the " + (heap >> 20) + " MiB heap holds at "
                        + (ConnectionLimit.HEAP_PER_CONNECTION >> 10) + " KiB a connection, below " + halfOf
                        + " (" + byDescriptors + ")"
                : "by default " + halfOf;
        LOG.info("receiver: at most {} connections at once (caravan.receiver.max-connections; {}): beyond, the one waiting"
                + " longest for a whole request is closed, or the new one answered 503 busy", limit.max(), reason);
        return limit;
    }

    private static final Logger LOG = LoggerFactory.getLogger(CaravanConfiguration.class);
    private static final long BODY_SLACK = 1L << 20;
    /** Bytes of a listing that may wait between the thread writing it and Netty sending it. */
    private static final int LISTING_BUFFER = 256 * 1024;
    /** How long a stopping service waits for the parcels in flight to end before Camel shuts the routes down. */
    private static final Duration STOP_DRAIN = Duration.ofSeconds(2);
    /** The most a request to a sender's console may carry: a login form. */
    private static final long CONSOLE_MAX_BODY = 64 << 10;
    /** The most connections a sender's console holds at once by default: a few browsers' worth, the descriptors kept for sending. */
    private static final int CONSOLE_MAX_CONNECTIONS = 64;

    @Override
    public void configure(CamelContext context) throws Exception {
        ConfigurationListing.install(context);
        context.getShutdownStrategy().setLoggingLevel(LoggingLevel.DEBUG);
        Settings settings = new Settings(context);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        context.getRegistry().bind("metricsRegistry", registry);
        RoleSettings roles = RoleSettings.read(settings::text);
        if (roles.role().receives()) {
            receiver(context, settings, registry);
            if (roles.pull()) {
                pull(context, settings, settings.text("caravan.pull.from", null));
            }
        }
        if (roles.role().sends()) {
            LongSupplier bytesSent = sender(context, settings, roles);
            if (roles.sync()) {
                mirror(context, settings, Path.of(settings.text("caravan.sync.dir", null)));
            }
            if (roles.ownConsole()) {
                console(context, settings, bytesSent);
            }
        }
    }

    /**
     * The console of a process without a receiver (routes/console.camel.yaml): on caravan.console.host and
     * caravan.console.port, behind caravan.console.token or else the sender's own token, checked by the
     * receiver's gate before any body is read; refused at start without a token on an address other
     * machines reach. It shows the outbox's sends (in flight, sent, failed) and the bytes sent.
     */
    private static void console(CamelContext context, Settings settings, LongSupplier bytesSent) {
        String host = settings.text("caravan.console.host", "127.0.0.1");
        BearerToken token = BearerToken.of(settings.text("caravan.console.token", settings.text("caravan.sender.token", null)));
        AnonymousAccessGuard.checkConsole(host, token,
                Boolean.parseBoolean(settings.text("caravan.console.allow-anonymous", "false")));
        Outbox outbox = context.getRegistry().lookupByNameAndType("outbox", Outbox.class);
        SenderOverview overview = new SenderOverview(SendsInFlight.browse(context), new OutboxHistory(outbox.dir()), bytesSent,
                Clock.systemUTC());
        // no audit trail here: wrong logins are logged, summed up per client address and minute
        AuthFailureLog wrongLogins = new AuthFailureLog("console: a login with a wrong token", Duration.ofMinutes(1),
                Clock.systemUTC());
        context.getExecutorServiceManager().newSingleThreadScheduledExecutor(wrongLogins, "console-login-failures")
                .scheduleWithFixedDelay(wrongLogins::flush, 15, 15, TimeUnit.SECONDS);
        context.getRegistry().bind("consoleApi", new ConsoleApi(token, new ConsoleAssets(), overview,
                exchange -> wrongLogins.failed(exchange.getMessage().getHeader("CamelNettyRemoteAddress", SocketAddress.class)),
                false));
        context.getRegistry().bind("consoleErrors", new ErrorAnswers(outbox.dir(), code -> { }));
        // bounded as the receiver's listener is, by the console's own settings (routes/console.camel.yaml)
        context.getRegistry().bind("consolePipeline", new ReceiverPipeline(token, CONSOLE_MAX_BODY, CONSOLE_MAX_BODY, code -> { })
                .settings("caravan.console")
                .timeouts(settings.duration("caravan.console.stall-timeout", "60s"), settings.duration("caravan.console.idle-timeout", "120s"))
                .headTimeout(settings.duration("caravan.console.head-timeout", "10s"))
                .allowedHosts(java.util.Set.of(host)));
        ConnectionLimit consoleConnections = new ConnectionLimit(settings.integer("caravan.console.max-connections",
                CONSOLE_MAX_CONNECTIONS), "the console", "caravan.console");
        context.getRegistry().bind("consoleConnections", consoleConnections);
        context.getRegistry().bind("consoleChannels", consoleConnections.channels());
        context.getRegistry().bind("consoleFailures", new ConsumerFailureLog());
        LOG.info("console: http://{}:{}/ ({})", host, settings.text("caravan.console.port", "?"),
                token.required() ? "behind the token" : "open to whoever reaches it: no token is set");
    }

    /** Pull mode (routes/pull.camel.yaml): the pullPass bean fetches new parcels of a remote catalog into the inbox. */
    private static void pull(CamelContext context, Settings settings, String from) {
        Path inbox = Path.of(settings.text("caravan.receiver.inbox", "data/inbox")).toAbsolutePath().normalize();
        long maxExpansion = settings.integer("caravan.pull.max-expansion", (int) ParcelDownload.DEFAULT_MAX_EXPANSION);
        if (maxExpansion < 0) {
            throw new IllegalArgumentException("property caravan.pull.max-expansion=" + maxExpansion
                    + " is not valid: it must be 0 or more (0: no limit)");
        }
        PullPass.Settings pull = new PullPass.Settings(new CatalogClient(from, settings.text("caravan.pull.token", null),
                Duration.ofMinutes(5), trust(settings)), settings.text("caravan.pull.prefix", ""), inbox, settings.integer("caravan.pull.parallel", 4),
                settings.size("caravan.receiver.min-free-space", "256MiB"),
                Versions.inDestination(inbox, settings.duration("caravan.receiver.keep-versions", "7d"), Clock.systemUTC()),
                new Retry(6, Duration.ofMillis(500), Duration.ofSeconds(10)), maxExpansion,
                decoderMemory(settings, settings.integer("caravan.receiver.extract-threads", ReceiverThreads.DEFAULT_EXTRACT_THREADS)));
        context.getRegistry().bind("pullPass", new PullPass(pull, Clock.systemUTC()));
        context.getRegistry().bind("pullFailures", new PullFailures(from, Clock.systemUTC()));
        LOG.info("pull: parcels under '{}' of {} into {} at cron '{}'", pull.prefix(), from, inbox,
                settings.text("caravan.pull.cron", "?"));
    }

    /** With caravan.sender.cron, the outbox is picked up only between that cron and caravan.sender.cron-stop. */
    private static void sendingWindow(CamelContext context, Settings settings) {
        String open = settings.text("caravan.sender.cron", null);
        if (open == null) {
            return;
        }
        String close = settings.text("caravan.sender.cron-stop", null);
        if (close == null) {
            throw new IllegalArgumentException("caravan.sender.cron is set but caravan.sender.cron-stop is empty:"
                    + " give the cron at which the sending window closes");
        }
        CronScheduledRoutePolicy window = new CronScheduledRoutePolicy();
        window.setRouteStartTime(open);
        window.setRouteStopTime(close);
        context.addRoutePolicyFactory((camel, routeId, route) -> "outbox-pickup".equals(routeId) ? window : null);
        context.getPropertiesComponent().addOverrideProperty("caravan.sender.outbox-autostart", "false");
        LOG.info("sender: sending window opens at cron '{}' and closes at '{}'", open, close);
    }

    private static void mirror(CamelContext context, Settings settings, Path dir) throws Exception {
        Path root = dir.toAbsolutePath().normalize();
        SyncSettings sync = new SyncSettings(root, settings.text("caravan.sender.url", "http://127.0.0.1:8834"),
                settings.text("caravan.sender.token", null), settings.text("caravan.sync.name", root.getFileName().toString()),
                SyncMode.parse(settings.text("caravan.sync.mode", "incremental")),
                Boolean.parseBoolean(settings.text("caravan.sync.checksum", "false")),
                settings.integer("caravan.sync.workers", 5), Path.of(settings.text("caravan.sender.state-dir", "data/.sender")),
                Duration.ofMillis(400), Duration.ofMillis(settings.integer("caravan.sync.period", 5000)))
                .with(syncRules(settings), new SyncGuards(settings.integer("caravan.sync.max-delete", -1),
                        Boolean.parseBoolean(settings.text("caravan.sync.allow-empty-source", "false")), SyncGuards.Advice.PROPERTIES),
                        false).withTrust(trust(settings));
        // the parcels of a pass, caravan.sync.workers at once, on a pool that is named CaravanSync and stops with the context
        ExecutorService workers = context.getExecutorServiceManager().newFixedThreadPool(context, "CaravanSync", sync.workers());
        context.getRegistry().bind("syncPool", workers);
        MirrorSync mirrorSync = new MirrorSync(sync, new SyncConsole(System.out), workers);
        mirrorSync.limit(senderBandwidth(context, settings));
        context.getRegistry().bind("syncPass", new SyncPass(mirrorSync));
        LOG.info("mirror: {} -> {} as '{}' every {} ms", root, sync.url(), sync.name(), settings.text("caravan.sync.period", "?"));
    }

    /** caravan.receiver.bwlimit: one shaper for all the receiver's connections; null without a limit. */
    private static ReceiverBandwidth receiverBandwidth(CamelContext context, Settings settings) throws Exception {
        BandwidthSchedule schedule = BandwidthSchedule.parse(settings.text("caravan.receiver.bwlimit", null));
        if (!schedule.limited()) {
            return null;
        }
        ReceiverBandwidth bandwidth = new ReceiverBandwidth(schedule);
        context.addService(bandwidth, true, false);
        return bandwidth;
    }

    /** caravan.sender.bwlimit: one bucket for everything this process sends (outbox and mirror alike). */
    private static TokenBucket senderBandwidth(CamelContext context, Settings settings) {
        TokenBucket bucket = context.getRegistry().lookupByNameAndType("senderBandwidth", TokenBucket.class);
        if (bucket == null) {
            bucket = TokenBucket.of(BandwidthSchedule.parse(settings.text("caravan.sender.bwlimit", null)));
            context.getRegistry().bind("senderBandwidth", bucket);
        }
        return bucket;
    }

    /** caravan.sync.include patterns, then caravan.sync.exclude patterns (comma-separated; the first match wins). */
    private static List<PathFilter.Rule> syncRules(Settings settings) {
        List<PathFilter.Rule> rules = new ArrayList<>();
        for (String key : List.of("caravan.sync.include", "caravan.sync.exclude")) {
            for (String pattern : settings.text(key, "").split(",")) {
                if (!pattern.isBlank()) {
                    rules.add(new PathFilter.Rule(key.endsWith("include"), pattern.strip()));
                }
            }
        }
        return rules;
    }

    /**
     * What one extraction's decoder may hold for its stream's dictionary or window
     * ({@code caravan.receiver.decoder-memory}): by default half the heap shared by the extraction threads, each
     * holding one decoder at most, and never less than {@link DecoderMemory#FLOOR}, what Caravan's own streams need.
     * A value given whose decoders (the extraction threads', the pull's and the part-set pickup's) could hold more than three
     * quarters of the heap at once is refused: xz dictionaries are on the heap, and running out of it ends the receiver;
     * when the floor itself is that much (a small heap, many threads), that is said in a warning.
     */
    static DecoderMemory decoderMemory(Settings settings, int extractThreads) {
        String key = "caravan.receiver.decoder-memory";
        long bytes = settings.size(key, String.valueOf(DecoderMemory.ofHeap(extractThreads).bytes()));
        if (bytes < DecoderMemory.FLOOR) {
            throw new IllegalArgumentException("property " + key + "=" + settings.text(key, "") + " is not valid: it must be at least "
                    + (DecoderMemory.FLOOR >> 20) + "MiB, what an xz -6 or zstd -19 stream needs to be decoded");
        }
        long heap = Runtime.getRuntime().maxMemory();
        int decoders = extractThreads + 2; // and the pull's, and the part-set pickup's
        if (bytes > heap * 3 / 4 / decoders && settings.text(key, null) == null) {
            LOG.warn("{}: the decoders of {} extractions (caravan.receiver.extract-threads), the pull and the part-set pickup"
                    + " could hold {} MiB at once, the least each is given, more than three quarters of the heap of {} MiB: give"
                    + " the receiver a larger heap or fewer extract threads", key, extractThreads, bytes * decoders >> 20, heap >> 20);
        } else if (bytes > heap * 3 / 4 / decoders) {
            throw new IllegalArgumentException("property " + key + "=" + settings.text(key, "") + " is not valid: the decoders"
                    + " of " + extractThreads + " extractions (caravan.receiver.extract-threads), the pull and the part-set pickup"
                    + " could hold " + (bytes * decoders >> 20) + " MiB at once, more than three quarters of the heap of "
                    + (heap >> 20) + " MiB: give at most " + (heap * 3 / 4 / decoders >> 20) + "MiB, fewer extract threads, or a"
                    + " larger heap (JAVA_OPTS=-Xmx" + ((bytes * decoders * 4 / 3 >> 20) + 1) + "m)");
        }
        return new DecoderMemory(bytes, key);
    }

    /**
     * The read-ahead ({@code caravan.receiver.read-ahead}): bodies kept for an extraction wait for the chunk
     * before them, whose upload needs room in the same direct-memory budget. So the kept bodies may hold at
     * most what the budget leaves beside one largest upload body, or they could keep out the very chunk that
     * would let them go; a larger setting is lowered to that, with a warning.
     */
    static long readAhead(Settings settings, DirectMemoryBudget directMemory, long maxUpload) {
        long configured = settings.size("caravan.receiver.read-ahead", "16MiB");
        long room = Math.max(0, directMemory.limit() - maxUpload);
        if (configured > room) {
            LOG.warn("caravan.receiver.read-ahead lowered from {} to {} bytes: kept chunk bodies share {} with uploads,"
                    + " and the largest upload body ({} bytes) must always fit beside them", configured, room,
                    directMemory.named(), maxUpload);
            return room;
        }
        return configured;
    }

    private static void receiver(CamelContext context, Settings settings, PrometheusMeterRegistry registry) throws Exception {
        BearerToken token = BearerToken.of(settings.text("caravan.receiver.token", null),
                settings.integer("caravan.receiver.wrong-token-burst", WrongTokenLimit.BURST));
        AnonymousAccessGuard.check(settings.text("caravan.receiver.host", "127.0.0.1"), token,
                Boolean.parseBoolean(settings.text("caravan.receiver.allow-anonymous", "false")));
        long maxChunk = settings.size("caravan.receiver.max-chunk-size", "32MiB");
        long maxSessionBytes = settings.size("caravan.receiver.max-session-bytes", "1TiB");
        int maxChunks = settings.integer("caravan.receiver.max-chunks-per-session",
                (int) Math.min(Integer.MAX_VALUE, SessionLimits.defaultMaxChunks(maxSessionBytes, Runtime.getRuntime().maxMemory())));
        if (maxChunks < 1) {
            throw new IllegalArgumentException("property caravan.receiver.max-chunks-per-session=" + maxChunks
                    + " is not valid: a session holds at least one chunk");
        }
        int maxListed = settings.integer("caravan.receiver.max-listed-chunks",
                (int) Math.min(Integer.MAX_VALUE, SessionLimits.defaultMaxListedChunks(Runtime.getRuntime().maxMemory())));
        if (maxListed < 1) {
            throw new IllegalArgumentException("property caravan.receiver.max-listed-chunks=" + maxListed
                    + " is not valid: open sessions list at least one chunk");
        }
        long maxUpload = maxChunk + BODY_SLACK;
        // what upload bodies and answers may hold at once, however slowly their clients send or read: beyond it 503 busy
        DirectMemoryBudget directMemory = new DirectMemoryBudget(DirectMemoryBudget.SETTING, settings.size(
                DirectMemoryBudget.SETTING, String.valueOf(Math.max(DirectMemoryBudget.defaultLimit(), maxUpload))));
        SessionLimits limits = new SessionLimits(maxChunk,
                settings.integer("caravan.receiver.max-sessions", 256),
                maxSessionBytes,
                settings.size("caravan.receiver.min-free-space", "256MiB"),
                Boolean.parseBoolean(settings.text("caravan.receiver.direct-io", "true")),
                readAhead(settings, directMemory, maxUpload), maxChunks, maxListed);
        int archiveThreads = settings.integer("caravan.receiver.archive-threads", ReceiverThreads.DEFAULT_ARCHIVE_THREADS);
        int listingThreads = settings.integer("caravan.receiver.listing-threads", ReceiverThreads.DEFAULT_LISTING_THREADS);
        int extractThreads = settings.integer("caravan.receiver.extract-threads", ReceiverThreads.DEFAULT_EXTRACT_THREADS);
        ReceiverThreads threads = ReceiverThreads.of(context, extractThreads, archiveThreads, listingThreads);
        DecoderMemory decoderMemory = decoderMemory(settings, extractThreads);
        ReceiverConfig config = new ReceiverConfig(
                Path.of(settings.text("caravan.receiver.inbox", "data/inbox")).toAbsolutePath().normalize(),
                settings.duration("caravan.receiver.session-ttl", "3d"),
                limits,
                settings.size("caravan.receiver.dedup-min-size", "1MiB"),
                OnConflict.parse(settings.text("caravan.receiver.on-conflict", "replace")),
                ExtractPolicy.DEFAULT.withLimits(settings.integer("caravan.receiver.max-entries", 10_000_000),
                        settings.size("caravan.receiver.max-parcel-bytes", "1TiB")).withDirectIo(limits.directIo())
                        .withExternalSymlinks(!Boolean.parseBoolean(settings.text("caravan.receiver.safe-links", "false")))
                        .withMaxExpansion(settings.integer("caravan.receiver.max-expansion", 1000), ExtractPolicy.DEFAULT_EXPANSION_GRACE)
                        .withMinFreeBytes(limits.minFreeBytes()).withWriteBehind(threads.writing())
                        .withDecoderMemory(decoderMemory),
                settings.duration("caravan.receiver.keep-versions", "7d"),
                Durability.parse(settings.text("caravan.receiver.durability", "publish")));
        config = ReceiverStores.node(settings, config);
        // first, before the session store or anything else creates or deletes a thing in the state folder
        ReceiverStateFolder.check(config);
        SessionStore sessionStore = ReceiverStores.open(settings, config, Clock.systemUTC());
        Receiver receiver = new Receiver(config, registry, Clock.systemUTC(), threads, sessionStore,
                ReceiverStores.contentIndex(sessionStore, config));
        DescriptorShortage.checkAtStart(limits.maxOpenSessions(), sessionStore instanceof DiskSessionStore disk
                ? disk.mostIdleFolderDescriptors() : 0, FileDescriptors.now());
        ReceiverStores.clusterQuartz(context, settings);
        context.getRegistry().bind("receiver", receiver);
        // stopped with the context (after its routes): ends the extraction and indexing and closes the store
        context.addService(receiver, true, false);
        context.getRegistry().bind("sessions", receiver.sessions());
        context.getRegistry().bind("publishing", receiver.publishing());
        JsonlAuditTrail trail = new JsonlAuditTrail(config.stateDir(),
                settings.size("caravan.receiver.audit.max-size", "64MiB"), settings.size("caravan.receiver.audit.max-total", "256MiB"),
                settings.duration("caravan.receiver.audit.keep", "30d"),
                settings.size("caravan.receiver.min-free-space", "256MiB"), Clock.systemUTC());
        FunctionCounter.builder("caravan.audit.dropped", trail, JsonlAuditTrail::dropped)
                .description("audit lines not written: the disk was at caravan.receiver.min-free-space").register(registry);
        // the console's windows: the trail's last few MiB at start, then each event as it is recorded
        RecentAudit recentAudit = new RecentAudit(ConsoleOverview.ROWS);
        trail.onRecord(recentAudit, RECENT_AUDIT_SEED);
        Duration authFailureInterval = settings.duration("caravan.receiver.audit.auth-failure-interval", "1m");
        ReceiverAudit audit = new ReceiverAudit(trail, token, authFailureInterval, Clock.systemUTC());
        // the failures still counted are written, then the trail (which holds its file open between lines) is
        // closed with the context, so the inbox's disk can be let go
        closedWith(context, () -> {
            audit.close();
            trail.close();
        });
        context.getRegistry().bind("receiverAudit", audit);
        // the sums of authentication failures are written when their interval ends, not at the next failure
        ScheduledExecutorService auditTimer = context.getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(audit, "audit-auth-failures");
        long every = Math.max(100, authFailureInterval.toMillis() / 4);
        auditTimer.scheduleWithFixedDelay(audit::flush, every, every, TimeUnit.MILLISECONDS);
        Gauge.builder("caravan.direct.memory.held", directMemory, DirectMemoryBudget::held).baseUnit("bytes")
                .description("direct memory reserved by upload bodies and answers").register(registry);
        context.getRegistry().bind(DirectMemoryBudget.BEAN, directMemory);
        // of it, what answers sent piece by piece may hold at once, read or not: beyond it a new one is 503 busy
        context.getRegistry().bind(AnswerMemory.BEAN, new AnswerMemory(
                settings.size("caravan.receiver.answer-memory", AnswerMemory.DEFAULT), directMemory));
        // what the JSON requests being worked on (bodies, their parsed form, their answers) may hold of the heap: beyond it 503 busy
        JsonMemory jsonMemory = new JsonMemory(settings.size(JsonMemory.SETTING, String.valueOf(JsonMemory.defaultLimit())));
        Gauge.builder("caravan.json.memory.held", jsonMemory, JsonMemory::held).baseUnit("bytes")
                .description("heap reserved by the JSON requests being worked on").register(registry);
        context.getRegistry().bind(JsonMemory.BEAN, jsonMemory);
        ErrorAnswers errorAnswers = new ErrorAnswers(config.inbox(), receiver::rejected, audit)
                .removedFolder(receiver.store()::removedFolder);
        context.getRegistry().bind("errorAnswers", errorAnswers);
        long maxJson = settings.size("caravan.receiver.max-json-body", "32MiB");
        RequestLimits requestLimits = new RequestLimits(maxJson, settings.integer("caravan.receiver.max-mirror-changes", 10_000));
        // listings are written while they are sent: a bounded buffer each, at most listing-threads at once
        StreamedAnswers listings = new StreamedAnswers(new ArchiveWriters(threads.listings(), listingThreads,
                "writes " + listingThreads + " listing" + (listingThreads == 1 ? "" : "s"), "caravan.receiver.listing-threads"),
                LISTING_BUFFER);
        context.getRegistry().bind("receiverApi", new ReceiverApi(receiver, token, requestLimits, listings));
        ReceiverProbes probes = new ReceiverProbes(config.stateDir(), registry, token,
                receiver.store() instanceof PostgresSessionStore shared ? shared::databaseReachable : null)
                .removedFolder(receiver.store()::removedFolder);
        context.getRegistry().bind("receiverProbes", probes);
        catalog(context, receiver, settings, token, new ArchiveWriters(threads.archives(), archiveThreads));
        io.caravan.share.Shares served = shares(context, receiver, settings, token, listings);
        if (!served.all().isEmpty()) {
            probes.shares(served::failing);
        }
        context.getRegistry().bind("receiverPipeline", new ReceiverPipeline(token, maxJson, maxUpload, receiver::rejected, audit,
                receiverBandwidth(context, settings)).timeouts(settings.duration("caravan.receiver.stall-timeout", "60s"),
                settings.duration("caravan.receiver.idle-timeout", "120s"))
                .minBodyRate(settings.size("caravan.receiver.min-body-rate", "1KiB"))
                .busyBodyTime(settings.duration("caravan.receiver.busy-body-time", "60s"))
                .answerStall(settings.duration("caravan.catalog.stall-timeout", "5m"))
                .addressShare(settings.integer("caravan.receiver.address-share", ReceiverPipeline.DEFAULT_ADDRESS_SHARE))
                .directMemory(directMemory)
                .sendBuffer(settings.size("caravan.receiver.send-buffer", "256KiB"))
                .jsonMemory(jsonMemory)
                .headTimeout(settings.duration("caravan.receiver.head-timeout", "10s"))
                .allowedHosts(allowedHosts(settings)));
        // the HTTP server's channel group: counts every connection as it is accepted (routes/receiver.camel.yaml)
        ConnectionLimit connections = connectionLimit(settings);
        context.getRegistry().bind("receiverConnections", connections);
        context.getRegistry().bind("receiverChannels", connections.channels());
        context.getRegistry().bind("receiverFailures", new ConsumerFailureLog());
        PartSetPickup pickup = new PartSetPickup();
        pickup.setInbox(config.inbox().toString());
        pickup.setOnConflict(config.onConflict().name());
        pickup.setPolicy(config.policy());
        pickup.setKeepVersions(config.keepVersions().toSeconds() + "s");
        context.getRegistry().bind("partSetPickup", pickup);
        String keystore = settings.text("caravan.receiver.tls-keystore", null);
        context.getRegistry().bind("consoleApi", new ConsoleApi(token, new ConsoleAssets(),
                new ConsoleOverview(receiver, recentAudit, () -> served.followersByShare().entrySet().stream()
                        .map(e -> new Shares.Share(e.getKey(), e.getValue())).toList(), Clock.systemUTC()), audit::loginRefused,
                keystore != null));
        if (keystore != null) {
            Tls.serve(context, Path.of(keystore), settings.text("caravan.receiver.tls-password", ""));
        }
        context.getPropertiesComponent().addOverrideProperty("caravan.receiver.http-max-body",
                String.valueOf(ReceiverPipeline.aggregatorLimit(maxJson, maxUpload)));
        LOG.info("receiver: {}://{}:{}/ publishing into {}; sessions live {}; cleanup cron '{}'; chunks up to {} bytes",
                keystore == null ? "http" : "https", settings.text("caravan.receiver.host", "?"),
                settings.text("caravan.receiver.port", "?"), config.inbox(),
                config.sessionTtl(), settings.text("caravan.receiver.cleanup-cron", "?"), maxChunk);
    }

    /** The read side: publishes are recorded in the catalog, whose verbs (catalogApi) serve parcels, chunks and files. */
    private static void catalog(CamelContext context, Receiver receiver, Settings settings, BearerToken token,
                                ArchiveWriters archiveWriters) throws Exception {
        Path stateDir = receiver.config().stateDir().resolve("catalog");
        // with the PostgreSQL store the catalog is the receivers' shared one, in the same database
        ParcelCatalog catalog = receiver.store() instanceof PostgresSessionStore shared
                ? new PostgresParcelCatalog(shared.database(), Clock.systemUTC())
                : new DiskParcelCatalog(stateDir, Clock.systemUTC());
        receiver.catalog(catalog);
        ChunkCache cache = new ChunkCache(stateDir.resolve("cache"), settings.size("caravan.catalog.cache-size", "4GiB"),
                receiver.config().limits().minFreeBytes());
        closedWith(context, cache);
        CatalogService service = new CatalogService(receiver.config().inbox(), catalog, cache,
                settings.size("caravan.catalog.chunk-size", "8MiB"));
        context.getRegistry().bind("catalogApi", new CatalogApi(service, token, archiveWriters));
    }

    /** Closes {@code held} (a file or folder held open) when the context stops, so that the inbox's disk can be let go. */
    private static void closedWith(CamelContext context, AutoCloseable held) throws Exception {
        context.addService(new org.apache.camel.support.service.ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
                held.close();
            }
        });
    }

    /** Shared folders (caravan.shares.<name>=<dir>): watched, their change logs and trees served to followers (shareApi). */
    private static io.caravan.share.Shares shares(CamelContext context, Receiver receiver, Settings settings, BearerToken token,
                                                  StreamedAnswers listings) throws Exception {
        java.util.Map<String, Path> folders = new java.util.TreeMap<>();
        String prefix = "caravan.shares.";
        java.util.Properties found = new java.util.Properties();
        found.putAll(context.getPropertiesComponent().loadProperties(key -> key.startsWith(prefix)));
        if (context.getPropertiesComponent() instanceof org.apache.camel.component.properties.PropertiesComponent pc
                && pc.getOverrideProperties() != null) {
            // flags (serve --share) and the overrides of an embedding program are not among the loaded locations
            pc.getOverrideProperties().forEach((key, value) -> {
                if (String.valueOf(key).startsWith(prefix)) {
                    found.put(key, value);
                }
            });
        }
        found.forEach((key, value) -> {
            String dir = String.valueOf(value).trim();
            if (!dir.isEmpty()) {
                folders.put(String.valueOf(key).substring(prefix.length()), Path.of(dir).toAbsolutePath().normalize());
            }
        });
        io.caravan.share.Shares shares = new io.caravan.share.Shares(folders, receiver.config().stateDir(),
                settings.integer("caravan.share.keep", 10_000), settings.duration("caravan.share.settle", "300ms"),
                settings.duration("caravan.share.rescan", "60s"), new SyncConsole(System.out))
                .bounded(settings.integer("caravan.share.max-waiting", io.caravan.share.Shares.MAX_WAITING),
                        settings.integer("caravan.share.max-followers", io.caravan.share.Shares.MAX_FOLLOWERS));
        // parked polls are exchanges in flight: answered as soon as the context begins to stop, so it need not wait for them
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                shares.release();
            }
        });
        context.getRegistry().bind("shareApi", new ShareApi(shares, token, listings));
        context.getRegistry().bind("shareEvents", new ShareApi(shares, token, listings).events());
        context.addService(new org.apache.camel.support.service.ServiceSupport() {
            @Override
            protected void doStart() throws Exception {
                shares.start(io.caravan.share.Shares.addresses(settings.text("caravan.receiver.tls-keystore", null) == null ? "http" : "https",
                        settings.text("caravan.receiver.host", "127.0.0.1"), settings.integer("caravan.receiver.port", 8834)));
            }

            @Override
            protected void doStop() throws Exception {
                shares.close();
            }
        }, true, false);
        return shares;
    }

    /**
     * A stop signal raised as soon as the context begins to stop, before its routes: shipping ends at
     * once and the parcels in flight stay in the outbox, resumable (see {@link Outbox#failed}). The
     * exchanges they were in end within moments; waiting for that here spares the shutdown its
     * one-second polling of exchanges still in flight.
     */
    private static StopSignal stopWhenContextStops(CamelContext context) {
        StopSignal stop = new StopSignal();
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent;
            }

            @Override
            public void notify(CamelEvent event) throws InterruptedException {
                stop.raise();
                long deadline = System.nanoTime() + STOP_DRAIN.toNanos();
                while (context.getInflightRepository().size() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            }
        });
        return stop;
    }

    /** The SSL context of caravan.sender.tls-truststore for this process's HTTPS clients; null without one. */
    private static javax.net.ssl.SSLContext trust(Settings settings) {
        return Tls.trust(settings.text("caravan.sender.tls-truststore", null), settings.text("caravan.sender.tls-truststore-password", ""));
    }

    /** The sender's beans; returns what counts the bytes it sends (none over the file transport). */
    private static LongSupplier sender(CamelContext context, Settings settings, RoleSettings roles) throws Exception {
        String codec = settings.text("caravan.sender.codec", "zstd");
        String chunkSize = settings.text("caravan.sender.chunk-size", "8MiB");
        String level = settings.text("caravan.sender.level", null);
        ParcelSplitter splitter = new ParcelSplitter();
        splitter.setCodec(codec);
        splitter.setChunkSize(chunkSize);
        splitter.setLevel(level == null ? null : Integer.valueOf(level));
        context.getRegistry().bind("parcelSplitter", splitter);

        Outbox outbox = new Outbox();
        outbox.setDir(settings.text("caravan.sender.outbox", "data/outbox"));
        outbox.setQuietPeriod(settings.text("caravan.sender.folder-quiet-period", "10s"));
        outbox.setKeepVersions(settings.text("caravan.sender.keep-versions", "7d"));
        context.getRegistry().bind("outbox", outbox);
        context.getRegistry().bind("outboxPoll", new PollSurvivesErrors());
        context.getCamelContextExtension().addInterceptStrategy(new ErrorsAsFailures(
                java.util.Set.of("outbox-pickup", "ship-http", "ship-file")));

        int parallel = settings.integer("caravan.sender.parallel", 4);
        PackOptions pack = new PackOptions(Codecs.byName(codec), Codecs.level(Codecs.byName(codec),
                level == null ? null : Integer.valueOf(level)), DataSize.parse(chunkSize), "parcel");
        ReceiverClient client = roles.transport().equals("http") ? httpShipping(context, settings, pack, parallel) : null;
        String target = client != null ? client.url() : settings.text("caravan.sender.parts-dir", "?");
        sendingWindow(context, settings);
        LOG.info("sender: outbox {} -> {} ({} level {}, {} chunks, {} in flight)", settings.text("caravan.sender.outbox", "?"),
                target, codec, pack.level(), chunkSize, parallel);
        return client != null ? client::bytesSent : () -> 0;
    }

    /**
     * The HTTP transport's beans (ship-http.camel.yaml): the shipper over the sender's engine, and
     * shipPool, made by Camel's ExecutorServiceManager (named CaravanShip, stopped with the context).
     * Returns the client that talks to the receiver.
     */
    private static ReceiverClient httpShipping(CamelContext context, Settings settings, PackOptions pack, int parallel) throws Exception {
        SenderSettings sender = new SenderSettings(settings.text("caravan.sender.url", "http://127.0.0.1:8834"),
                settings.text("caravan.sender.token", null), pack,
                parallel, settings.size("caravan.sender.dedup-min-size", "1MiB"),
                Path.of(settings.text("caravan.sender.state-dir", "data/.sender")),
                Retry.service(settings.integer("caravan.sender.retries", 6), settings.integer("caravan.sender.receiver-wait-attempts", 40))
                        .stoppedBy(stopWhenContextStops(context)), trust(settings));
        sender.requireHeap(Runtime.getRuntime().maxMemory());
        // parallel - 1 pool threads plus the splitter's own thread (caller runs) = parallel chunks in flight
        ThreadPoolProfile profile = new ThreadPoolProfileBuilder("CaravanShip").poolSize(Math.max(1, parallel - 1))
                .maxPoolSize(Math.max(1, parallel - 1)).keepAliveTime(60L, TimeUnit.SECONDS).maxQueueSize(0)
                .rejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns).build();
        ExecutorService shipPool = context.getExecutorServiceManager().newThreadPool(context, "CaravanShip", profile);
        context.getRegistry().bind("shipPool", shipPool);
        ParcelSender parcelSender = new ParcelSender(sender, shipPool);
        parcelSender.client().limit(senderBandwidth(context, settings));
        context.getRegistry().bind("shipper", new Shipper(parcelSender));
        return parcelSender.client();
    }
}
