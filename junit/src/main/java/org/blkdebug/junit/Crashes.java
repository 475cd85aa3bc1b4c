package org.blkdebug.junit;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.crash.CrashChoice;
import org.blkdebug.engine.nio.BlkDebugFileChannel;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/** {@link Crash} and {@link CrashStates}: after the test, crash and run the {@link AfterCrash} methods. */
final class Crashes {
    /** Rejected states listed in a failure; the count says how many there were. */
    private static final int LISTED = 10;

    private Crashes() {
    }

    /**
     * Runs the test's crash checks, if it asks for any.
     *
     * @param seed the test's seed, for {@code @Crash("--keep random")} without {@code --seed}
     * @return the failure to report, or null
     */
    static AssertionError check(ExtensionContext ec, TestDevice td, LongSupplier seed) throws Exception {
        Method m = ec.getRequiredTestMethod();
        CrashStates states = m.getAnnotation(CrashStates.class);
        Crash crash = m.getAnnotation(Crash.class);
        if (states == null && crash == null) {
            return null;
        }
        if (states != null && crash != null) {
            throw new ExtensionConfigurationException("blkdebug: @Crash and @CrashStates do not go together");
        }
        List<Method> checks = AnnotationSupport.findAnnotatedMethods(ec.getRequiredTestClass(), AfterCrash.class,
                HierarchyTraversalMode.TOP_DOWN);
        if (checks.isEmpty()) {
            throw new ExtensionConfigurationException("blkdebug: @" + (crash != null ? "Crash" : "CrashStates")
                    + " needs an @AfterCrash method to decide each state");
        }
        Object test = ec.getRequiredTestInstance();
        if (states != null) {
            var report = td.device().crashStates(new org.blkdebug.engine.crash.CrashStates.Options(
                    states.max(), states.torn(), states.seed()), s -> {
                        try (Device d = s.open()) {
                            runChecks(test, checks, d, s.choice());
                        }
                    });
            if (report.passed()) {
                return null;
            }
            StringBuilder sb = new StringBuilder("blkdebug: ").append(report.rejected().size()).append(" of ")
                    .append(report.checked()).append(" crash states rejected; make one again with @Crash:");
            for (var x : report.rejected().subList(0, Math.min(LISTED, report.rejected().size()))) {
                sb.append("\n  @Crash(\"").append(x.choice()).append("\"): ").append(x.reason());
            }
            if (report.rejected().size() > LISTED) {
                sb.append("\n  …");
            }
            return new AssertionError(sb.toString());
        }
        CrashChoice choice;
        try {
            List<String> words = crash.value().isBlank() ? List.of() : Arrays.asList(crash.value().trim().split("\\s+"));
            choice = CrashChoice.parse(words, seed.getAsLong());
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException("blkdebug: @Crash(\"" + crash.value() + "\"): " + e.getMessage());
        }
        CrashChoice.Explicit made = td.device().crash(choice);
        try (Device d = td.reopenImage()) {
            runChecks(test, checks, d, made);
        } catch (Exception | AssertionError e) {
            return new AssertionError("blkdebug: after @Crash(\"" + made + "\"): " + e.getMessage(), e);
        }
        return null;
    }

    /** Each @AfterCrash method, with its parameters from the crashed device. */
    private static void runChecks(Object test, List<Method> checks, Device d, CrashChoice.Explicit choice)
            throws Exception {
        BlkDebugFileChannel channel = null;
        try {
            for (Method m : checks) {
                Object[] args = new Object[m.getParameterCount()];
                Class<?>[] types = m.getParameterTypes();
                for (int i = 0; i < args.length; i++) {
                    if (types[i] == Device.class) {
                        args[i] = d;
                    } else if (types[i] == FileChannel.class || types[i] == BlkDebugFileChannel.class) {
                        if (channel == null) {
                            channel = BlkDebugFileChannel.open(d, StandardOpenOption.READ, StandardOpenOption.WRITE);
                        }
                        args[i] = channel;
                    } else if (types[i].isAssignableFrom(CrashChoice.Explicit.class)) {
                        args[i] = choice;
                    } else {
                        throw new ExtensionConfigurationException("blkdebug: @AfterCrash " + m.getName()
                                + " takes a " + types[i].getSimpleName()
                                + "; it may take a Device, a FileChannel and a CrashChoice");
                    }
                }
                m.setAccessible(true);
                try {
                    m.invoke(test, args);
                } catch (InvocationTargetException e) {
                    if (e.getCause() instanceof Exception ex) {
                        throw ex;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw e;
                }
            }
        } finally {
            if (channel != null) {
                channel.close();
            }
        }
    }
}
