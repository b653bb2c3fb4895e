package io.caravan.cli;

import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
import io.caravan.pack.PackOptions;
import io.caravan.unpack.OnConflict;
import io.caravan.util.DataSize;
import io.caravan.util.Durations;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option converters whose failures picocli reports as usage errors (exit code 2). */
final class Converters {

    private Converters() {
    }

    /**
     * Every path argument of every command: an empty or blank one (an unset shell variable) would be
     * the current folder to {@link Path#of}, sent, written into or replaced without having been named.
     */
    static final class NonEmptyPath implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            if (value.isBlank()) {
                throw new TypeConversionException("the path is empty: name the file or folder (the current folder is '.')");
            }
            return Path.of(value);
        }
    }

    static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return DataSize.parse(value);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * Every whole-number option (registered for {@code int}, {@code long} and their boxes on the whole command
     * line): a number too large or too small for its type is named with the type's range instead of the JDK's
     * "For input string". An option with a range of its own names its converter below, and a number out of
     * it, too large for its type or not, is refused naming that range (picocli's line names the option).
     */
    static class WholeNumber<T> implements ITypeConverter<T> {
        private final long min;
        private final long max;
        private final java.util.function.LongFunction<T> box;
        /** The option's range in words ("1-20"; empty: its bounds say it all); null: the type's range. */
        private final String range;

        private WholeNumber(long min, long max, java.util.function.LongFunction<T> box) {
            this(min, max, box, null);
        }

        private WholeNumber(long min, long max, java.util.function.LongFunction<T> box, String range) {
            this.min = min;
            this.max = max;
            this.box = box;
            this.range = range;
        }

        static WholeNumber<Integer> ints() {
            return new WholeNumber<>(Integer.MIN_VALUE, Integer.MAX_VALUE, v -> (int) v);
        }

        static WholeNumber<Long> longs() {
            return new WholeNumber<>(Long.MIN_VALUE, Long.MAX_VALUE, v -> v);
        }

        @Override
        public T convert(String value) {
            String text = value.trim();
            String detail = range == null || range.isEmpty() ? "" : " (" + range + ")";
            if (!text.matches("[-+]?\\d+")) {
                throw new TypeConversionException("'" + value + "' is not a whole number" + detail);
            }
            java.math.BigInteger number = new java.math.BigInteger(text);
            String here = range == null ? "a number here is " : "";
            if (number.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
                throw new TypeConversionException("'" + value + "' is too large: " + here + "at most " + max + detail);
            }
            if (number.compareTo(java.math.BigInteger.valueOf(min)) < 0) {
                throw new TypeConversionException("'" + value + "' is too small: " + here + "at least " + min + detail);
            }
            return box.apply(number.longValue());
        }
    }

    /** {@code sync --workers}: parcels in flight, 1-20. */
    static final class Workers extends WholeNumber<Integer> {
        Workers() {
            super(1, 20, v -> (int) v, "1-20");
        }
    }

    /** {@code send --parallel}: chunks in flight, 1-64. */
    static final class SendParallel extends WholeNumber<Integer> {
        SendParallel() {
            super(1, 64, v -> (int) v, "1-64");
        }
    }

    /** {@code get --parallel}: chunks fetched at once, 1-32. */
    static final class GetParallel extends WholeNumber<Integer> {
        GetParallel() {
            super(1, 32, v -> (int) v, "1-32");
        }
    }

    /**
     * {@code --level}: within the widest of the codecs' ranges (and zip's 0-9), each codec's own range
     * checked once the codec is known.
     */
    static final class Level extends WholeNumber<Integer> {
        Level() {
            super(0, Codecs.highestLevel(), v -> (int) v, "each codec its own: " + Codecs.levels() + ", zip 0-9");
        }
    }

    /** A count or ratio that is 0 or more ({@code --max-delete}, {@code --max-expansion}). */
    static final class NotNegative extends WholeNumber<Long> {
        NotNegative() {
            super(0, Long.MAX_VALUE, v -> v, "");
        }
    }

    /** {@code --chunk-size}: a size from 1 byte to 1 GiB. */
    static final class ChunkSize implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long size;
            try {
                size = DataSize.parse(value);
            } catch (DataSize.TooLarge e) {
                size = Long.MAX_VALUE;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            if (size < 1 || size > PackOptions.MAX_CHUNK_SIZE) {
                throw new TypeConversionException("'" + value + "' is too " + (size < 1 ? "small: at least 1 byte"
                        : "large: at most 1 GiB") + " (a chunk is 1 byte to 1 GiB)");
            }
            return size;
        }
    }

    /** Every {@code --port}: 1-65535. */
    static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String text = value.trim();
            if (!text.matches("\\d{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
                throw new TypeConversionException("'" + value + "' is not a port: a port is 1-65535");
            }
            return Integer.parseInt(text);
        }
    }

    /**
     * Every {@code --token}: it travels in an HTTP header, so a control character (a line break from a file
     * read with {@code $(...)}) or a character outside ASCII is refused, and the token is not printed.
     */
    static final class Token implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 || c > 0x7e) {
                    throw new TypeConversionException("the token holds " + (c < 0x20 || c == 0x7f
                            ? "a control character (a line break?)" : "a character outside ASCII") + " at character "
                            + (i + 1) + " (the token is not printed here): a token is printable ASCII");
                }
            }
            return value;
        }
    }

    static final class CodecName implements ITypeConverter<Codec> {
        @Override
        public Codec convert(String value) {
            try {
                return Codecs.byName(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Conflict implements ITypeConverter<OnConflict> {
        @Override
        public OnConflict convert(String value) {
            try {
                return OnConflict.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Period implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
