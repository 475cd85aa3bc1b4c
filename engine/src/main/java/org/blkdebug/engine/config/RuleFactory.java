package org.blkdebug.engine.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.blkdebug.engine.CustomEvent;
import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.EventName;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.Rule;

/**
 * block/blkdebug.c {@code add_rule}: turns checked sections into rule records. QEMU runs it over
 * all inject-error sections first, then all set-state sections, stopping at the first error.
 * Numbers are C casts of the uint64 QemuOpts value: errno, state and new_state to int.
 *
 * <p>Ours: an event name may also be a custom event declared with the rules (D13).
 */
final class RuleFactory {
    private RuleFactory() {
    }

    static ConfigFile.Rules build(List<Opts> injectErrors, List<Opts> setStates) throws OpenException {
        return build(injectErrors, setStates, List.of(), List.of());
    }

    /**
     * @param customEvents {@code [custom-event]} / {@code custom-event.N} sections, checked first
     * @param declaredElsewhere names declared outside these sections (options, for a config file)
     */
    static ConfigFile.Rules build(List<Opts> injectErrors, List<Opts> setStates, List<Opts> customEvents,
                                  List<String> declaredElsewhere) throws OpenException {
        return build(injectErrors, setStates, customEvents, declaredElsewhere, List.of());
    }

    /** @param injectDelays {@code [inject-delay]} / {@code inject-delay.N} sections (ours), checked last */
    static ConfigFile.Rules build(List<Opts> injectErrors, List<Opts> setStates, List<Opts> customEvents,
                                  List<String> declaredElsewhere, List<Opts> injectDelays) throws OpenException {
        Set<String> declared = new LinkedHashSet<>(declaredElsewhere);
        List<CustomEvent> custom = new ArrayList<>();
        for (Opts o : customEvents) {
            CustomEvent c = customEvent(o.getString("name"));
            declared.add(c.name());
            custom.add(c);
        }
        List<Rule.InjectError> inject = new ArrayList<>();
        for (Opts o : injectErrors) {
            inject.add(injectError(o, declared));
        }
        List<Rule.SetState> set = new ArrayList<>();
        for (Opts o : setStates) {
            set.add(setState(o, declared));
        }
        List<Rule.InjectDelay> delays = new ArrayList<>();
        for (Opts o : injectDelays) {
            delays.add(injectDelay(o, declared));
        }
        return new ConfigFile.Rules(inject, set, custom, delays);
    }

    /** A custom event's declaration; QEMU's message for a bad name. */
    static CustomEvent customEvent(String name) throws OpenException {
        if (name == null) {
            throw new OpenException("Missing name for custom event");
        }
        if (!CustomEvent.isValidName(name)) {
            throw invalidValue(name);
        }
        return new CustomEvent(name);
    }

    private static EventName event(Opts o, Set<String> declared) throws OpenException {
        String name = o.getString("event");
        if (name == null) {
            throw new OpenException("Missing event name for rule");
        }
        // qapi_enum_parse: exact, case-sensitive.
        Event e = Event.byName(name).orElse(null);
        if (e != null) {
            return e;
        }
        if (declared.contains(name)) {
            return new CustomEvent(name);
        }
        throw invalidValue(name);
    }

    private static OpenException invalidValue(String name) {
        return new OpenException("invalid parameter value: " + name);
    }

    static Rule.InjectError injectError(Opts o, Set<String> declared) throws OpenException {
        EventName event = event(o, declared);
        int state = (int) o.getNumber("state", 0);
        int errno = (int) o.getNumber("errno", Errno.EIO);
        boolean once = o.getBool("once", false);
        boolean immediately = o.getBool("immediately", false);
        long sector = o.getNumber("sector", -1);
        String iotype = o.getString("iotype");
        int mask = IoType.DEFAULT_MASK;
        if (iotype != null) {
            mask = IoType.byName(iotype).orElseThrow(() -> invalidValue(iotype)).bit();
        }
        long skip = o.getNumber("skip", 0); // ours; uint64 as QEMU reads numbers
        return new Rule.InjectError(event, state, mask, errno, sector, once, immediately, probability(o), skip);
    }

    /** Ours: {@code [inject-delay]}; the same keys as inject-error where they mean the same. */
    static Rule.InjectDelay injectDelay(Opts o, Set<String> declared) throws OpenException {
        EventName event = event(o, declared);
        int state = (int) o.getNumber("state", 0);
        boolean once = o.getBool("once", false);
        long sector = o.getNumber("sector", -1);
        String iotype = o.getString("iotype");
        int mask = Rule.InjectDelay.ANY_IOTYPE;
        if (iotype != null) {
            mask = IoType.byName(iotype).orElseThrow(() -> invalidValue(iotype)).bit();
        }
        String delay = o.getString("delay");
        if (delay == null) {
            throw new OpenException("Missing delay for inject-delay rule");
        }
        return new Rule.InjectDelay(event, state, mask, sector, once, duration("delay", delay), probability(o));
    }

    /** Ours: {@code probability = "0.01"}, a decimal number from 0 to 1; 1 when absent. */
    static double probability(Opts o) throws OpenException {
        String p = o.getString("probability");
        if (p == null) {
            return 1;
        }
        if (p.strip().matches("[0-9]*\\.?[0-9]+")) {
            double v = Double.parseDouble(p.strip());
            if (v <= 1) {
                return v;
            }
        }
        throw new OpenException("Parameter 'probability' expects a number from 0 to 1, not '" + p + "'");
    }

    /** Ours: a duration with its unit, see {@link Durations}. */
    static long duration(String key, String text) throws OpenException {
        return Durations.nanos(key, text);
    }

    static Rule.SetState setState(Opts o, Set<String> declared) throws OpenException {
        EventName event = event(o, declared);
        return new Rule.SetState(event, (int) o.getNumber("state", 0), (int) o.getNumber("new_state", 0));
    }
}
