package io.caravan.util;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A JSON listing written, and read ({@link #read}), entry by entry: {@code {"<head field>": value, ..., "entries": [entry, ...]}},
 * each entry serialised as Jackson serialises it alone (a map, a record) and written to the stream as
 * the generator's buffer fills, so a listing of any length holds one entry in memory, never the list
 * or the text. The stream is flushed by {@link #end}, and never closed.
 */
public final class ListingJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Entries are not flushed one by one: the stream gets the generator's buffer as it fills. */
    private static final ObjectWriter ENTRY = JSON.writer().without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

    private final JsonGenerator generator;
    private long entries;

    private ListingJson(JsonGenerator generator) {
        this.generator = generator;
    }

    /** Writes the object's {@code head} fields in their order, then opens the {@code entries} array. */
    public static ListingJson begin(OutputStream out, Map<String, ?> head) throws IOException {
        JsonGenerator generator = JSON.getFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        generator.writeStartObject();
        for (Map.Entry<String, ?> field : head.entrySet()) {
            generator.writeFieldName(field.getKey());
            ENTRY.writeValue(generator, field.getValue());
        }
        generator.writeArrayFieldStart("entries");
        return new ListingJson(generator);
    }

    /** Writes one entry of the array. */
    public void entry(Object entry) throws IOException {
        ENTRY.writeValue(generator, entry);
        entries++;
    }

    /**
     * Writes {@code count} spaces (whitespace, which a JSON reader skips, valid anywhere between an entry and
     * the next) and flushes them with whatever the generator holds: keeps the answer moving while the next
     * entry takes long to make.
     */
    public void keepAlive(int count) throws IOException {
        generator.writeRaw(" ".repeat(count));
        generator.flush();
    }

    /** Entries written so far. */
    public long entries() {
        return entries;
    }

    /** Closes the array and the object and flushes the stream (which stays open). */
    public void end() throws IOException {
        generator.writeEndArray();
        generator.writeEndObject();
        generator.close(); // flushes; AUTO_CLOSE_TARGET is off
    }

    /** Too many entries in a listing read by {@link #read}. */
    public static final class TooManyEntriesException extends IOException {
        TooManyEntriesException(String message) {
            super(message);
        }
    }

    /**
     * Reads a listing written as above from {@code in} entry by entry: each of the {@code entries} is
     * given to {@code each} as it is parsed, never the whole list held; returns the other fields that
     * are plain values. More than {@code maxEntries} entries is a {@link TooManyEntriesException}, naming
     * {@code what} was read; text that is not such a listing an IOException.
     */
    public static Map<String, JsonNode> read(InputStream in, long maxEntries, String what,
            Consumer<JsonNode> each) throws IOException {
        return read(in, "entries", maxEntries, what, each);
    }

    /** As {@link #read(InputStream, long, String, Consumer)}, for a listing whose array is the field {@code array}. */
    public static Map<String, JsonNode> read(InputStream in, String array, long maxEntries, String what,
            Consumer<JsonNode> each) throws IOException {
        Map<String, JsonNode> head = new LinkedHashMap<>();
        try (JsonParser parser = JSON.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(what + " is not a listing (a JSON object with " + array + ")");
            }
            long count = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals(array) && value == JsonToken.START_ARRAY) {
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        if (++count > maxEntries) {
                            throw new TooManyEntriesException(what + " holds more than " + maxEntries
                                    + " " + array + ", more than this client takes");
                        }
                        each.accept(JSON.readTree(parser));
                    }
                } else if (value.isScalarValue()) {
                    head.put(field, JSON.readTree(parser));
                } else {
                    parser.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new IOException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
        return head;
    }
}
