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
