package io.caravan.route;

import io.caravan.pack.Codecs;
import io.caravan.pack.PackIterator;
import io.caravan.pack.PackOptions;
import io.caravan.pack.Packer;
import io.caravan.progress.ProgressListener;
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
        PackOptions options = new PackOptions(Codecs.byName(codec), Codecs.level(Codecs.byName(codec), level),
                DataSize.parse(chunkSize), source.getFileName().toString());
        PackIterator chunks = new PackIterator(new Packer(options, ProgressListener.NONE), List.of(source));
        return new ChunkMessages(exchange.getContext(), chunks);
    }
}
