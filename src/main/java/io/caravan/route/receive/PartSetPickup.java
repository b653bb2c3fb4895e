package io.caravan.route.receive;

import io.caravan.fs.Versions;
import io.caravan.pack.Manifest;
import io.caravan.pack.PartFiles;
import io.caravan.progress.ProgressListener;
import io.caravan.unpack.ExtractHooks;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.ExtractionLimits;
import io.caravan.unpack.OnConflict;
import io.caravan.unpack.UnpackOptions;
import io.caravan.unpack.UnpackResult;
import io.caravan.unpack.Unpacker;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import io.caravan.util.Durations;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of the file transport: given a part set's manifest (written last, so the set
 * is complete), verifies and unpacks the parts into the inbox with the receiver's rules (confined
 * publish, reserved names refused, replaced entries kept as versions, never more entries or content bytes
 * than the manifest declares: {@link ExtractionLimits}), then removes the parts.
 */
public final class PartSetPickup {

    private static final Logger LOG = LoggerFactory.getLogger(PartSetPickup.class);

    /** How a part set refused for its limits is logged: the receiver's settings bound it. */
    private static final ExtractionLimits.Wording REFUSED = new ExtractionLimits.Wording("nothing was published",
            "the parts hold more than their manifest describes, though they match its hashes: the manifest was not written"
                    + " for them by caravan pack, or was altered with them (a decompression bomb); nothing was published."
                    + " Have the sender pack the parcel again; no setting lets such parts in",
            "caravan.receiver.max-expansion",
            "If such parcels are expected, raise caravan.receiver.max-expansion (0: no limit)");

    private Path inbox;
    private OnConflict onConflict = OnConflict.REPLACE;
    private ExtractPolicy policy = ExtractPolicy.DEFAULT;
    private Duration keepVersions = Duration.ZERO;

    public void setInbox(String inbox) {
        this.inbox = Path.of(inbox).toAbsolutePath().normalize();
    }

    public void setOnConflict(String onConflict) {
        this.onConflict = OnConflict.parse(onConflict);
    }

    /** What extraction accepts (the receiver's policy: links, limits). */
    public void setPolicy(ExtractPolicy policy) {
        this.policy = policy;
    }

    /** How long what a publish replaces is kept in {@code <inbox>/.caravan/versions} (0: deleted). */
    public void setKeepVersions(String keepVersions) {
        this.keepVersions = Durations.parse(keepVersions);
    }

    public void unpack(Exchange exchange) throws IOException {
        Path manifestFile = exchange.getMessage().getBody(File.class).toPath();
        Path prefix = PartFiles.prefixOf(manifestFile);
        Manifest manifest = Manifest.read(manifestFile);
        Versions versions = Versions.inDestination(inbox, keepVersions, Clock.systemUTC());
        UnpackResult result = new Unpacker(new UnpackOptions(true, onConflict, policy, versions), ProgressListener.NONE,
                ExtractHooks.NONE, REFUSED).unpackParts(prefix, inbox);
        for (int i = 0; i < manifest.totalChunks(); i++) {
            Files.deleteIfExists(PartFiles.part(prefix, i));
        }
        LOG.info("part set '{}' ({} parts) verified and published as {}", manifest.name(), manifest.totalChunks(), result.published());
    }
}
