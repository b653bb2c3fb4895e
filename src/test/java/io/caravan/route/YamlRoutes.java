package io.caravan.route;

import io.caravan.app.CaravanConfiguration;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.main.MainConfigurationProperties;

/**
 * The application as {@code caravan run} assembles it, for in-process tests with camel-test-main:
 * the repository's {@code routes/<name>.camel.yaml} files and the beans of {@link CaravanConfiguration},
 * with {@code caravan.*} keys overridden (temporary folders, ports) before the beans are built.
 */
final class YamlRoutes {

    private YamlRoutes() {
    }

    /** Loads the named route files and the application's beans, built with {@code overrides} in effect. */
    static void configure(MainConfigurationProperties configuration, Map<String, String> overrides, String... routes) {
        configuration.addConfiguration(new CamelConfiguration() {
            @Override
            public void configure(CamelContext context) {
                overrides.forEach(context.getPropertiesComponent()::addOverrideProperty);
            }
        });
        configuration.addConfiguration(CaravanConfiguration.class);
        configuration.withRoutesIncludePattern(Stream.of(routes).map(name -> "file:routes/" + name + ".camel.yaml")
                .collect(Collectors.joining(",")));
    }

    /**
     * The keys of {@code caravan run --role sender} shipping over HTTP to the receiver on {@code port},
     * with its outbox and state in {@code tmp}, a settle time of 300 ms and 64 KiB chunks, then
     * {@code more} (key, value, key, value...).
     */
    static Map<String, String> httpSender(Path tmp, int port, String... more) {
        Map<String, String> keys = new HashMap<>(Map.of(
                "caravan.role", "sender",
                "caravan.sender.transport", "http",
                "caravan.sender.url", "http://127.0.0.1:" + port,
                "caravan.sender.outbox", tmp.resolve("outbox").toString(),
                "caravan.sender.state-dir", tmp.resolve("state").toString(),
                "caravan.sender.file-settle-time", "300",
                "caravan.sender.chunk-size", "64KiB"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            keys.put(more[i], more[i + 1]);
        }
        return keys;
    }
}
