package io.caravan.route.send;

import java.util.Set;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;

/**
 * Makes an {@link Error} thrown by a step of a parcel's routes (the outbox's and the shipping routes,
 * user steps added to them included) a failure of that parcel's exchange, as an exception is. Camel
 * catches exceptions only: an {@code Error} (running out of heap or of stack) left the step, and Camel
 * had often already been told the step was done, so the steps after it were queued to run as if it had
 * succeeded, later or never, while the error ended the outbox's poll; the parcel was then neither kept
 * for a retry nor moved to {@code .failed/}. Here each step's completion is held until the step
 * returns; one that throws an {@code Error} completes with the error set on the exchange (Camel keeps
 * it as the cause of a {@code CamelExecutionException}), so the route's error handler and
 * {@link Outbox#failed} decide for the parcel.
 */
public final class ErrorsAsFailures implements InterceptStrategy {

    private final Set<String> routes;

    /** Wraps the steps of the routes {@code routes} (their ids). */
    public ErrorsAsFailures(Set<String> routes) {
        this.routes = Set.copyOf(routes);
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target, Processor nextTarget) {
        RouteDefinition route = ProcessorDefinitionHelper.getRoute(definition);
        return route != null && routes.contains(route.getRouteId()) ? new Step(target) : target;
    }

    /** One step, whose {@code Error} fails the exchange. */
    private static final class Step extends DelegateAsyncProcessor {

        Step(Processor step) {
            super(step);
        }

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            HeldCompletion held = new HeldCompletion(callback);
            boolean sync;
            try {
                sync = processor.process(exchange, held);
            } catch (Error e) {
                exchange.setException(e);
                held.returned(true);
                return true;
            }
            held.returned(false);
            return sync;
        }
    }

    /**
     * A step's completion, passed on once the step has returned (at once when it completes later, from
     * another thread): a step that completes and then throws an {@code Error} is not taken as done
     * without it. Passed on once.
     */
    private static final class HeldCompletion implements AsyncCallback {

        private final AsyncCallback callback;
        private boolean returned;
        private boolean completed;
        private boolean completedSync;
        private boolean passedOn;

        HeldCompletion(AsyncCallback callback) {
            this.callback = callback;
        }

        @Override
        public void done(boolean doneSync) {
            synchronized (this) {
                if (passedOn) {
                    return;
                }
                if (!returned) {
                    completed = true;
                    completedSync = doneSync;
                    return;
                }
                passedOn = true;
            }
            callback.done(doneSync);
        }

        /** The step returned ({@code failed}: with an {@code Error}, which ends it whatever it completed). */
        void returned(boolean failed) {
            boolean sync;
            synchronized (this) {
                returned = true;
                if (passedOn || !failed && !completed) {
                    return; // passed on already, or the step completes later
                }
                passedOn = true;
                sync = failed || completedSync;
            }
            callback.done(sync);
        }
    }
}
