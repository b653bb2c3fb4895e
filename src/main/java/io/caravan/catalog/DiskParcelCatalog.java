package io.caravan.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.fs.ConfinedDir;
import io.caravan.fs.UnsafePathException;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link ParcelCatalog} as one small JSON file per name under {@code <dir>/parcels/}, named by the
 * SHA-256 of the name (so any name is a safe file name), written under a temporary name and renamed.
 * Records of one process are serialised (receivers sharing one folder are not: they need the
 * database implementation); records are never dropped, so they outlive any session lifetime. Listing
 * reads every record (walking the folder, holding one name and a page of records), which suits thousands of
 * parcels, not millions. A publish reads only the records it
 * changes: each folder above a recorded name is noted in {@code <dir>/nested/} (an empty file named by the
 * SHA-256 of the folder's name), and {@link #changed} lists the records below a name only when it is noted
 * there; a catalog without the notes (an earlier release's) is noted once, at its first use, which its
 * {@code parcels/nested.complete} then says. The folder is reached without
 * following a link from the state folder's parent ({@link ConfinedDir}), and records are read and
 * written relative to it: a link as the catalog folder is refused, a link as a record is not taken as one
 * (the next record of that name replaces it, as a link), and a record is read with a size bound.
 */
public final class DiskParcelCatalog implements ParcelCatalog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DiskParcelCatalog.class);
    /** The most a record may hold: its longest name, escaped, and a few fields. */
    private static final long MAX_RECORD = 64 * 1024;

    /** The note, among the records, that every recorded name's folders are noted in {@link #nested}. */
    private static final String COMPLETE = "nested.complete";

    private final Path stateDir;
    private final String folder;
    /** The notes of the folders that hold recorded names. */
    private final String nested;
    private final Clock clock;
    /** Whether {@link #nested} was found complete (or made so) by this catalog. */
    private boolean nestingNoted;

    /** A catalog in {@code catalogDir/parcels}, created (and checked) at each use. */
    public DiskParcelCatalog(Path catalogDir, Clock clock) {
        Path absolute = catalogDir.toAbsolutePath().normalize();
        this.stateDir = absolute.getParent();
        this.folder = absolute.getFileName() + "/parcels";
        this.nested = absolute.getFileName() + "/nested";
        this.clock = clock;
    }

    /** The records' folder: the state folder opened from its parent, then the rest, without following a link. */
    private ConfinedDir open() throws IOException {
        return open(folder);
    }

    private ConfinedDir open(String relative) throws IOException {
        try (ConfinedDir state = ConfinedDir.openStateFolder(stateDir)) {
            return state.openDirs(relative);
        }
    }

    /** Notes every folder above {@code name} as holding a recorded name, before its record is written. */
    private void noteFolders(String name) throws IOException {
        if (name.indexOf('/') < 0) {
            return;
        }
        try (ConfinedDir notes = open(nested)) {
            for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
                String note = hash(name.substring(0, slash));
                if (notes.stat(note).isEmpty()) {
                    notes.replace(note, out -> { });
                }
            }
        }
    }

    /** Whether records below the folder {@code name} may exist (it was noted); notes an earlier catalog's names first. */
    private boolean holdsRecords(String name) throws IOException {
        if (!nestingNoted) {
            noteEarlierRecords();
        }
        try (ConfinedDir notes = open(nested)) {
            return notes.stat(hash(name)).isPresent();
        }
    }

    /**
     * Notes the folders of every record written before the notes were kept, once per records folder (its
     * {@value #COMPLETE} says so, kept among the records: a records folder put back from elsewhere is noted again).
     * A record that cannot be read fails it, to be tried again at the next publish: none is passed over.
     */
    private void noteEarlierRecords() throws IOException {
        try (ConfinedDir records = open()) {
            if (records.stat(COMPLETE).isEmpty()) {
                eachName(records, file -> {
                    PublishedParcel parcel;
                    try {
                        parcel = file.endsWith(".json") ? read(records, file) : null;
                    } catch (com.fasterxml.jackson.core.JsonProcessingException damaged) {
                        return; // no record a listing takes either: no name to note
                    }
                    if (parcel != null) {
                        noteFolders(parcel.name());
                    }
                });
                records.replace(COMPLETE, out -> { });
            }
        }
        nestingNoted = true;
    }

    @Override
    public synchronized PublishedParcel record(String name, String kind, long files, long bytes, String codec, String sha256)
            throws IOException {
        if (!nestingNoted) {
            noteEarlierRecords();
        }
        noteFolders(name);
        long generation = find(name).map(PublishedParcel::generation).orElse(0L) + 1;
        PublishedParcel parcel = new PublishedParcel(name, kind, files, bytes,
                Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString(), codec, generation, sha256);
        write(parcel);
        return parcel;
    }

    private void write(PublishedParcel parcel) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(parcel);
        try (ConfinedDir dir = open()) {
            dir.replace(file(parcel.name()), out -> out.write(bytes));
        }
    }

    @Override
    public synchronized List<PublishedParcel> changed(String path) throws IOException {
        List<PublishedParcel> touched = new ArrayList<>();
        for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
            find(path.substring(0, slash)).ifPresent(touched::add);
        }
        find(path).ifPresent(touched::add);
        if (holdsRecords(path)) {
            touched.addAll(list(path + "/", null, null, Integer.MAX_VALUE));
        }
        List<PublishedParcel> renewed = new ArrayList<>();
        for (PublishedParcel parcel : touched) {
            PublishedParcel next = new PublishedParcel(parcel.name(), parcel.kind(), parcel.files(), parcel.bytes(),
                    Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString(), parcel.codec(), parcel.generation() + 1,
                    parcel.sha256());
            write(next);
            renewed.add(next);
        }
        return renewed;
    }

    @Override
    public Optional<PublishedParcel> find(String name) throws IOException {
        try (ConfinedDir dir = open()) {
            return Optional.ofNullable(read(dir, file(name)));
        }
    }

    /** The record in {@code file}, or null when there is none, or what is there is not a record (a link, say). */
    private static PublishedParcel read(ConfinedDir dir, String file) throws IOException {
        try {
            return JSON.readValue(dir.readSmall(file, MAX_RECORD), PublishedParcel.class);
        } catch (NoSuchFileException e) {
            return null;
        } catch (UnsafePathException e) {
            LOG.warn("catalog: {}; not taken as a record (the next publish of its name replaces it)", e.getMessage());
            return null;
        }
    }

    @Override
    public List<PublishedParcel> list(String prefix, Instant since, String after, int limit) throws IOException {
        // the first `limit` by name only: a listing holds a page, not the catalog
        java.util.TreeMap<String, PublishedParcel> first = new java.util.TreeMap<>(io.caravan.util.CodePointOrder.NAMES);
        try (ConfinedDir dir = open()) {
            eachName(dir, file -> {
                if (!file.endsWith(".json")) {
                    return;
                }
                PublishedParcel parcel;
                try {
                    parcel = read(dir, file);
                } catch (IOException damaged) {
                    return; // not one of ours, or replaced meanwhile: the next listing reads it again
                }
                if (parcel != null && (prefix == null || parcel.name().startsWith(prefix))
                        && (since == null || !Instant.parse(parcel.publishedAt()).isBefore(since))
                        && (after == null || io.caravan.util.CodePointOrder.compare(parcel.name(), after) > 0)) {
                    first.put(parcel.name(), parcel);
                    if (first.size() > limit) {
                        first.pollLastEntry();
                    }
                }
            });
        }
        return new ArrayList<>(first.values());
    }

    /**
     * Gives {@code action} each name in {@code dir}, read from its open descriptor as they come: a catalog of
     * millions of records is walked holding one name at a time, never a list of them all.
     */
    private static void eachName(ConfinedDir dir, io.caravan.util.SpilledList.Each<String> action) throws IOException {
        try (java.nio.file.DirectoryStream<Path> names = dir.stream()) {
            for (Path name : names) {
                action.accept(name.getFileName().toString());
            }
        }
    }

    private static String file(String name) {
        return hash(name) + ".json";
    }

    private static String hash(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return Sha256.of(bytes, 0, bytes.length);
    }
}
