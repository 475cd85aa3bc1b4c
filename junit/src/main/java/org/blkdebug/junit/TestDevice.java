package org.blkdebug.junit;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.blkdebug.engine.BlkDebug;
import org.blkdebug.engine.Device;
import org.blkdebug.engine.CustomEvent;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.EventName;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.Rule;
import org.blkdebug.engine.block.Backend;
import org.blkdebug.engine.block.FileBackend;
import org.blkdebug.engine.block.MemoryBackend;
import org.blkdebug.engine.block.OverlayBackend;
import org.blkdebug.engine.nio.BlkDebugFileChannel;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** One test's device, built from its annotations, with the channel and temporary files that go with it. */
final class TestDevice implements AutoCloseable {
    private final Device device;
    /** The image under the device: a memory backend, or the TEMP_FILE image's path. */
    private final Object image;
    private final boolean verifyBreakpoints;
    /** Deleted at close: a TEMP_FILE image, a config copied out of a jar. */
    private final List<Path> tempFiles;
    /** Made on first request; only the test's thread asks for parameters, so no lock. */
    private BlkDebugFileChannel channel;

    private TestDevice(Device device, Object image, boolean verifyBreakpoints, List<Path> tempFiles) {
        this.device = device;
        this.image = image;
        this.verifyBreakpoints = verifyBreakpoints;
        this.tempFiles = tempFiles;
    }

    Device device() {
        return device;
    }

    boolean verifyBreakpoints() {
        return verifyBreakpoints;
    }

