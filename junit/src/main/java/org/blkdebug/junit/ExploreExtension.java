package org.blkdebug.junit;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.EventName;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.explore.Choice;
import org.blkdebug.engine.explore.Explorer;
import org.blkdebug.engine.explore.Orders;
import org.blkdebug.engine.explore.Run;
import org.blkdebug.engine.explore.Sweep;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Turns {@link FailEach} and {@link ExploreOrders} into one invocation per choice: a sweep whose
 * next run depends on the last one's outcome, so invocations are made one at a time as JUnit
 * asks for them (JUnit runs each before asking for the next; a parallel run of one template's
 * invocations is refused).
 */
public final class ExploreExtension implements TestTemplateInvocationContextProvider {
    static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ExploreExtension.class);
    static final String RUN = "run";

    /** What TestDevice applies to the device of one invocation, and the crash check that follows it. */
    record Explored(Run run, Duration settle, Method check) {
        boolean crashes() {
            return run.planned().crash() > 0 || check != null;
        }
    }
    /** {@code -Dblkdebug.explore.choice=fail:3/order:w0+512,f}: run that invocation alone. */
    public static final String CHOICE_PROPERTY = "blkdebug.explore.choice";

    @Override
    public boolean supportsTestTemplate(ExtensionContext ec) {
        return ec.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, FailEach.class)
                || AnnotationSupport.isAnnotated(m, ExploreOrders.class)
                || AnnotationSupport.isAnnotated(m, CrashEach.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext ec) {
        Method m = ec.getRequiredTestMethod();
        Explorer.Builder b = Explorer.builder();
        Duration settle = Orders.DEFAULT_SETTLE;
        FailEach fail = AnnotationSupport.findAnnotation(m, FailEach.class).orElse(null); // the annotation
        ExploreOrders orders = AnnotationSupport.findAnnotation(m, ExploreOrders.class).orElse(null);
        CrashEach crash = AnnotationSupport.findAnnotation(m, CrashEach.class).orElse(null);
        if (fail != null) {
            b.failEach(failEach(fail));
        }
        Method check = null;
        if (crash != null) {
            b.crashEach(crashEach(crash));
            b.seed(Long.getLong(Seeds.PROPERTY, 0L));
            check = crash.check().isEmpty() ? null : checkMethod(ec.getRequiredTestClass(), crash.check());
        }
        if (orders != null) {
            b.orders(orders(orders));
            settle = Duration.ofMillis(orders.settleMillis());
            b.seed(Long.getLong(Seeds.PROPERTY, 0L));
        }
        String only = System.getProperty(CHOICE_PROPERTY);
        try {
            if (only != null && !only.isBlank()) {
                b.only(Choice.parse(only));
            }
            Explorer explorer = b.build();
            Iterator<TestTemplateInvocationContext> it = new Invocations(explorer, settle, check);
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false);
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException("blkdebug: -D" + CHOICE_PROPERTY + "=" + only + ": " + e.getMessage());
        }
    }

    static org.blkdebug.engine.explore.FailEach failEach(FailEach a) {
        org.blkdebug.engine.explore.FailEach f = org.blkdebug.engine.explore.FailEach.everyRequest()
                .withEvent(event(a.event())).withErrno(a.errno()).withPersistent(a.persistent());
        if (!a.iotype().isEmpty()) {
            f = f.withIoType(IoType.byName(a.iotype()).orElseThrow(() -> new ExtensionConfigurationException(
                    "blkdebug: unknown iotype '" + a.iotype() + "'")));
        }
        return f;
    }

    static Orders orders(ExploreOrders a) {
        if (a.value().length == 0) {
            throw new ExtensionConfigurationException("blkdebug: @ExploreOrders needs at least one event");
        }
        List<EventName> events = java.util.Arrays.stream(a.value()).map(ExploreExtension::event).toList();
        return new Orders(events, a.max(), Duration.ofMillis(a.settleMillis()));
    }

    private static EventName event(String name) {
        return Event.byName(name).orElseThrow(() -> new ExtensionConfigurationException(
                "blkdebug: unknown event '" + name + "' (QEMU's names, e.g. write_aio)"));
    }

    /** The sweep as JUnit pulls it: the previous run is recorded before the next one is made. */
    private static final class Invocations implements Iterator<TestTemplateInvocationContext> {
        private final Explorer explorer;
        private final Duration settle;
        private final Method check;
        private Run pending;
        private Outcome outcome;
        private Run next;
        private boolean over;

        Invocations(Explorer explorer, Duration settle, Method check) {
            this.explorer = explorer;
            this.settle = settle;
            this.check = check;
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (over) {
                return false;
            }
            if (pending != null) {
                if (outcome == null) {
                    throw new ExtensionConfigurationException("blkdebug: the invocations of an explored test must run "
                            + "one after another (the next choice depends on the last outcome)");
                }
                explorer.done(pending, outcome.failing, outcome.text);
                pending = null;
            }
            next = explorer.next();
            over = next == null;
            return !over;
        }

        @Override
        public TestTemplateInvocationContext next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Run run = next;
            next = null;
            pending = run;
            outcome = null;
            return new Invocation(new Explored(run, settle, check), o -> outcome = o);
        }
    }

    private record Outcome(boolean failing, String text) {
    }

    /** One run as one invocation: its device gets the run's rule and holds (see TestDevice). */
    private record Invocation(Explored explored, java.util.function.Consumer<Outcome> result)
            implements TestTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return "[" + invocationIndex + "] " + explored.run().planned();
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            Run run = explored.run();
            BeforeEachCallback before = ec -> ec.getStore(NS).put(RUN, explored);
            TestExecutionExceptionHandler replay = (ec, t) -> {
                run.awaitCrash();
                if (run.crashed() && Sweep.lostPower(t)) {
                    return; // the test method stopped where the power went: the check judges
                }
                t.addSuppressed(new ReplayHint(ec, run));
                throw t;
            };
            AfterTestExecutionCallback after = ec -> {
                if (run.scheduler() != null) {
                    run.scheduler().stopAuto(); // what is still held, close releases
                }
                Throwable t = ec.getExecutionException().orElse(null);
                if (t == null && explored.crashes()) {
                    run.scenarioEnded(); // a run chosen to crash at the end crashes now
                    run.awaitCrash();
                    try {
                        checkImage(ec, explored);
                    } catch (Exception | Error c) {
                        c.addSuppressed(new ReplayHint(ec, run));
                        result.accept(new Outcome(true, Sweep.outcome(c)));
                        throw c;
                    }
                }
                result.accept(new Outcome(t != null, Sweep.outcome(t)));
            };
            return List.of(before, replay, after);
        }
    }

    static org.blkdebug.engine.explore.CrashEach crashEach(CrashEach a) {
        org.blkdebug.engine.crash.CrashChoice keep = switch (a.keep()) {
            case "none" -> new org.blkdebug.engine.crash.CrashChoice.Durable();
            case "all" -> new org.blkdebug.engine.crash.CrashChoice.All();
            case "random" -> new org.blkdebug.engine.crash.CrashChoice.Random(0, a.torn());
            default -> throw new ExtensionConfigurationException("blkdebug: @CrashEach(keep) is none, all or random, not '"
                    + a.keep() + "'");
        };
        if (a.torn() && !a.keep().equals("random")) {
            throw new ExtensionConfigurationException("blkdebug: @CrashEach(torn = true) goes with keep = \"random\"");
        }
        try {
            return new org.blkdebug.engine.explore.CrashEach(
                    org.blkdebug.engine.explore.CrashEach.Point.byName(a.value()), keep);
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException("blkdebug: @CrashEach: " + e.getMessage());
        }
    }

    private static Method checkMethod(Class<?> testClass, String name) {
        for (Class<?> c = testClass; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name)) {
                    for (Class<?> p : m.getParameterTypes()) {
                        if (p != org.blkdebug.engine.Device.class && p != java.nio.channels.FileChannel.class
                                && p != org.blkdebug.engine.nio.BlkDebugFileChannel.class) {
                            throw new ExtensionConfigurationException("blkdebug: @CrashEach check method '" + name
                                    + "' takes Device, FileChannel or BlkDebugFileChannel, not " + p.getSimpleName());
                        }
                    }
                    m.setAccessible(true);
                    return m;
                }
            }
        }
        throw new ExtensionConfigurationException("blkdebug: no method '" + name + "' in " + testClass.getName()
                + " for @CrashEach(check)");
    }

    /** Runs the crash check on a fresh device over the image the invocation left. */
    private static void checkImage(ExtensionContext ec, Explored explored) throws Exception {
        if (explored.check() == null) {
            return;
        }
        TestDevice td = BlkDebugExtension.testDevice(ec);
        if (td == null) {
            throw new ExtensionConfigurationException("blkdebug: @CrashEach needs the test to take its Device or FileChannel");
        }
        try (org.blkdebug.engine.Device after = td.reopenImage();
             org.blkdebug.engine.nio.BlkDebugFileChannel ch = org.blkdebug.engine.nio.BlkDebugFileChannel.open(after,
                     java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            Class<?>[] types = explored.check().getParameterTypes();
            Object[] args = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                args[i] = types[i] == org.blkdebug.engine.Device.class ? after : ch;
            }
            try {
                explored.check().invoke(ec.getRequiredTestInstance(), args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw e.getCause() instanceof Exception ex ? ex : e;
            }
        }
    }

    /** Shown next to a failing invocation's stack trace: how to run it alone. */
    static final class ReplayHint extends Exception {
        ReplayHint(ExtensionContext ec, Run run) {
            super("blkdebug explore: run this invocation alone with -D" + CHOICE_PROPERTY + "=" + run.choice()
                    + " (e.g. mvn test -Dtest=" + ec.getRequiredTestClass().getSimpleName() + "#"
                    + ec.getRequiredTestMethod().getName() + " -D" + CHOICE_PROPERTY + "=" + run.choice() + ")"
                    + (run.injected().isEmpty() ? "" : "; it failed " + String.join(", ", run.injected())),
                    null, false, false);
        }
    }
}
