package io.caravan.app;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which side of a transfer a Caravan process runs ({@code caravan.role}): only the values listed here exist. */
public enum Role {
    SENDER, RECEIVER, BOTH;

    /** The role named {@code value} (case as typed is kept in the message); refuses any other value, naming the allowed ones. */
    public static Role parse(String value) {
        for (Role role : values()) {
            if (role.name().toLowerCase(Locale.ROOT).equals(value)) {
                return role;
            }
        }
        throw new IllegalArgumentException("caravan.role (--role) is '" + value + "': use one of "
                + Arrays.stream(values()).map(Role::toString).collect(Collectors.joining(", ")));
    }

    public boolean sends() {
        return this != RECEIVER;
    }

    public boolean receives() {
        return this != SENDER;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