    BlkDebugFileChannel channel() {
        if (channel == null) {
            try {
                channel = BlkDebugFileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return channel;
    }

    /**
     * Builds the device the annotations describe: the test method's, its class's (and the
     * class's superclasses', through {@code @Inherited}) and, for a {@code @Nested} class, its
     * enclosing classes'. {@link Image} and {@link Config}: the nearest wins (method, class,
     * enclosing classes outward). Rules and breakpoints: all of them, outermost class first,
     * superclasses before subclasses, the method's last (QEMU's definition order).
     */
    static TestDevice open(ExtensionContext ec) {
        return open(ec, () -> Seeds.choose(ec));
    }

    /** @param seed the test's seed, asked for only when a rule draws (it then seeds the device) */
    static TestDevice open(ExtensionContext ec, java.util.function.LongSupplier seed) {
        List<Class<?>> chain = classChain(ec.getRequiredTestClass());
        Method method = ec.getRequiredTestMethod();
        Image image = nearest(method, chain, Image.class).map(Found::annotation).orElse(null);
        Optional<Found<Config>> config = nearest(method, chain, Config.class);
        List<AnnotatedElement> ruleOrder = new ArrayList<>(chain);
        ruleOrder.add(method);
        List<Path> temps = new ArrayList<>();
        try {
            BlkDebug.Builder b = BlkDebug.builder();
            long size = image == null ? 1 << 20 : image.size();
            Object backing;
            if (image != null && image.backing() == Image.Backing.TEMP_FILE) {
                Path f = Files.createTempFile("blkdebug-", ".img");
                temps.add(f);
                try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                    raf.setLength(size); // sparse: reads as zeroes
                }
                b.image(f.toString());
                backing = f;
            } else {
                MemoryBackend m = new MemoryBackend(size);
                b.backend(m, "memory");
                backing = m;
            }
            List<String> custom = image == null ? List.of() : List.of(image.customEvents());
            if (image != null) {
                b.cache(image.cache()).align(image.align()).customEvent(image.customEvents())
                        .virtualClock(image.virtualClock());
            }
            if (config.isPresent()) {
                b.config(configPath(config.get().declaredOn(), config.get().annotation().value(), temps).toString());
            }
            boolean draws = false;
            for (AnnotatedElement e : ruleOrder) {
                for (InjectError a : AnnotationSupport.findRepeatableAnnotations(e, InjectError.class)) {
                    b.injectError(rule(a, custom));
                    draws |= a.probability() < 1;
                }
                AnnotationSupport.findRepeatableAnnotations(e, SetState.class).forEach(a -> b.setState(rule(a, custom)));
                for (InjectDelay a : AnnotationSupport.findRepeatableAnnotations(e, InjectDelay.class)) {
                    b.injectDelay(rule(a, custom));
                    draws |= a.probability() < 1;
                }
            }
            if (draws) {
                b.seed(seed.getAsLong()); // -Dtests.seed= replays the device's draws too
            }
            ExploreExtension.Explored explored = ec.getStore(ExploreExtension.NS)
                    .get(ExploreExtension.RUN, ExploreExtension.Explored.class);
            if (explored != null) { // an invocation of @FailEach / @ExploreOrders: its rule, its holds
                explored.run().builder(b).listener(explored.run().listener(null));
            }
            Device dev = b.open();
            TestDevice td = new TestDevice(dev, backing, image == null || image.verifyBreakpoints(), temps);
            try {
                for (AnnotatedElement e : ruleOrder) {
                    for (Breakpoint bp : AnnotationSupport.findRepeatableAnnotations(e, Breakpoint.class)) {
                        dev.breakpoint(event(bp.event(), custom), bp.tag());
                    }
                }
                if (explored != null) {
                    explored.run().attach(dev);
                    if (explored.run().scheduler() != null) {
                        explored.run().scheduler().startAuto(explored.settle());
                    }
                }
            } catch (IOException | RuntimeException ex) {
                td.close();
                throw ex;
            }
            return td;
        } catch (IOException e) {
            deleteAll(temps);
            throw new ExtensionConfigurationException("blkdebug: cannot open the test's device: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteAll(temps);
            throw e;
        }
    }

    /** The test class and, for a {@code @Nested} (inner) class, its enclosing classes: outermost first. */
    static List<Class<?>> classChain(Class<?> testClass) {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = testClass; c != null; c = isInner(c) ? c.getEnclosingClass() : null) {
            chain.add(0, c);
        }
        return chain;
    }

    private static boolean isInner(Class<?> c) {
        return c.isMemberClass() && !Modifier.isStatic(c.getModifiers());
    }

    /** An annotation and the class to look resources up beside (where it is declared). */
    record Found<A extends Annotation>(A annotation, Class<?> declaredOn) {
    }

    /** The method's annotation, else the nearest class's in {@code chain} (innermost first), superclasses included. */
    private static <A extends Annotation> Optional<Found<A>> nearest(Method method, List<Class<?>> chain, Class<A> type) {
        Optional<A> onMethod = AnnotationSupport.findAnnotation(method, type);
        if (onMethod.isPresent()) {
            return Optional.of(new Found<>(onMethod.get(), method.getDeclaringClass()));
        }
        for (int i = chain.size() - 1; i >= 0; i--) {
            Class<?> c = chain.get(i);
            Optional<A> a = AnnotationSupport.findAnnotation(c, type);
            if (a.isPresent()) {
                return Optional.of(new Found<>(a.get(), declaringClass(c, type)));
            }
        }
        return Optional.empty();
    }

    /** The superclass of {@code c} (or {@code c}) that declares {@code type}; {@code c} when meta-present. */
    private static Class<?> declaringClass(Class<?> c, Class<? extends Annotation> type) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            if (k.getDeclaredAnnotation(type) != null) {
                return k;
            }
        }
        return c;
    }

    static Rule.InjectError rule(InjectError a) {
        return rule(a, List.of());
    }

    static Rule.InjectError rule(InjectError a, List<String> custom) {
        Rule.InjectError r = Rule.InjectError.of(event(a.event(), custom)).withState(a.state()).withErrno(a.errno())
                .withSector(a.sector()).withOnce(a.once()).withImmediately(a.immediately())
                .withProbability(probability(a.probability()));
        if (!a.iotype().isEmpty()) {
            r = r.withIoType(IoType.byName(a.iotype()).orElseThrow(() -> new ExtensionConfigurationException(
                    "blkdebug: unknown iotype '" + a.iotype() + "'")));
        }
        return r;
    }

    static Rule.InjectDelay rule(InjectDelay a, List<String> custom) {
        long nanos;
        try {
            nanos = org.blkdebug.engine.config.Durations.nanos("delay", a.delay());
        } catch (org.blkdebug.engine.OpenException e) {
            throw new ExtensionConfigurationException("blkdebug: @InjectDelay: " + e.getMessage());
        }
        Rule.InjectDelay r = new Rule.InjectDelay(event(a.event(), custom), a.state(), Rule.InjectDelay.ANY_IOTYPE,
                a.sector(), a.once(), nanos, probability(a.probability()));
        if (!a.iotype().isEmpty()) {
            r = r.withIoType(ioType(a.iotype()));
        }
        return r;
    }

    private static double probability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new ExtensionConfigurationException("blkdebug: probability " + p + " is not between 0 and 1");
        }
        return p;
    }

    private static IoType ioType(String name) {
        return IoType.byName(name).orElseThrow(() -> new ExtensionConfigurationException(
                "blkdebug: unknown iotype '" + name + "'"));
    }

    static Rule.SetState rule(SetState a) {
        return rule(a, List.of());
    }

    static Rule.SetState rule(SetState a, List<String> custom) {
        return new Rule.SetState(event(a.event(), custom), a.state(), a.newState());
    }

    /** A QEMU event, or one of the test's declared custom events. */
    private static EventName event(String name, List<String> custom) {
        Optional<Event> qemu = Event.byName(name);
        if (qemu.isPresent()) {
            return qemu.get();
        }
        if (custom.contains(name) && CustomEvent.isValidName(name)) {
            return new CustomEvent(name);
        }
        throw new ExtensionConfigurationException("blkdebug: unknown event '" + name
                + "' (QEMU's names, e.g. write_aio, or one of @Image(customEvents))");
    }

    /**
     * A class-path resource beside {@code owner} (or absolute, with a leading {@code /}), copied
     * out when it is inside a jar; else a file path (relative to the working directory).
     */
    private static Path configPath(Class<?> owner, String name, List<Path> temps) throws IOException {
        URL url = owner.getResource(name);
        if (url == null) {
            Path p = Path.of(name);
            if (!Files.isRegularFile(p)) {
                throw new ExtensionConfigurationException("blkdebug: @Config(\"" + name + "\") on "
                        + owner.getName() + " not found: looked for the class-path resource " + resourceName(owner, name)
                        + " and for the file " + p.toAbsolutePath());
            }
            return p;
        }
        if ("file".equals(url.getProtocol())) {
            try {
                return Path.of(url.toURI());
            } catch (java.net.URISyntaxException e) {
                throw new IOException(e);
            }
        }
        Path copy = Files.createTempFile("blkdebug-", ".ini");
        temps.add(copy);
        try (InputStream in = url.openStream()) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }

    /** Where {@link Class#getResource} looks for {@code name}: beside {@code owner}, or absolute. */
    static String resourceName(Class<?> owner, String name) {
        if (name.startsWith("/")) {
            return name;
        }
        String pkg = owner.getPackageName();
        return "/" + (pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/") + name;
    }

    /**
     * Closes the test's channel and device (a crash closed it already; else the close flushes) and
     * opens a plain device on a private overlay of the image as they left it: what a machine finds
     * after the power came back. Close it when done; the image itself is not written.
     */
    Device reopenImage() throws IOException {
        if (channel != null) {
            channel.close();
        }
        device.close();
        Backend base = image instanceof MemoryBackend m ? m : FileBackend.open(image.toString(), true);
        return BlkDebug.builder().backend(new OverlayBackend(base, base != image), "after-crash")
                .cache(org.blkdebug.engine.CacheMode.WRITEBACK).open();
    }

    /** Channel, device, then files; the first failure is thrown once everything was tried. */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            failure = e;
        }
        try {
            device.close();
        } catch (IOException e) {
            failure = add(failure, e);
        }
        IOException d = deleteAll(tempFiles);
        if (d != null) {
            failure = add(failure, d);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static IOException add(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private static IOException deleteAll(List<Path> files) {
        IOException failure = null;
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                failure = add(failure, e);
            }
        }
        return failure;
    }
}
