package io.caravan.util;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * A JSON listing written entry by entry: {@code {"<head field>": value, ..., "entries": [entry, ...]}},
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
}
