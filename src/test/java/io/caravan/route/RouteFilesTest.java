package io.caravan.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route file parses with Camel's YAML DSL, uses only placeholders that application.properties
 * defines, and names its routes, so a typo fails the build, not production.
 */
class RouteFilesTest {

    static List<Path> routeFiles() throws Exception {
        try (var files = Files.list(Path.of("routes"))) {
            return files.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void parsesAndEveryRouteHasAnId(Path file) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            // every placeholder must be a key of application.properties (http-max-body is derived at start)
            context.getPropertiesComponent().setLocation("file:application.properties");
            context.getPropertiesComponent().addInitialProperty("caravan.receiver.http-max-body", "1");
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString(file.getFileName().toString(),
                    Files.readString(file)));
            List<RouteDefinition> routes = ((ModelCamelContext) context).getRouteDefinitions();
            assertThat(routes).isNotEmpty();
            routes.stream().filter(r -> !r.getInput().getEndpointUri().startsWith("rest:"))
                    .forEach(r -> assertThat(r.getRouteId()).as("route id in " + file).isNotBlank());
            ((ModelCamelContext) context).getRestDefinitions().forEach(rest -> rest.getVerbs()
                    .forEach(verb -> assertThat(verb.getId()).as("id of " + verb.getPath() + " in " + file).isNotBlank()));
            assertThat(Files.readString(file)).as("no literal schedules or folders in routes; use {{placeholders}}")
                    .doesNotContain("data/");
        }
    }
}
