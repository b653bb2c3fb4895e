package io.caravan.route.send;

import io.caravan.CaravanHeaders;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.NameRules;
import io.caravan.fs.Versions;
import io.caravan.sender.ShipException;
import io.caravan.sender.TransferStoppedException;
import io.caravan.util.Durations;
import io.caravan.util.Exhaustion;
import io.caravan.util.FileIdentity;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.Exchange;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drop folder's rules: a top-level file is a parcel once camel-file's read lock says it stopped
 * changing; a top-level folder {@code X} is a parcel once {@code X.ready} appears, which this bean
 * also writes for folders that have been quiet long enough. Once sent, this bean moves the parcel
 * (and a folder's marker) to {@code .sent/}; a file is moved only when it is still the file whose
 * send started (same device, inode, size and modification time), else it stays to be sent again. A
 * parcel that may still go through stays in the outbox, to be resumed; only a final failure moves it
 * (and a folder's marker) to {@code .failed/}, with a {@code <name>.error.txt} note beside it. Nothing
 * already in {@code .sent/} or {@code .failed/} is ever overwritten: it is kept as a version in
 * {@code <outbox>/.caravan/versions} for {@code keepVersions} (7 days).
 *
 * <p>As camel-file's {@link GenericFileFilter}, it refuses the entries it cannot send
 * ({@link OutboxRefusal}) before they are picked up, so none of them holds back the others: each is
 * named in one warning, and moved to {@code .failed/} with a note when it can be. A marker is never
 * sent as a file: one without its folder is left where it is, named in one warning, until its folder
 * appears.
 */
public final class Outbox implements GenericFileFilter<File> {

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
    /** Exchange property: the {@link PickedFile} of a file parcel, as its send started. */
    private static final String PICKED_FILE = "CaravanPickedFile";
    /** The fingerprint of a folder parcel as its send started ({@link FolderFingerprint}). */
    private static final String PICKED_FOLDER = "CaravanPickedFolder";
    /** The folder parcel's own entry as its send started (another folder may take its name meanwhile). */
    private static final String PICKED_FOLDER_ENTRY = "CaravanPickedFolderEntry";
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private Path dir;
    private Duration quietPeriod = Duration.ofSeconds(10);
    private Duration keepVersions = Duration.ofDays(7);
    /** Entries already warned about that stay in the outbox (by name and reason), so each is named once. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    /** Markers found without their folder (each named once in a warning), waiting for it. */
    private final Set<String> waitingMarkers = ConcurrentHashMap.newKeySet();
    /**
     * The names of the parcels being sent now. camel-file's in-progress guard is keyed by the entry it picked up,
     * and a folder parcel is picked up through its marker: a file that takes the folder's name during its send
     * would be a second send of one parcel name at once, each dropping the other's session at the receiver.
     */
    private final Set<String> sending = ConcurrentHashMap.newKeySet();

    public void setDir(String dir) {
        this.dir = Path.of(dir).toAbsolutePath().normalize();
    }

    /** The outbox folder (absolute). */
    public Path dir() {
        return dir;
    }

    /** How long an earlier parcel of the same name in {@code .sent/} or {@code .failed/} is kept ({@code 0}: deleted). */
    public void setKeepVersions(String keepVersions) {
        this.keepVersions = Durations.parse(keepVersions);
    }

    public void setQuietPeriod(String quietPeriod) {
        this.quietPeriod = Durations.parse(quietPeriod);
    }

    /**
     * Turns a {@code X.ready} marker into the folder parcel {@code X}; names the parcel in {@code CaravanParcel}.
     * A marker whose folder is gone is not sent: the exchange stops, and the marker stays to wait for it. One
     * parcel of a name is sent at a time: an entry whose parcel name is being sent stops here too, and is
     * picked up again once that send has ended.
     */
    public void resolve(Exchange exchange) throws IOException {
        File file = exchange.getMessage().getBody(File.class);
        Path parcel = file.toPath();
        exchange.setProperty(PICKED_UP, parcel);
        exchange.setProperty(DECIDED, new AtomicBoolean());
        String name = parcel.getFileName().toString();
        if (name.endsWith(READY_SUFFIX)) {
            Path folder = parcel.resolveSibling(name.substring(0, name.length() - READY_SUFFIX.length()));
            if (!Files.isDirectory(folder)) {
                exchange.setRouteStop(true); // its folder went away since the filter saw it: the marker waits again
                return;
            }
            parcel = folder;
        }
        if (Files.isSymbolicLink(parcel)) { // renamed over what the filter let pass: refused as the filter refuses links
            OutboxRefusal refusal = OutboxRefusal.ofFile(parcel);
            exchange.getMessage().setHeader(CaravanHeaders.PARCEL, parcel.getFileName().toString()); // its note's name
            throw new IllegalStateException("'" + OutboxRefusal.shown(parcel.getFileName().toString()) + "' "
                    + (refusal == null ? "is a symbolic link now" : refusal.reason()));
        }
        String parcelName = parcel.getFileName().toString();
        if (!sending.add(parcelName)) {
            exchange.setRouteStop(true); // picked up in the same poll as the entry whose send holds the name
            return;
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                sending.remove(parcelName);
            }

            @Override
            public boolean allowHandover() {
                return false; // the name is the picked-up exchange's, whatever copies a step makes of it
            }
        });
        if (Files.isDirectory(parcel)) {
            exchange.setProperty("CaravanFolderParcel", parcel);
            exchange.setProperty(PICKED_FOLDER, FolderFingerprint.of(parcel));
            exchange.setProperty(PICKED_FOLDER_ENTRY, PickedFile.entryKey(parcel));
        } else {
            exchange.setProperty(PICKED_FILE, PickedFile.of(parcel));
        }
        exchange.getMessage().setBody(parcel.toFile());
        exchange.getMessage().setHeader(CaravanHeaders.PARCEL, parcel.getFileName().toString());
        LOG.info("parcel '{}' picked up from the outbox ({})", parcel.getFileName(), Files.isDirectory(parcel) ? "folder" : "file");
    }

    /**
     * After success: moves the parcel, and a folder's marker, to {@code .sent/}, keeping an earlier one of
     * its name there as a version. A file that changed during its send (replaced, or still being
     * written), or a folder whose entries changed during it, is not moved: it stays in the outbox and is
     * sent again.
     */
    public void sent(Exchange exchange) throws IOException {
        Path picked = exchange.getProperty(PICKED_UP, Path.class);
        PickedFile file = exchange.getProperty(PICKED_FILE, PickedFile.class);
        if (file != null) {
            moveIfUnchanged(file);
            return;
        }
        Path folder = exchange.getProperty("CaravanFolderParcel", Path.class);
        byte[] before = exchange.getProperty(PICKED_FOLDER, byte[].class);
        if (folder != null && !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            LOG.warn("folder '{}' was sent, and left the outbox during its send: its marker goes to {}",
                    NameRules.printable(folder.getFileName().toString()), SENT);
        } else if (folder != null && before != null && !java.util.Arrays.equals(before, FolderFingerprint.of(folder))) {
            LOG.warn("folder '{}' changed during its send (an entry added, removed or written to): it stays in the"
                    + " outbox and is sent again with its changes", NameRules.printable(folder.getFileName().toString()));
            return;
        }
        moveFolder(exchange, SENT);
        if (picked != null && Files.exists(picked, LinkOption.NOFOLLOW_LINKS)) {
            moveInto(SENT, picked);
        }
    }

    /** Moves the sent file to {@code .sent/} when it is still what was sent; checked again after the move, which takes what is there then. */
    private void moveIfUnchanged(PickedFile file) throws IOException {
        String name = file.path().getFileName().toString();
        if (!file.unchanged(file.path())) {
            LOG.warn("parcel '{}' changed during its send (replaced or written to): it stays in the outbox and is sent"
                    + " again", NameRules.printable(name));
            return;
        }
        Path moved = moveInto(SENT, file.path());
        if (!file.sameEntry(moved)) {
            try {
                Files.move(moved, file.path());
                LOG.warn("parcel '{}' was replaced as it was moved to {}: the new file stays in the outbox and is sent",
                        NameRules.printable(name), SENT);
            } catch (IOException e) {
                LOG.warn("parcel '{}' was replaced as it was moved to {}, and could not be put back ({}): send {}/{}"
                        + " again", NameRules.printable(name), SENT, e.getMessage(), SENT, NameRules.printable(name));
            }
        }
    }

    /**
     * After a failure. A parcel that may still go through stays in the outbox and is picked up again
     * (at the next poll, or the next start when the service is stopping), resuming from the chunks the
     * receiver holds: when its transfer was stopped on request, the service is stopping, or the receiver
     * was missing or busy. A final failure (a refusal, an unreadable source) moves the parcel, and a
     * folder's marker, to {@code .failed/} and writes the reason beside it. So does an {@link Error}
     * (out of heap, out of stack: {@link ErrorsAsFailures} makes it the exchange's failure): sent again
     * by itself, the parcel would most likely strike the same error, in a process that just met it, and
     * hold back the parcels after it; the note says what to give the process before moving it back. A file
     * or folder replaced during its send is not moved: what took its place was never sent.
     */
    public void failed(Exchange exchange) throws IOException {
        AtomicBoolean decided = exchange.getProperty(DECIDED, AtomicBoolean.class);
        if (decided != null && !decided.compareAndSet(false, true)) {
            return; // the chunks in flight fail together; the first failure decides for the parcel
        }
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String name = exchange.getMessage().getHeader(CaravanHeaders.PARCEL, String.class);
        Error error = Exhaustion.in(cause);
        // one line, of bounded length, whatever the failure's message holds (a peer's answer quoted in it)
        String reason = error != null ? errorReason(error)
                : cause == null ? "unknown failure" : NameRules.printable(String.valueOf(cause.getMessage()));
        boolean stopping = exchange.getContext().isStopping();
        if (error == null && (stopping || resumable(cause))) {
            LOG.warn("parcel '{}' stays in the outbox, resumable ({}): it is sent again {}, from the chunks the receiver"
                    + " holds", name, reason, stopping ? "at the next start" : "at the next pickup");
            return;
        }
        writeNote(name, reason);
        Path picked = exchange.getProperty(PICKED_UP, Path.class);
        PickedFile file = exchange.getProperty(PICKED_FILE, PickedFile.class);
        if (file != null && Files.exists(picked, LinkOption.NOFOLLOW_LINKS) && !file.sameEntry(picked)) {
            LOG.warn("parcel '{}' was replaced during its send: what took its place stays in the outbox and is sent",
                    NameRules.printable(name));
        } else if (picked != null && Files.exists(picked, LinkOption.NOFOLLOW_LINKS)) {
            moveInto(FAILED, picked);
        }
        moveFolder(exchange, FAILED);
        LOG.error("parcel '{}' failed and was moved to {}: {}", name, dir.resolve(FAILED), reason);
    }

    /** Why a parcel struck by {@code error} failed, and what to do: what ran out, and what to give the process. */
    static String errorReason(Error error) {
        String remedy = Exhaustion.remedy(error);
        return NameRules.printable("it " + Exhaustion.what(error) + " while it was sent" + (remedy != null
                ? ": give caravan run " + remedy + ", then move the parcel back into the outbox"
                : " (an error of Caravan or of its JVM): move the parcel back into the outbox to send it again, and report"
                        + " the error if it comes again"));
    }

    /** The name of the note beside the failed parcel {@code name}: {@code <name>.error.txt}, shortened to fit a name's 255 bytes. */
    static String noteName(String name) {
        return NameRules.fit(name, ERROR_SUFFIX);
    }

    /** Writes the note of the failed parcel {@code name} into {@code .failed/}, keeping an earlier entry of its name. */
    private void writeNote(String name, String reason) throws IOException {
        Path failedDir = Files.createDirectories(dir.resolve(FAILED));
        String note = noteName(name);
        keepEarlier(FAILED, note);
        // one line each, whatever the name and the reason hold: neither can forge the lines after it
        Files.writeString(failedDir.resolve(note), "parcel: " + NameRules.printable(name) + "\n" + FAILED_AT + Instant.now()
                + "\n" + REASON + NameRules.printable(reason, Integer.MAX_VALUE) + "\n\nFix the cause and move the parcel back into the outbox to send it again.\n",
                StandardCharsets.UTF_8);
    }

    /** Moves the top-level {@code entry} into {@code area} (keeping an earlier one of its name); returns where it went. */
    private Path moveInto(String area, Path entry) throws IOException {
        String name = entry.getFileName().toString();
        Path destination = Files.createDirectories(dir.resolve(area)).resolve(name);
        keepEarlier(area, name);
        Files.move(entry, destination, StandardCopyOption.ATOMIC_MOVE);
        return destination;
    }

    /**
     * camel-file's filter: whether the top-level {@code file} may be picked up. One it cannot send is
     * refused here ({@link #refuse}); folders pass (their markers are the parcels).
     */
    @Override
    public boolean accept(GenericFile<File> file) {
        if (file.isDirectory()) {
            return true;
        }
        Path entry = file.getFile().toPath();
        if (sending.contains(parcelName(entry.getFileName().toString()))) {
            return false; // picked up once the send of its name has ended
        }
        try {
            OutboxRefusal refusal = OutboxRefusal.ofFile(entry);
            if (refusal == null) {
                return !entry.getFileName().toString().endsWith(READY_SUFFIX) || markedFolderReady(entry);
            }
            refuse(entry, refusal);
        } catch (NoSuchFileException gone) {
            // gone since it was listed
        } catch (IOException e) {
            warnOnce(entry.getFileName().toString(), "cannot be read (" + e.getMessage() + ")");
        }
        return false;
    }

    /** The name of the parcel that the top-level entry {@code name} sends: a marker's folder, else the entry itself. */
    private static String parcelName(String name) {
        return name.endsWith(READY_SUFFIX) ? name.substring(0, name.length() - READY_SUFFIX.length()) : name;
    }

    /**
     * Whether the folder of the marker {@code marker} is there to be sent. A marker is never a parcel
     * itself: without its folder it waits, named in one warning. A folder that appears after its marker
     * was not there when the marker was written, so it may still be arriving: it is sent once it has been
     * quiet for the quiet period, as a folder without a marker is.
     */
    private boolean markedFolderReady(Path marker) throws IOException {
        String name = marker.getFileName().toString();
        String folderName = name.substring(0, name.length() - READY_SUFFIX.length());
        Path folder = marker.resolveSibling(folderName);
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) { // a link to a folder is no folder to send
            if (waitingMarkers.add(name)) {
                LOG.warn("'{}' in the outbox is a marker without its folder '{}': it is not sent, and waits for the"
                        + " folder; move the folder '{}' into the outbox to send it, or delete the marker",
                        OutboxRefusal.shown(name), OutboxRefusal.shown(folderName), OutboxRefusal.shown(folderName));
            }
            return false;
        }
        if (!waitingMarkers.contains(name)) {
            return true;
        }
        if (newest(folder).isAfter(Instant.now().minus(quietPeriod))) {
            return false;
        }
        waitingMarkers.remove(name);
        LOG.info("folder '{}' appeared after its marker and has been quiet for {}: sent",
                OutboxRefusal.shown(folderName), quietPeriod);
        return true;
    }

    /** Refuses the top-level link {@code link} ({@link OutboxRefusal#ofFile}), unless it went meanwhile. */
    private void refuseIfThere(Path link) throws IOException {
        try {
            OutboxRefusal refusal = OutboxRefusal.ofFile(link);
            if (refusal != null) {
                refuse(link, refusal);
            }
        } catch (NoSuchFileException gone) {
            // gone since it was listed
        }
    }

    /** Moves a refused entry to {@code .failed/} with a note when it can be moved, and names it in one warning. */
    private void refuse(Path entry, OutboxRefusal refusal) {
        String name = entry.getFileName().toString();
        if (!refusal.movable()) {
            warnOnce(name, refusal.reason());
            return;
        }
        try {
            writeNote(name, "it " + refusal.reason());
            moveInto(FAILED, entry);
            LOG.warn("'{}' in the outbox {}: moved to {}", OutboxRefusal.shown(name), refusal.reason(), dir.resolve(FAILED));
        } catch (IOException e) {
            warnOnce(name, refusal.reason() + ", and could not be moved to " + FAILED + " (" + e.getMessage() + ")");
        }
    }

    private void warnOnce(String name, String reason) {
        if (warned.add(name + "\0" + reason)) {
            LOG.warn("'{}' in the outbox {}", OutboxRefusal.shown(name), reason);
        }
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

    /** Moves the folder parcel into {@code target} when it is still the folder whose send started (not a link, nor another folder). */
    private void moveFolder(Exchange exchange, String target) throws IOException {
        Path folder = exchange.getProperty("CaravanFolderParcel", Path.class);
        if (folder == null || !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Object entry = exchange.getProperty(PICKED_FOLDER_ENTRY);
        if (entry == null || !entry.equals(PickedFile.entryKey(folder))) {
            LOG.warn("folder '{}' was replaced during its send: what took its place stays in the outbox and is sent",
                    NameRules.printable(folder.getFileName().toString()));
            return;
        }
        moveInto(target, folder);
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
                if (Files.isSymbolicLink(folder)) { // a link to a folder: refused as every link at the top is, never followed
                    refuseIfThere(folder);
                    continue;
                }
                OutboxRefusal refusal = OutboxRefusal.ofFolder(folder);
                if (refusal != null) {
                    refuse(folder, refusal);
                    continue;
                }
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

    /**
     * A file parcel as its send started: the entry itself (never a link: those are refused) and the
     * identity of the file whose bytes are sent.
     */
    record PickedFile(Path path, Object entryKey, FileIdentity content) {

        static PickedFile of(Path path) throws IOException {
            return new PickedFile(path, entryKey(path), content(path));
        }

        /**
         * Whether {@code path} still holds the entry and the content this send started with: the same file with the
         * same size, mtime and ctime (a rewrite in place whose mtime was put back moves the ctime; a chmod or a hard
         * link made meanwhile does too, and the parcel is then sent again, which costs a send, never a wrong one).
         */
        boolean unchanged(Path now) throws IOException {
            FileIdentity current = content(now);
            return sameEntry(now) && content != null && current != null && content.equals(current);
        }

        /** Whether {@code now} is the entry this send started with (a rename keeps it). */
        boolean sameEntry(Path now) throws IOException {
            return entryKey != null && Objects.equals(entryKey, entryKey(now));
        }

        private static Object entryKey(Path path) throws IOException {
            try {
                // with its kind: a folder made where the file was deleted may get the file's inode number again
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                return attributes.fileKey() == null ? null : java.util.List.of(attributes.fileKey(), attributes.isDirectory());
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        private static FileIdentity content(Path path) throws IOException {
            try {
                Optional<FileIdentity> identity = FileIdentity.ofRegularFile(path.toRealPath());
                return identity.orElse(null);
            } catch (NoSuchFileException e) {
                return null;
            }
        }
    }
}
