package io.caravan.route;

import io.caravan.pack.Manifest;
import io.caravan.pack.PartFiles;
import io.caravan.progress.ProgressListener;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.OnConflict;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.UnpackResult;
import io.caravan.unpack.Unpacker;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of the file transport: given a part set's manifest (written last, so the set
 * is complete), verifies and unpacks the parts into the inbox, then removes the parts.
 */
public final class PartSetPickup {

    private static final Logger LOG = LoggerFactory.getLogger(PartSetPickup.class);

    private Path inbox;
    private OnConflict onConflict = OnConflict.REPLACE;

    public void setInbox(String inbox) {
        this.inbox = Path.of(inbox).toAbsolutePath().normalize();
    }

    public void setOnConflict(String onConflict) {
        this.onConflict = OnConflict.parse(onConflict);
    }

    public void unpack(Exchange exchange) throws IOException {
        Path manifestFile = exchange.getMessage().getBody(File.class).toPath();
        Path prefix = PartFiles.prefixOf(manifestFile);
        Manifest manifest = Manifest.read(manifestFile);
        UnpackResult result = new Unpacker(new UnpackOptions(true, onConflict, ExtractPolicy.DEFAULT), ProgressListener.NONE)
                .unpackParts(prefix, inbox);
        for (int i = 0; i < manifest.totalChunks(); i++) {
            Files.deleteIfExists(PartFiles.part(prefix, i));
        }
        LOG.info("part set '{}' ({} parts) verified and published as {}", manifest.name(), manifest.totalChunks(), result.published());
    }
}
