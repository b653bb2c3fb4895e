package io.caravan.route.send;

import io.caravan.CaravanHeaders;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.Versions;
import io.caravan.sender.ShipException;
import io.caravan.sender.TransferStoppedException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drop folder's rules: a top-level file is a parcel once camel-file's read lock says it stopped
 * changing; a top-level folder {@code X} is a parcel once {@code X.ready} appears, which this bean
 * also writes for folders that have been quiet long enough. Folder parcels are moved to
 * {@code .sent/} here (camel-file moves the files and markers itself). A parcel that may still go
 * through stays in the outbox, to be resumed; only a final failure moves it (and a folder's marker)
 * to {@code .failed/}, with a {@code <name>.error.txt} note beside it. A parcel of the same name
 * already there is never overwritten: it is kept as a version in {@code <outbox>/.caravan/versions}
 * for {@code keepVersions} (7 days).
 */
public final class Outbox {

    public static final String READY_SUFFIX = ".ready";
    /** Where parcels go once sent, and once failed for good. */
    static final String SENT = ".sent";
    static final String FAILED = ".failed";
    /** The note beside a failed parcel ({@code <name>.error.txt}) and its lines that {@link OutboxHistory} reads back. */
    static final String ERROR_SUFFIX = ".error.txt";
    static final String FAILED_AT = "failed at: ";
    static final String REASON = "reason: ";
    /** Exchange property: the file camel-file picked up (the parcel itself, or a folder parcel's marker). */
    private static final String PICKED_UP = "CaravanPickedUp";
    /** Exchange property shared by a parcel's chunk exchanges: whether a failure was already dealt with. */
    private static final String DECIDED = "CaravanFailureDecided";
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private Path dir;
    private Duration quietPeriod = Duration.ofSeconds(10);
    private Duration keepVersions = Duration.ofDays(7);

    public void setDir(String dir) {
        this.dir = Path.of(dir).toAbsolutePath().normalize();
    }

    /** The outbox folder (absolute). */
    public Path dir() {
        return dir;
    }

    /** How long an earlier parcel of the same name in {@code .sent/} or {@code .failed/} is kept ({@code 0}: deleted). */
    public void setKeepVersions(String keepVersions) {
        this.keepVersions = io.caravan.util.Durations.parse(keepVersions);
    }

    public void setQuietPeriod(String quietPeriod) {
        this.quietPeriod = io.caravan.util.Durations.parse(quietPeriod);
    }

    /** Turns a {@code X.ready} marker into the folder parcel {@code X}; names the parcel in {@code CaravanParcel}. */
    public void resolve(Exchange exchange) {
        File file = exchange.getMessage().getBody(File.class);
        Path parcel = file.toPath();
        exchange.setProperty(PICKED_UP, parcel);
        exchange.setProperty(DECIDED, new AtomicBoolean());
        String name = parcel.getFileName().toString();
        if (name.endsWith(READY_SUFFIX)) {
            Path folder = parcel.resolveSibling(name.substring(0, name.length() - READY_SUFFIX.length()));
            if (Files.isDirectory(folder)) {
                parcel = folder;
                exchange.setProperty("CaravanFolderParcel", folder);
            }
        }
        exchange.getMessage().setBody(parcel.toFile());
        exchange.getMessage().setHeader(CaravanHeaders.PARCEL, parcel.getFileName().toString());
        LOG.info("parcel '{}' picked up from the outbox ({})", parcel.getFileName(), Files.isDirectory(parcel) ? "folder" : "file");
    }

    /**
     * After success: keeps an earlier parcel of this name in {@code .sent/} as a version (camel-file
     * would delete it to move the file there), and moves a folder parcel to {@code .sent/}.
     */
    public void sent(Exchange exchange) throws IOException {
        Path folder = exchange.getProperty("CaravanFolderParcel", Path.class);
        if (folder == null) {
            Path picked = exchange.getProperty(PICKED_UP, Path.class);
            if (picked != null) {
                keepEarlier(".sent", picked.getFileName().toString());
            }
        }
        moveFolder(exchange, ".sent");
    }

    /**
     * After a failure. A parcel that may still go through stays in the outbox and is picked up again
     * (at the next poll, or the next start when the service is stopping), resuming from the chunks the
     * receiver holds: when its transfer was stopped on request, the service is stopping, or the receiver
     * was missing or busy. A final failure (a refusal, an unreadable source) moves the parcel, and a
     * folder's marker, to {@code .failed/} and writes the reason beside it.
     */
    public void failed(Exchange exchange) throws IOException {
        AtomicBoolean decided = exchange.getProperty(DECIDED, AtomicBoolean.class);
        if (decided != null && !decided.compareAndSet(false, true)) {
            return; // the chunks in flight fail together; the first failure decides for the parcel
        }
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String name = exchange.getMessage().getHeader(CaravanHeaders.PARCEL, String.class);
        String reason = cause == null ? "unknown failure" : cause.getMessage();
        boolean stopping = exchange.getContext().isStopping();
        if (stopping || resumable(cause)) {
            LOG.warn("parcel '{}' stays in the outbox, resumable ({}): it is sent again {}, from the chunks the receiver"
                    + " holds", name, reason, stopping ? "at the next start" : "at the next pickup");
            return;
        }
        Path failedDir = Files.createDirectories(dir.resolve(FAILED));
        Files.writeString(failedDir.resolve(name + ERROR_SUFFIX), "parcel: " + name + "\n" + FAILED_AT + Instant.now()
                + "\n" + REASON + reason + "\n\nFix the cause and move the parcel back into the outbox to send it again.\n",
                StandardCharsets.UTF_8);
        Path picked = exchange.getProperty(PICKED_UP, Path.class);
        if (picked != null && Files.exists(picked, LinkOption.NOFOLLOW_LINKS)) {
            keepEarlier(".failed", picked.getFileName().toString());
            Files.move(picked, failedDir.resolve(picked.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
        }
        moveFolder(exchange, ".failed");
        LOG.error("parcel '{}' failed and was moved to {}: {}", name, failedDir, reason);
    }

    /** A failure that may pass later: the transfer was stopped on request, or the receiver may answer later. */
    static boolean resumable(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TransferStoppedException) {
                return true;
            }
            if (t instanceof ShipException ship) {
                return ship.retryable();
            }
        }
        return false;
    }

    private void moveFolder(Exchange exchange, String target) throws IOException {
        Path folder = exchange.getProperty("CaravanFolderParcel", Path.class);
        if (folder == null || !Files.isDirectory(folder)) {
            return;
        }
        Path destination = Files.createDirectories(dir.resolve(target)).resolve(folder.getFileName().toString());
        keepEarlier(target, folder.getFileName().toString());
        Files.move(folder, destination, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Moves {@code <area>/<name>}, when there, into the outbox's versions (or deletes it when versions are off). */
    private void keepEarlier(String area, String name) throws IOException {
        Path place = dir.resolve(area);
        if (!Files.exists(place.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Versions versions = Versions.inDestination(dir, keepVersions, Clock.systemUTC());
        try (ConfinedDir from = ConfinedDir.open(place)) {
            String kept = versions.batch().keep(from, name, area + "/" + name);
            LOG.info("the earlier '{}' in {} was kept as {}", name, area, kept == null ? "nothing (keep-versions 0)"
                    : Versions.IN_DESTINATION + "/" + kept);
        }
        versions.cleanup();
    }

    /** Writes {@code X.ready} for every top-level folder whose newest entry is older than the quiet period. */
    public void markQuietFolders() throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        Instant quietSince = Instant.now().minus(quietPeriod);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> Files.isDirectory(p)
                && !p.getFileName().toString().startsWith("."))) {
            for (Path folder : entries) {
                Path marker = folder.resolveSibling(folder.getFileName() + READY_SUFFIX);
                if (!Files.exists(marker) && newest(folder).isBefore(quietSince)) {
                    Files.createFile(marker);
                    LOG.info("folder '{}' has been quiet for {}: marked ready", folder.getFileName(), quietPeriod);
                }
            }
        }
    }

    private static Instant newest(Path folder) throws IOException {
        Instant[] newest = {Instant.EPOCH};
        Files.walkFileTree(folder, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                newest[0] = max(newest[0], attrs.lastModifiedTime().toInstant());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                newest[0] = max(newest[0], attrs.lastModifiedTime().toInstant());
                return FileVisitResult.CONTINUE;
            }
        });
        return newest[0];
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
