package io.caravan.receiver;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/** Receiver meters: open sessions, chunks and bytes received, rejections by reason, parcels published. */
final class ReceiverMetrics {

    private final MeterRegistry registry;
    private final Counter chunks;
    private final Counter bytes;
    private final Counter published;

    ReceiverMetrics(MeterRegistry registry, Supplier<Number> openSessions) {
        this.registry = registry;
        Gauge.builder("caravan.sessions.open", openSessions).description("upload sessions open").register(registry);
        chunks = Counter.builder("caravan.chunks.received").description("chunks stored").register(registry);
        bytes = Counter.builder("caravan.bytes.received").baseUnit("bytes").description("chunk bytes stored").register(registry);
        published = Counter.builder("caravan.parcels.published").description("parcels published").register(registry);
    }

    void chunk(long size) {
        chunks.increment();
        bytes.increment(size);
    }

    /** Chunk bytes stored since the receiver started. */
    long bytesReceived() {
        return (long) bytes.count();
    }

    void published() {
        published.increment();
    }

    void rejected(String reason) {
        Counter.builder("caravan.rejections").tag("reason", reason).description("requests refused").register(registry).increment();
    }
}
