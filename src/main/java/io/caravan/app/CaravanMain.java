package io.caravan.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.camel.main.Main;

/**
 * Boots Camel with Caravan's configuration and the given route files. Properties are layered: the
 * packaged {@code application.properties} holds every key, the user's file (the one in the working
 * folder, or the one given with {@code --config}) overrides some of them, environment variables and
 * flags override both.
 */
public final class CaravanMain {

    private static final String PACKAGED = "application.properties";
    private static final String INBOX = "caravan.receiver.inbox";

    private CaravanMain() {
    }

    /** A configured, not yet started Camel main running the named route files ({@code receiver}, ...). */
    public static Main create(List<String> routeNames, Map<String, String> overrides) {
        return create(routeNames, overrides, null);
    }

    /** As {@link #create(List, Map)}, with the user's properties from {@code config} instead of the working folder's. */
    public static Main create(List<String> routeNames, Map<String, String> overrides, Path config) {
        try {
            userProperties(config); // a key given twice is refused before Camel reads the file, keeping the last
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Main main = new Main();
        main.configure().addConfiguration(CaravanConfiguration.class);
        main.configure().withRoutesIncludePattern(routeNames.stream().map(CaravanMain::routeLocation)
                .collect(Collectors.joining(",")));
        main.setPropertyPlaceholderLocations(placeholderLocations(config));
        overrides.forEach(main::addOverrideProperty);
        return main;
    }

    /**
     * Runs Camel with these routes until the process is stopped. A receiver (or a sender's console)
     * whose port is taken fails before anything starts, with a {@link PortInUseException} that names the port.
     */
    public static void run(List<String> routeNames, Map<String, String> overrides, Path config) throws Exception {
        boolean console = !routeNames.contains("receiver") && routeNames.contains("console");
        String prefix = console ? "caravan.console." : "caravan.receiver.";
        String host = property(prefix + "host", overrides, config, "127.0.0.1");
        int port = Integer.parseInt(property(prefix + "port", overrides, config, console ? "8835" : "8834"));
        String advice = console ? PortInUseException.CONSOLE_ADVICE : PortInUseException.RECEIVER_ADVICE;
        if (routeNames.contains("receiver")) {
            InboxFolder.check(Path.of(property(INBOX, overrides, config, "data/inbox")), origin(INBOX, overrides, config));
        }
        if (routeNames.contains("receiver") || console) {
            PortInUseException.requireFree(host, port, advice);
        }
        try {
            create(routeNames, overrides, config).run();
        } catch (Exception e) {
            java.net.BindException bind = PortInUseException.bindFailure(e);
            throw bind != null ? new PortInUseException(host, port, advice, bind) : e;
        }
    }

    /**
     * The user's file, then the packaged defaults: where several locations hold a key, Camel takes it
     * from the first one that has it (checked by UserConfigurationFallsBackToDefaultsIT).
     */
    static String placeholderLocations(Path config) {
        Path user = config != null ? userFile(config) : Path.of(PACKAGED);
        return (Files.isRegularFile(user) ? "file:" + user.toAbsolutePath() + "," : "") + "classpath:" + PACKAGED;
    }

    /**
     * A property as Camel will see it, before Camel starts: the override if given, else the
     * environment variable ({@code caravan.role} → {@code CARAVAN_ROLE}), else the user's file, else
     * the packaged application.properties.
     */
    public static String property(String key, Map<String, String> overrides, Path config, String fallback) throws IOException {
        if (overrides.containsKey(key)) {
            return overrides.get(key);
        }
        String env = System.getenv(environmentName(key));
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        String value = userProperties(config).getProperty(key);
        if (value == null) {
            value = packagedProperties().getProperty(key);
        }
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    /**
     * Where {@link #property} takes {@code key} from, for a message: "set on the command line", "from the
     * environment variable CARAVAN_...", "in &lt;the user's file&gt;" or "the packaged default".
     */
    public static String origin(String key, Map<String, String> overrides, Path config) throws IOException {
        if (overrides.containsKey(key)) {
            return "set on the command line";
        }
        String env = System.getenv(environmentName(key));
        if (env != null && !env.isBlank()) {
            return "from the environment variable " + environmentName(key);
        }
        String value = userProperties(config).getProperty(key);
        if (value != null && !value.isBlank()) {
            return "in " + (config != null ? config : Path.of(PACKAGED)).toAbsolutePath();
        }
        return "the packaged default";
    }

    private static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The user's file ({@code config}, else the working folder's if there is one), a key given twice in it refused. */
    private static Properties userProperties(Path config) throws IOException {
        Path user = config != null ? userFile(config) : Path.of(PACKAGED);
        return Files.isRegularFile(user) ? PropertiesFile.load(user) : new Properties();
    }

    private static Properties packagedProperties() throws IOException {
        try (InputStream in = CaravanMain.class.getResourceAsStream("/" + PACKAGED)) {
            return in == null ? new Properties()
                    : PropertiesFile.load(new String(in.readAllBytes(), StandardCharsets.UTF_8), "the packaged " + PACKAGED);
        }
    }

    private static Path userFile(Path config) {
        if (!Files.isRegularFile(config)) {
            throw new IllegalArgumentException("--config: no properties file at " + config.toAbsolutePath());
        }
        return config;
    }

    static String routeLocation(String name) {
        Path file = Path.of("routes", name + ".camel.yaml");
        return Files.isRegularFile(file) ? "file:" + file : "classpath:routes/" + name + ".camel.yaml";
    }
}
