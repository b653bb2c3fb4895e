package io.caravan.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.caravan.util.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@link ParcelCatalog} as one small JSON file per name under {@code <dir>/parcels/}, named by the
 * SHA-256 of the name (so any name is a safe file name), written under a temporary name and renamed.
 * Records of one process are serialised (receivers sharing one folder are not: they need the
 * database implementation); records are never dropped, so they outlive any session lifetime. Listing
 * reads every record, which suits thousands of parcels, not millions.
 */
public final class DiskParcelCatalog implements ParcelCatalog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Clock clock;

    public DiskParcelCatalog(Path catalogDir, Clock clock) throws IOException {
        this.dir = Files.createDirectories(catalogDir.resolve("parcels"));
        this.clock = clock;
    }

    @Override
    public synchronized PublishedParcel record(String name, String kind, long files, long bytes, String codec, String sha256)
            throws IOException {
        long generation = find(name).map(PublishedParcel::generation).orElse(0L) + 1;
        PublishedParcel parcel = new PublishedParcel(name, kind, files, bytes,
                Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString(), codec, generation, sha256);
        write(parcel);
        return parcel;
    }

    private void write(PublishedParcel parcel) throws IOException {
        Path file = file(parcel.name());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, JSON.writeValueAsBytes(parcel));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public synchronized List<PublishedParcel> changed(String path) throws IOException {
        List<PublishedParcel> touched = new ArrayList<>();
        for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
            find(path.substring(0, slash)).ifPresent(touched::add);
        }
        find(path).ifPresent(touched::add);
        touched.addAll(list(path + "/", null, null, Integer.MAX_VALUE));
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
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(file(name)), PublishedParcel.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<PublishedParcel> list(String prefix, Instant since, String after, int limit) throws IOException {
        List<PublishedParcel> all = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                PublishedParcel parcel;
                try {
                    parcel = JSON.readValue(file.toFile(), PublishedParcel.class);
                } catch (IOException damaged) {
                    continue; // not one of ours, or replaced meanwhile: the next listing reads it again
                }
                if ((prefix == null || parcel.name().startsWith(prefix))
                        && (since == null || !Instant.parse(parcel.publishedAt()).isBefore(since))
                        && (after == null || parcel.name().compareTo(after) > 0)) {
                    all.add(parcel);
                }
            }
        }
        all.sort(Comparator.comparing(PublishedParcel::name));
        return all.subList(0, Math.min(limit, all.size()));
    }

    private Path file(String name) {
        return dir.resolve(Sha256.of(name.getBytes(StandardCharsets.UTF_8), 0, name.getBytes(StandardCharsets.UTF_8).length)
                + ".json");
    }
}
