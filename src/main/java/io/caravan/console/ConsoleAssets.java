package io.caravan.console;

import io.caravan.CaravanException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The console's files, read once from the jar: its pages, script, style sheet and icon (under
 * {@code console/}) and uPlot from its WebJar. Only the names of the allow-list are served, each with
 * its content type; any other name is unknown, whatever it holds ({@code ..}, slashes, class files).
 */
public final class ConsoleAssets {

    /** One file: its bytes and content type. */
    public record Asset(byte[] bytes, String contentType) {
    }

    private static final String JS = "text/javascript; charset=utf-8";
    private static final String CSS = "text/css; charset=utf-8";
    private static final String HTML = "text/html; charset=utf-8";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/";

    private final Map<String, Asset> files;
    private final Map<String, Asset> pages;

    /** Reads every file of the allow-list; fails at start-up, naming the file, when one is missing from the jar. */
    public ConsoleAssets() {
        String uplot = UPLOT + uplotVersion() + "/dist/";
        files = Map.of(
                "console.js", read("console/console.js", JS),
                "console.css", read("console/console.css", CSS),
                "icon.svg", read("console/icon.svg", "image/svg+xml"),
                "uPlot.iife.min.js", read(uplot + "uPlot.iife.min.js", JS),
                "uPlot.min.css", read(uplot + "uPlot.min.css", CSS));
        pages = Map.of(
                "console", read("console/console.html", HTML),
                "login", read("console/login.html", HTML));
    }

    /** The file served as {@code /console/<name>}, if {@code name} is on the allow-list. */
    public Optional<Asset> file(String name) {
        return Optional.ofNullable(name == null ? null : files.get(name));
    }

    /** The console page. */
    public Asset consolePage() {
        return pages.get("console");
    }

    /** The login page; with {@code failed}, its error line shown. */
    public Asset loginPage(boolean failed) {
        Asset page = pages.get("login");
        if (!failed) {
            return page;
        }
        String html = new String(page.bytes(), StandardCharsets.UTF_8)
                .replace("id=\"login-error\" class=\"error\" hidden>", "id=\"login-error\" class=\"error\">");
        return new Asset(html.getBytes(StandardCharsets.UTF_8), page.contentType());
    }

    /** The login page showing {@code error} (plain text of our own, no markup) in place of the wrong-token one. */
    public Asset loginPageSaying(String error) {
        Asset page = pages.get("login");
        String html = new String(page.bytes(), StandardCharsets.UTF_8).replaceFirst(
                "id=\"login-error\" class=\"error\" hidden>[^<]*<", java.util.regex.Matcher.quoteReplacement(
                        "id=\"login-error\" class=\"error\">" + error.replace("&", "&amp;").replace("<", "&lt;") + "<"));
        return new Asset(html.getBytes(StandardCharsets.UTF_8), page.contentType());
    }

    private static String uplotVersion() {
        Properties properties = new Properties();
        try (InputStream in = resource("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }

    private static Asset read(String path, String contentType) {
        try (InputStream in = resource(path)) {
            return new Asset(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the console file " + path + " from the jar", e);
        }
    }

    private static InputStream resource(String path) {
        InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new CaravanException("the console file " + path + " is missing from the jar: rebuild Caravan");
        }
        return in;
    }
}
