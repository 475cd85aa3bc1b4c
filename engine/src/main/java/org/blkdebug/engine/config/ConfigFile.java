package org.blkdebug.engine.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.blkdebug.engine.CustomEvent;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.Rule;

/**
 * blkdebug's INI rule file ({@code blkdebug:CONFIG:IMAGE}, option {@code config}), read the way
 * QEMU 7.2's {@code read_config} does: {@code qemu_config_parse} into the inject-error and
 * set-state option lists, then {@code add_rule} over each list. Error texts are QEMU's.
 *
 * <p>Ours, which QEMU rejects ("There is no option group 'custom-event'"): {@code [custom-event]}
 * sections with {@code name = "wal_commit"} declare custom events that rules in the same file
 * may use (docs/differences-from-qemu.md, D13); {@code [inject-delay]} sections (docs/faults.md).
 */
public final class ConfigFile {
    /** The file's rules and custom events, each list in definition order. */
    public record Rules(List<Rule.InjectError> injectErrors, List<Rule.SetState> setStates,
                        List<CustomEvent> customEvents, List<Rule.InjectDelay> injectDelays) {
        public Rules {
            injectErrors = List.copyOf(injectErrors);
            setStates = List.copyOf(setStates);
            customEvents = List.copyOf(customEvents);
            injectDelays = List.copyOf(injectDelays);
        }

        public Rules(List<Rule.InjectError> injectErrors, List<Rule.SetState> setStates,
                     List<CustomEvent> customEvents) {
            this(injectErrors, setStates, customEvents, List.of());
        }

        public Rules(List<Rule.InjectError> injectErrors, List<Rule.SetState> setStates) {
            this(injectErrors, setStates, List.of());
        }
    }

    private ConfigFile() {
    }

    /**
     * Reads QEMU's INI rule file. Errors: "Could not read blkdebug config file: No such file or
     * directory", "Cannot read config file: Is a directory", and every parse error QEMU 7.2 gives.
     */
    public static Rules read(String path) throws OpenException {
        return read(path, List.of());
    }

    /**
     * As {@link #read(String)}; rules may also use the custom events in {@code declared} (those
     * of the device's options).
     */
    public static Rules read(String path, List<String> declared) throws OpenException {
        byte[] bytes;
        try {
            Path p = Path.of(path);
            if (path.isEmpty()) {
                throw new NoSuchFileException(path); // fopen("") fails with ENOENT
            }
            if (Files.isDirectory(p)) {
                // fopen() of a directory succeeds; the first fgets() fails with EISDIR.
                throw new OpenException("Cannot read config file: " + Errno.message(Errno.EISDIR));
            }
            bytes = Files.readAllBytes(p);
        } catch (NoSuchFileException | InvalidPathException e) {
            throw cannotRead(Errno.ENOENT, e);
        } catch (AccessDeniedException e) {
            throw cannotRead(Errno.EACCES, e);
        } catch (NotDirectoryException e) {
            throw cannotRead(Errno.ENOTDIR, e);
        } catch (IOException e) {
            if (e instanceof OpenException oe) {
                throw oe;
            }
            throw cannotRead(Errno.of(e), e); // e.g. ENOTDIR, which Java reports by its text only
        }
        return parseBytes(new String(bytes, StandardCharsets.ISO_8859_1), declared);
    }

    private static OpenException cannotRead(int errno, Exception cause) {
        return new OpenException("Could not read blkdebug config file: " + Errno.message(errno), cause);
    }

    /** Parses the text of a rule file (as its UTF-8 bytes, so line limits count bytes as QEMU does). */
    public static Rules parse(String text) throws OpenException {
        return parseBytes(new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1), List.of());
    }

    private static Rules parseBytes(String bytes, List<String> declared) throws OpenException {
        List<Opts> inject = new ArrayList<>();
        List<Opts> setState = new ArrayList<>();
        List<Opts> custom = new ArrayList<>();
        List<Opts> delay = new ArrayList<>();
        Set<String> delayIds = new HashSet<>();
        Set<String> injectIds = new HashSet<>();
        Set<String> setStateIds = new HashSet<>();
        Set<String> customIds = new HashSet<>();
        IniReader.read(bytes, (group, dict) -> {
            // qemu_config_do_parse: find_list, then qemu_opts_from_qdict.
            Opts o;
            switch (group) {
                case "inject-error" -> {
                    o = Opts.OptsList.INJECT_ERROR.create(dict.getString("id"), injectIds);
                    inject.add(o);
                }
                case "set-state" -> {
                    o = Opts.OptsList.SET_STATE.create(dict.getString("id"), setStateIds);
                    setState.add(o);
                }
                case "custom-event" -> {
                    o = Opts.OptsList.CUSTOM_EVENT.create(dict.getString("id"), customIds);
                    custom.add(o);
                }
                case "inject-delay" -> {
                    o = Opts.OptsList.INJECT_DELAY.create(dict.getString("id"), delayIds);
                    delay.add(o);
                }
                default -> throw new OpenException("There is no option group '" + group + "'");
            }
            o.setAll(dict);
        });
        return RuleFactory.build(inject, setState, custom, declared, delay);
    }
}
