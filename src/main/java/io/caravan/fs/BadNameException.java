package io.caravan.fs;

import io.caravan.CaravanException;
import java.util.Map;

/** A name or path that breaks one of the {@link NameRules}; answered with 400 ({@code bad_request}) over HTTP, naming the rule. */
public class BadNameException extends CaravanException {

    private final String name;

    public BadNameException(String name, String rule) {
        super("name '" + NameRules.printable(name) + "' refused: " + rule);
        this.name = name;
    }

    public String name() {
        return name;
    }

    @Override
    public int httpStatus() {
        return 400;
    }

    @Override
    public String code() {
        return "bad_request";
    }

    @Override
    public Map<String, Object> details() {
        return Map.of("name", name);
    }
}
