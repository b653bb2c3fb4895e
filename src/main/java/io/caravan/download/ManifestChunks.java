package io.caravan.download;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Counts the chunks a manifest's JSON lists without building them: token by token, so a manifest that
 * lists more chunks than a download may hold is refused before it costs any memory.
 */
final class ManifestChunks {

    private static final JsonFactory JSON = new JsonFactory();

    private ManifestChunks() {
    }

    /**
     * The length of the top-level {@code chunks} array (the longest, should the field repeat); 0 when
     * there is none or the JSON is malformed (parsing it then says what is wrong).
     */
    static long count(byte[] json) {
        long most = 0;
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return 0;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("chunks".equals(field) && value == JsonToken.START_ARRAY) {
                    long n = 0;
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        parser.skipChildren();
                        n++;
                    }
                    most = Math.max(most, n);
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException malformed) {
            return most;
        }
        return most;
    }
}
