package io.caravan.util;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON read as it is typed, for what another program sends or writes (a manifest, a request body): a
 * value of another JSON type than its field's is refused, never coerced (a number is not read as the text
 * "5", a text "5" or a fraction 1.5 not as a whole number, a boolean not as a number or a text), a null
 * where a number must be (a Java primitive) is refused rather than read as 0, and a field given twice in
 * one object is refused rather than the last one kept. {@link #problem} says such a refusal in the terms of
 * the JSON (the field's path, the type it needs, what it holds), never in those of Java or the library.
 */
public final class StrictJson {

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:field|Object property) ['\"](.*)['\"]");
    private static final int MAX_SHOWN = 40;

    private StrictJson() {
    }

    /** A new mapper that reads strictly (a caller may configure how it writes). */
    public static ObjectMapper mapper() {
        ObjectMapper mapper = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    /**
     * What is wrong, in the JSON's terms, when {@code e} refused a field given twice ({@code "sha256 is given
     * twice"}) or a value of another type ({@code "chunks/0/size must be a whole number, not the text \"10\""});
     * null for any other failure.
     */
    public static String problem(JsonProcessingException e) {
        Matcher duplicate = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
        if (duplicate.find()) {
            return duplicate.group(1) + " is given twice";
        }
        if (!(e instanceof MismatchedInputException mismatch) || mismatch.getPath().isEmpty()
                || !(mismatch.getProcessor() instanceof JsonParser parser)) {
            return null;
        }
        return path(mismatch) + " must be " + expected(mismatch.getTargetType()) + ", not " + found(parser);
    }

    /**
     * The parser's complaint in words for whoever sent the JSON, with where it stopped: its own message without the
     * names of its classes and settings ({@code "exceeds the maximum allowed (1000, from
     * `StreamReadConstraints.getMaxNestingDepth()`)"} becomes {@code "exceeds the maximum allowed (1000)"}).
     */
    public static String words(JsonProcessingException e) {
        String said = String.valueOf(e.getOriginalMessage()).replaceAll(",? ?from `[^`]*`", "").replace('`', '\'');
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 1 ? said : said + " (at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    /** The field's path from the top of the document: {@code chunks/0/size}. */
    public static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference step : e.getPath()) {
            path.append(path.isEmpty() ? "" : "/").append(step.getFieldName() != null ? step.getFieldName()
                    : String.valueOf(step.getIndex()));
        }
        return path.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == String.class || CharSequence.class.isAssignableFrom(type)) {
            return "text (a JSON string)";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class
                || type == Short.class || type == short.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }

    private static String found(JsonParser parser) {
        JsonToken token = parser.currentToken();
        if (token == null) {
            return "what it holds";
        }
        return switch (token) {
            case VALUE_NULL -> "null";
            case VALUE_TRUE, VALUE_FALSE -> token.asString();
            case START_OBJECT -> "an object";
            case START_ARRAY -> "a list";
            case VALUE_STRING -> "the text " + shown(parser, true);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + shown(parser, false);
            default -> "what it holds";
        };
    }

    private static String shown(JsonParser parser, boolean quoted) {
        try {
            String text = parser.getText();
            text = text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text;
            return quoted ? "\"" + text + "\"" : text;
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }
}
