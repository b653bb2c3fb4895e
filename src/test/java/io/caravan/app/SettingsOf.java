package io.caravan.app;

import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;

/** {@link Settings} read from a Camel context whose only properties are one key's value, if given. */
final class SettingsOf {

    private SettingsOf() {
    }

    /** Settings where {@code key} is {@code value} (null: not set). */
    static Settings one(String key, String value) {
        DefaultCamelContext context = new DefaultCamelContext();
        Properties properties = new Properties();
        if (value != null) {
            properties.setProperty(key, value);
        }
        context.getPropertiesComponent().setInitialProperties(properties);
        return new Settings(context);
    }
}
