package io.caravan.route.send;

import io.caravan.CaravanHeaders;
import io.caravan.receiver.SessionProgress;
import io.caravan.sender.ParcelUpload;
import io.caravan.session.SessionMeta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.spi.InflightRepository;

/**
 * The parcels the outbox is sending now, read from Camel's inflight repository (browsing it is turned
 * on by {@link #browse}): each exchange of the {@code outbox-pickup} route is one parcel, named by its
 * {@code CaravanParcel} header; over HTTP its upload ({@link Shipper#UPLOAD}) tells the session, the
 * chunks and bytes sent so far and the source's size. A snapshot in the form of the receiver's
 * sessions, so the console shows both alike; the file transport's parcels show no bytes.
 */
public final class SendsInFlight {

    /** The outbox's route: its exchanges are the parcels being sent. */
    static final String ROUTE = "outbox-pickup";

    private final CamelContext context;

    private SendsInFlight(CamelContext context) {
        this.context = context;
    }

    /** Turns on browsing of {@code context}'s inflight exchanges (off by default in Camel) and reads them. */
    public static SendsInFlight browse(CamelContext context) {
        context.getInflightRepository().setInflightBrowseEnabled(true);
        return new SendsInFlight(context);
    }

    /** The parcels in flight now, oldest first. */
    public List<SessionProgress> now() {
        List<SessionProgress> sends = new ArrayList<>();
        Set<ParcelUpload> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (InflightRepository.InflightExchange inflight : context.getInflightRepository().browse(ROUTE)) {
            Exchange exchange = inflight.getExchange();
            if (exchange.getProperty(ExchangePropertyKey.SPLIT_INDEX) != null) {
                continue; // a chunk of a parcel, not the parcel
            }
            ParcelUpload upload = exchange.getProperty(Shipper.UPLOAD, ParcelUpload.class);
            if (upload != null && !seen.add(upload)) {
                continue;
            }
            String name = exchange.getMessage().getHeader(CaravanHeaders.PARCEL, String.class);
            Instant started = Instant.ofEpochMilli(exchange.getClock().getCreated());
            sends.add(upload == null
                    ? new SessionProgress(exchange.getExchangeId(), name, null, null, started, 0, 0, null)
                    : new SessionProgress(upload.sessionId(), name, upload.raw() ? SessionMeta.RAW : SessionMeta.ARCHIVE, null, started,
                            upload.sentChunks(), upload.sentBytes(), upload.sourceBytes()));
        }
        sends.sort(Comparator.comparing(SessionProgress::startedAt));
        return sends;
    }
}
