package org.blkdebug.engine.config;

import java.util.ArrayList;
import java.util.List;

import org.blkdebug.engine.Errno;
import org.blkdebug.engine.Event;
import org.blkdebug.engine.IoType;
import org.blkdebug.engine.OpenException;
import org.blkdebug.engine.Rule;

/**
 * block/blkdebug.c {@code add_rule}: turns checked sections into rule records. QEMU runs it over
 * all inject-error sections first, then all set-state sections, stopping at the first error.
 * Numbers are C casts of the uint64 QemuOpts value: errno, state and new_state to int.
 */
final class RuleFactory {
    private RuleFactory() {
    }

    static ConfigFile.Rules build(List<Opts> injectErrors, List<Opts> setStates) throws OpenException {
        List<Rule.InjectError> inject = new ArrayList<>();
        for (Opts o : injectErrors) {
            inject.add(injectError(o));
        }
        List<Rule.SetState> set = new ArrayList<>();
        for (Opts o : setStates) {
            set.add(setState(o));
        }
        return new ConfigFile.Rules(inject, set);
    }

    private static Event event(Opts o) throws OpenException {
        String name = o.getString("event");
        if (name == null) {
            throw new OpenException("Missing event name for rule");
        }
        // qapi_enum_parse: exact, case-sensitive.
        return Event.byName(name).orElseThrow(() -> invalidValue(name));
    }

    private static OpenException invalidValue(String name) {
        return new OpenException("invalid parameter value: " + name);
    }

    static Rule.InjectError injectError(Opts o) throws OpenException {
        Event event = event(o);
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
        return new Rule.InjectError(event, state, mask, errno, sector, once, immediately);
    }

    static Rule.SetState setState(Opts o) throws OpenException {
        Event event = event(o);
        return new Rule.SetState(event, (int) o.getNumber("state", 0), (int) o.getNumber("new_state", 0));
    }
}
