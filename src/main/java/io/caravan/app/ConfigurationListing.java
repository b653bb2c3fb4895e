package io.caravan.app;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertiesLookupListener;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The property listing, at debug level ({@code -v}): every {@code caravan.*} key the configuration
 * and the routes looked up, with its value and where it came from (the user's file, the packaged
 * defaults, a flag), logged once Camel has started. Tokens and passwords are masked.
 */
final class ConfigurationListing extends EventNotifierSupport implements PropertiesLookupListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigurationListing.class);

    private final Map<String, String> seen = new ConcurrentSkipListMap<>();

    /** Listens to the context's lookups when debug lines are wanted; costs nothing otherwise. */
    static void install(CamelContext context) throws Exception {
        if (!LOG.isDebugEnabled()) {
            return;
        }
        ConfigurationListing listing = new ConfigurationListing();
        context.getPropertiesComponent().addPropertiesLookupListener(listing);
        context.getManagementStrategy().addEventNotifier(listing);
    }

    @Override
    public void onLookup(String name, String value, String defaultValue, String source) {
        if (name.startsWith("caravan.")) {
            seen.put(name, (secret(name) && value != null && !value.isEmpty() ? "xxxxxx" : value)
                    + (source == null ? "" : "   [" + source + "]"));
        }
    }

    private static boolean secret(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        return key.endsWith("token") || key.endsWith("password");
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStartedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        LOG.debug("configuration ({} keys):", seen.size());
        seen.forEach((key, value) -> LOG.debug("  {} = {}", key, value));
    }
}
