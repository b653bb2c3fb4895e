package io.caravan.cli;

import io.caravan.fs.NameRules;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The parcel {@code caravan get} is asked for: a name as the receiver lists it, fetched from the
 * receiver of {@code --to}, or {@code http(s)://host:port/<name>}. Judged before anything is fetched
 * or written: an empty or blank name, a URL without a host or a name, and a name the name rules
 * refuse are each an {@link IllegalArgumentException} (a usage error) saying what to give instead.
 */
record RemoteParcel(String url, String name) {

    private static final String EXAMPLE = "e.g. backup/www or http://10.0.1.100:8834/backup/www";

    /** The parcel {@code remote} names; {@code receiver}: the receiver's URL when {@code remote} is a name alone. */
    static RemoteParcel of(String remote, String receiver) {
        if (remote.isBlank()) {
            throw new IllegalArgumentException("the parcel's name is empty: give its name as the receiver lists it, " + EXAMPLE);
        }
        if (!remote.startsWith("http://") && !remote.startsWith("https://")) {
            return new RemoteParcel(receiver, checked(remote, remote));
        }
        URI uri;
        try {
            uri = new URI(remote);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + remote + "' is not a valid URL (see its host, port and %-escapes,"
                    + " and spell a space %20): give http://host:port/<name>, " + EXAMPLE);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("'" + remote + "' names no receiver: give http://host:port/<name>, " + EXAMPLE);
        }
        String url = uri.getScheme() + "://" + uri.getRawAuthority();
        String name = URLDecoder.decode(uri.getRawPath().replaceFirst("^/+", ""), StandardCharsets.UTF_8);
        if (name.isBlank()) {
            throw new IllegalArgumentException("'" + remote + "' names no parcel: add its name, e.g. " + url + "/backup/www");
        }
        return new RemoteParcel(url, checked(name, remote));
    }

    private static String checked(String name, String remote) {
        String problem = NameRules.problem(name);
        if (problem != null) {
            throw new IllegalArgumentException("'" + remote + "' is not a parcel's name: " + problem);
        }
        return name;
    }
}
