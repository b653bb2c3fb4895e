package io.caravan.route;

import io.caravan.CaravanHeaders;
import io.caravan.unpack.Staging;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drop folder's rules: a top-level file is a parcel once camel-file's read lock says it stopped
 * changing; a top-level folder {@code X} is a parcel once {@code X.ready} appears, which this bean
 * also writes for folders that have been quiet long enough. Folder parcels are moved to
 * {@code .sent/} or {@code .failed/} here (camel-file moves the files and markers itself), and a
 * failure leaves a {@code <name>.error.txt} note beside the parcel.
 */
public final class Outbox {

    public static final String READY_SUFFIX = ".ready";
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    private Path dir;
    private Duration quietPeriod = Duration.ofSeconds(10);

    public void setDir(String dir) {
        this.dir = Path.of(dir).toAbsolutePath().normalize();
    }

    public void setQuietPeriod(String quietPeriod) {
        this.quietPeriod = io.caravan.util.Durations.parse(quietPeriod);
    }

    /** Turns a {@code X.ready} marker into the folder parcel {@code X}; names the parcel in {@code CaravanParcel}. */
    public void resolve(Exchange exchange) {
        File file = exchange.getMessage().getBody(File.class);
        Path parcel = file.toPath();
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

    /** After success: moves a folder parcel to {@code .sent/}. */
    public void sent(Exchange exchange) throws IOException {
        moveFolder(exchange, ".sent");
    }

    /** After final failure: moves a folder parcel to {@code .failed/} and writes the reason beside it. */
    public void failed(Exchange exchange) throws IOException {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String name = exchange.getMessage().getHeader(CaravanHeaders.PARCEL, String.class);
        Path failedDir = Files.createDirectories(dir.resolve(".failed"));
        String reason = cause == null ? "unknown failure" : cause.getMessage();
        Files.writeString(failedDir.resolve(name + ".error.txt"), "parcel: " + name + "\nfailed at: " + Instant.now()
                + "\nreason: " + reason + "\n\nFix the cause and move the parcel back into the outbox to send it again.\n",
                StandardCharsets.UTF_8);
        moveFolder(exchange, ".failed");
        LOG.error("parcel '{}' failed and was moved to {}: {}", name, failedDir, reason);
    }

    private void moveFolder(Exchange exchange, String target) throws IOException {
        Path folder = exchange.getProperty("CaravanFolderParcel", Path.class);
        if (folder == null || !Files.isDirectory(folder)) {
            return;
        }
        Path destination = Files.createDirectories(dir.resolve(target)).resolve(folder.getFileName().toString());
        Staging.deleteTree(destination);
        Files.move(folder, destination, StandardCopyOption.ATOMIC_MOVE);
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
