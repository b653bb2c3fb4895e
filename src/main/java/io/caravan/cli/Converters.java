package io.caravan.cli;

import io.caravan.pack.Codec;
import io.caravan.pack.Codecs;
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
     * "For input string"; each option checks its own range after.
     */
    static final class WholeNumber<T> implements ITypeConverter<T> {
        private final long min;
        private final long max;
        private final java.util.function.LongFunction<T> box;

        private WholeNumber(long min, long max, java.util.function.LongFunction<T> box) {
            this.min = min;
            this.max = max;
            this.box = box;
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
            if (!text.matches("[-+]?\\d+")) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
            java.math.BigInteger number = new java.math.BigInteger(text);
            if (number.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
                throw new TypeConversionException("'" + value + "' is too large: a number here is at most " + max);
            }
            if (number.compareTo(java.math.BigInteger.valueOf(min)) < 0) {
                throw new TypeConversionException("'" + value + "' is too small: a number here is at least " + min);
            }
            return box.apply(number.longValue());
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
