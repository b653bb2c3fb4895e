package io.caravan.route;

import io.caravan.app.CaravanConfiguration;
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
}
