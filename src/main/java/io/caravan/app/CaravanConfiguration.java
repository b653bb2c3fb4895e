package io.caravan.app;

import io.caravan.receiver.Receiver;
import io.caravan.receiver.ReceiverApi;
import io.caravan.receiver.ReceiverConfig;
import io.caravan.session.SessionLimits;
import io.caravan.unpack.ExtractPolicy;
import io.caravan.unpack.OnConflict;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the beans the routes use from {@code caravan.*} properties: the receiver and its HTTP
 * binding, and the metrics registry. Also derives the Netty body limit from the chunk limit.
 */
public final class CaravanConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(CaravanConfiguration.class);
    private static final long BODY_SLACK = 1L << 20;

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        context.getRegistry().bind("metricsRegistry", registry);

        long maxChunk = settings.size("caravan.receiver.max-chunk-size", "64MiB");
        SessionLimits limits = new SessionLimits(maxChunk,
                settings.integer("caravan.receiver.max-sessions", 256),
                settings.size("caravan.receiver.max-session-bytes", "1TiB"),
                settings.size("caravan.receiver.min-free-space", "256MiB"));
        ReceiverConfig config = new ReceiverConfig(
                Path.of(settings.text("caravan.receiver.inbox", "data/inbox")).toAbsolutePath().normalize(),
                settings.duration("caravan.receiver.session-ttl", "3d"),
                limits,
                settings.size("caravan.receiver.dedup-min-size", "1MiB"),
                OnConflict.parse(settings.text("caravan.receiver.on-conflict", "replace")),
                ExtractPolicy.DEFAULT.withLimits(settings.integer("caravan.receiver.max-entries", 10_000_000),
                        settings.size("caravan.receiver.max-parcel-bytes", "1TiB")));
        Receiver receiver = new Receiver(config, registry, Clock.systemUTC());
        context.getRegistry().bind("receiver", receiver);
        context.getRegistry().bind("receiverApi", new ReceiverApi(receiver, registry, settings.text("caravan.receiver.token", null)));

        context.getPropertiesComponent().addOverrideProperty("caravan.receiver.http-max-body",
                String.valueOf(Math.min(Integer.MAX_VALUE, maxChunk + BODY_SLACK)));
        LOG.info("receiver: inbox {}, sessions live {}, cleanup cron '{}', chunks up to {} bytes",
                config.inbox(), config.sessionTtl(), settings.text("caravan.receiver.cleanup-cron", "?"), maxChunk);
    }
}
