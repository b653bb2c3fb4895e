package io.caravan.receiver;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A {@link ReceiverFixture} started before and stopped after each test (on an instance field with
 * {@code @RegisterExtension}) or once for the class (on a static field). The inbox comes from the
 * test's {@code @TempDir}, read when the receiver starts, so JUnit has injected it by then; lifecycle
 * methods and tests get the running receiver as a {@code ReceiverFixture} parameter.
 *
 * <pre>{@code
 * @TempDir static Path tmp;
 * @RegisterExtension
 * static final RunningReceiver RECEIVER = RunningReceiver.at(() -> tmp.resolve("inbox")).token("secret");
 * }</pre>
 */
public final class RunningReceiver implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {

    private final Supplier<Path> inbox;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private ReceiverFixture fixture;
    /** The test class whose {@code beforeAll} started the receiver (null when it runs per test). */
    private Class<?> owner;

    private RunningReceiver(Supplier<Path> inbox) {
        this.inbox = inbox;
    }

    /** A receiver publishing into the folder {@code inbox} names when the receiver starts. */
    public static RunningReceiver at(Supplier<Path> inbox) {
        return new RunningReceiver(Objects.requireNonNull(inbox, "inbox"));
    }

    /** Sets a configuration key of the receiver (e.g. {@code caravan.receiver.max-sessions}). */
    public RunningReceiver property(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /** Sets several configuration keys of the receiver. */
    public RunningReceiver properties(Map<String, String> more) {
        properties.putAll(more);
        return this;
    }

    /** The bearer token the receiver requires ({@code caravan.receiver.token}). */
    public RunningReceiver token(String token) {
        return property("caravan.receiver.token", token);
    }

    /** The running receiver; fails outside the tests it serves. */
    public ReceiverFixture fixture() {
        if (fixture == null) {
            throw new IllegalStateException("the receiver runs only while a test of its class runs");
        }
        return fixture;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (fixture == null) {
            owner = context.getRequiredTestClass();
            fixture = new ReceiverFixture(inbox.get(), properties);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (fixture == null) {
            fixture = new ReceiverFixture(inbox.get(), properties);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (owner == null) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (context.getRequiredTestClass() == owner) {
            stop();
        }
    }

    private void stop() throws Exception {
        if (fixture != null) {
            try {
                fixture.close();
            } finally {
                fixture = null;
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ReceiverFixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (fixture == null) {
            throw new ParameterResolutionException("no receiver runs for " + parameter.getDeclaringExecutable());
        }
        return fixture;
    }
}
