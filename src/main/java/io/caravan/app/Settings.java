package io.caravan.app;

import io.caravan.util.DataSize;
import io.caravan.util.Durations;
import java.time.Duration;
import java.util.Optional;
import org.apache.camel.CamelContext;

/** Typed reads of {@code caravan.*} properties, with the message naming the key when a value is wrong. */
final class Settings {

    private final CamelContext context;

    Settings(CamelContext context) {
        this.context = context;
    }

    String text(String key, String fallback) {
        Optional<String> value = context.getPropertiesComponent().resolveProperty(key);
        return value.map(String::trim).filter(v -> !v.isEmpty()).orElse(fallback);
    }

    long size(String key, String fallback) {
        return convert(key, fallback, DataSize::parse);
    }

    Duration duration(String key, String fallback) {
        return convert(key, fallback, Durations::parse);
    }

    int integer(String key, int fallback) {
        return convert(key, String.valueOf(fallback), Integer::parseInt);
    }

    private <T> T convert(String key, String fallback, java.util.function.Function<String, T> parser) {
        String value = text(key, fallback);
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("property " + key + "=" + value + " is not valid: " + e.getMessage(), e);
        }
    }
}
