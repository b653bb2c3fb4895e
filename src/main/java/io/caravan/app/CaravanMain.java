package io.caravan.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.main.Main;

/**
 * Boots Camel with Caravan's configuration, the given route files and {@code application.properties}
 * (from the working folder if present, else the copy in the jar). Flags become override properties.
 */
public final class CaravanMain {

    private CaravanMain() {
    }

    /** A configured, not yet started Camel main running the named route files ({@code receiver}, ...). */
    public static Main create(List<String> routeNames, Map<String, String> overrides) {
        Main main = new Main();
        main.configure().addConfiguration(CaravanConfiguration.class);
        main.configure().withRoutesIncludePattern(routeNames.stream().map(CaravanMain::routeLocation)
                .collect(Collectors.joining(",")));
        main.setPropertyPlaceholderLocations(Files.isRegularFile(Path.of("application.properties"))
                ? "file:application.properties" : "classpath:application.properties");
        overrides.forEach(main::addOverrideProperty);
        return main;
    }

    /**
     * A property as Camel will see it, before Camel starts: the override if given, else the
     * environment variable ({@code caravan.role} → {@code CARAVAN_ROLE}), else application.properties.
     */
    public static String property(String key, Map<String, String> overrides, String fallback) throws java.io.IOException {
        if (overrides.containsKey(key)) {
            return overrides.get(key);
        }
        String env = System.getenv(key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'));
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        java.util.Properties properties = new java.util.Properties();
        Path file = Path.of("application.properties");
        try (var in = Files.isRegularFile(file) ? Files.newInputStream(file)
                : CaravanMain.class.getResourceAsStream("/application.properties")) {
            if (in != null) {
                properties.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        String value = properties.getProperty(key);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    static String routeLocation(String name) {
        Path file = Path.of("routes", name + ".camel.yaml");
        return Files.isRegularFile(file) ? "file:" + file : "classpath:routes/" + name + ".camel.yaml";
    }
}
