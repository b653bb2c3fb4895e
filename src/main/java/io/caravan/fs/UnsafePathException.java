package io.caravan.fs;

import io.caravan.CaravanException;
import java.util.Map;

/**
 * A path that cannot be used without leaving its destination or acting through a link: a parent
 * that is a symbolic link or a file, an absolute form, a {@code .} or {@code ..} part. Answered with
 * 409 over HTTP, since the destination's current state (or the name) is what prevents it.
 */
public class UnsafePathException extends CaravanException {

    private final String path;
    private final String why;

    public UnsafePathException(String path, String why) {
        super("path '" + path + "' refused: " + why + "; nothing was changed there");
        this.path = path;
        this.why = why;
    }

    public String path() {
        return path;
    }

    /** Why the path was refused, without the rest of the message (for a caller that goes on to act on it). */
    public String why() {
        return why;
    }

    @Override
    public int httpStatus() {
        return 409;
    }

    @Override
    public String code() {
        return "unsafe_path";
    }

    @Override
    public Map<String, Object> details() {
        return Map.of("path", path);
    }
}
