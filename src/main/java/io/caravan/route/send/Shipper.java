package io.caravan.route.send;

import com.fasterxml.jackson.databind.JsonNode;
import io.caravan.CaravanHeaders;
import io.caravan.pack.PackIterator;
import io.caravan.progress.ProgressListeners;
import io.caravan.sender.ParcelSender;
import io.caravan.sender.ParcelUpload;
import io.caravan.sender.ShipException;
import java.io.File;
import java.io.IOException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The HTTP shipping steps of a route: {@link #open} the parcel's upload session (new or resumed),
 * {@link #put} each chunk message (with the sender's retries), {@link #finish} with the
 * manifest. The upload travels between the steps as the exchange property {@code CaravanUpload}.
 */
public final class Shipper {

    public static final String UPLOAD = "CaravanUpload";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Shipper.class);

    private final ParcelSender sender;

    public Shipper(ParcelSender sender) {
        this.sender = sender;
    }

    public void open(Exchange exchange) throws IOException {
        File source = exchange.getMessage().getBody(File.class);
        String name = exchange.getMessage().getHeader(CaravanHeaders.PARCEL, source.getName(), String.class);
        exchange.setProperty(UPLOAD, sender.open(source.toPath(), name));
    }

    /**
     * Uploads the chunk with the engine's retries ({@link ParcelUpload#put}, the sender's {@code Retry}):
     * the route redelivers nothing itself, so a chunk is retried by one policy only.
     */
    public void put(Exchange exchange) {
        Message in = exchange.getMessage();
        exchange.getProperty(UPLOAD, ParcelUpload.class).put(in.getHeader(CaravanHeaders.CHUNK_INDEX, Integer.class),
                in.getBody(byte[].class), in.getHeader(CaravanHeaders.CHUNK_SHA256, String.class));
    }

    /**
     * Finishes the upload. When the receiver refuses a reference entry (the stored content changed
     * since the check), the parcel is sent again here, with that content, in a new session.
     */
    public void finish(Exchange exchange) throws IOException, InterruptedException {
        PackIterator chunks = exchange.getProperty(ParcelSplitter.ITERATOR, PackIterator.class);
        ParcelUpload upload = exchange.getProperty(UPLOAD, ParcelUpload.class);
        JsonNode answer;
        try {
            answer = upload.finish(chunks.manifest());
        } catch (ShipException e) {
            if (!e.referenceUnavailable()) {
                throw e;
            }
            answer = sender.send(upload.source(), upload.name(), ProgressListeners.warningsLogged(LOG, upload.name())).answer();
        }
        exchange.getMessage().setHeader("CaravanPublishedPath", answer.path("path").asText());
    }
}
