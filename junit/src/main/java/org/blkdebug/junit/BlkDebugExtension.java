package org.blkdebug.junit;

import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.nio.BlkDebugFileChannel;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Gives each test a blkdebug {@link Device} built from its annotations ({@link Image},
 * {@link InjectError}, {@link SetState}, {@link Breakpoint}, {@link Config}), as a parameter of
 * the test or of its {@code @BeforeEach}/{@code @AfterEach} methods:
 *
 * <ul>
 *   <li>{@link Device}: the device itself;</li>
 *   <li>{@link FileChannel} / {@link BlkDebugFileChannel}: a read-write channel over it;</li>
 *   <li>{@link Random}: seeded from {@code -Dtests.seed=} or at random; the seed is published as a
 *       report entry and added to a failure, so a failing run can be replayed.</li>
 * </ul>
 *
 * <p>After each test (and its {@code @AfterEach} methods) it waits up to 10 s for the device to
 * become quiescent, fails the test if a request is still suspended or a breakpoint was never hit
 * (unless {@link Image#verifyBreakpoints()} is false), then closes the channel and the device,
 * which resumes whatever is still suspended, and deletes temporary files.
 *
 * <p>The annotations count from the test method, its class and the class's superclasses, and a
 * {@code @Nested} class's enclosing classes: {@link Image} and {@link Config} from the nearest,
 * rules and breakpoints from all of them, outermost first.
 *
 * <p>Any of the annotations registers the extension; a class with none registers it with
 * {@code @ExtendWith(BlkDebugExtension.class)}. Any failure of a test that took a {@link Random},
 * the extension's own included, carries {@code reproduce with -Dtests.seed=0x…}.
 */
public final class BlkDebugExtension implements ParameterResolver, AfterEachCallback, TestExecutionExceptionHandler {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(BlkDebugExtension.class);
    private static final String DEVICE = "device";
    private static final String SEED = "seed";
    /** How long requests may take to settle before the leftovers are counted. */
    private static final Duration SETTLE = Duration.ofSeconds(10);

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> t = pc.getParameter().getType();
        return t == Device.class || t == FileChannel.class || t == BlkDebugFileChannel.class || t == Random.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        if (ec.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("a blkdebug " + pc.getParameter().getType().getSimpleName()
                    + " belongs to one test: take it as a parameter of the test or of @BeforeEach");
        }
        Class<?> t = pc.getParameter().getType();
        if (t == Random.class) {
            long seed = ec.getStore(NS).getOrComputeIfAbsent(SEED, k -> Seeds.choose(ec), Long.class);
            return new Random(seed);
        }
        TestDevice td = ec.getStore(NS).getOrComputeIfAbsent(DEVICE, k -> TestDevice.open(ec,
                () -> ec.getStore(NS).getOrComputeIfAbsent(SEED, s -> Seeds.choose(ec), Long.class)), TestDevice.class);
        return t == Device.class ? td.device() : td.channel();
    }

    /** The device the test took, or null (explore's crash check reopens its image). */
    static TestDevice testDevice(ExtensionContext ec) {
        return ec.getStore(NS).get(DEVICE, TestDevice.class);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext ec, Throwable failure) throws Throwable {
        addSeed(ec, failure);
        throw failure;
    }

    /** The "reproduce with -Dtests.seed=0x…" line, on any failure of a test that took a seeded Random. */
    private static void addSeed(ExtensionContext ec, Throwable failure) {
        Long seed = ec.getStore(NS).get(SEED, Long.class);
        if (seed != null) {
            failure.addSuppressed(new Seeds.Report(seed));
        }
    }

    @Override
    public void afterEach(ExtensionContext ec) throws Exception {
        TestDevice td = ec.getStore(NS).remove(DEVICE, TestDevice.class);
        if (td == null) {
            return;
        }
        List<String> leftovers;
        AssertionError crashFailure = null;
        try {
            leftovers = td.verifyBreakpoints() ? Leftovers.find(td.device(), SETTLE) : List.of();
            if (leftovers.isEmpty() && ec.getExecutionException().isEmpty()) {
                // @Crash / @CrashStates: the test ran as written; now cut the power
                crashFailure = Crashes.check(ec, td,
                        () -> ec.getStore(NS).getOrComputeIfAbsent(SEED, k -> Seeds.choose(ec), Long.class));
            }
        } finally {
            td.close();
        }
        if (crashFailure != null) {
            addSeed(ec, crashFailure);
            throw crashFailure;
        }
        if (!leftovers.isEmpty()) {
            AssertionError failure = new AssertionError("blkdebug: the test left " + String.join("; ", leftovers)
                    + " (allow it with @Image(verifyBreakpoints = false))");
            addSeed(ec, failure);
            throw failure;
        }
    }
}
