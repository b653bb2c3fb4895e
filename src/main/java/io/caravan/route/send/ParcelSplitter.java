package io.caravan.route.send;

import io.caravan.CaravanHeaders;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackHooks;
import io.caravan.sender.ParcelUpload;
import io.caravan.pack.PackIterator;
import io.caravan.pack.PackOptions;
import io.caravan.pack.Packer;
import io.caravan.progress.ProgressListeners;
import io.caravan.util.DataSize;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * A bean for a streaming splitter: packs the file or folder in the message body (a {@link File}, a
 * {@link Path} or a path string, as camel-file delivers it) into chunk messages. Codec, level and
 * chunk size are bean properties, so routes set them from {@code application.properties}.
 */
public final class ParcelSplitter {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ParcelSplitter.class);

    /** Exchange property holding the running {@link PackIterator}, for the manifest after the split. */
    public static final String ITERATOR = "CaravanPackIterator";

    private String codec = "zstd";
    private Integer level;
    private String chunkSize = "8MiB";

    public void setCodec(String codec) {
        this.codec = codec;
    }

    public void setLevel(Integer level) {
        this.level = level;
    }

    public void setChunkSize(String chunkSize) {
        this.chunkSize = chunkSize;
    }

    /** The chunk messages of the parcel named by the body; the parcel is named after the file. */
    public ChunkMessages split(Exchange exchange) {
        Path source = exchange.getMessage().getBody(File.class).toPath();
        String name = exchange.getMessage().getHeader(CaravanHeaders.PARCEL, source.getFileName().toString(), String.class);
        PackOptions options = new PackOptions(Codecs.byName(codec), Codecs.level(Codecs.byName(codec), level),
                DataSize.parse(chunkSize), name);
        ParcelUpload upload = exchange.getProperty(Shipper.UPLOAD, ParcelUpload.class);
        PackHooks hooks = upload == null ? PackHooks.NONE : upload.hooks();
        PackIterator chunks = new PackIterator(new Packer(options, ProgressListeners.warningsLogged(LOG, name), hooks),
                List.of(source));
        exchange.setProperty(ITERATOR, chunks);
        return new ChunkMessages(exchange.getContext(), chunks);
    }

    /** The manifest of the parcel split in this exchange, as JSON (for the file transport). */
    public String manifest(Exchange exchange) {
        return exchange.getProperty(ITERATOR, PackIterator.class).manifest().toJson();
    }
}
