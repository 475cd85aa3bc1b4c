package org.blkdebug.engine.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import org.blkdebug.engine.OpenException;

/**
 * util/qemu-config.c {@code config_parse_qdict_section}: the rules given as options,
 * {@code inject-error.event=...} (one section) or {@code inject-error.0.event=...},
 * {@code inject-error.1....} (indices from 0, no gaps, as {@code qdict_array_split} wants).
 */
final class OptionSections {
    private OptionSections() {
    }

    /** Removes the list's keys from {@code options} and returns its sections in index order. */
    static List<Opts> extract(QDict options, Opts.OptsList list) throws OpenException {
        String name = list.name();
        QDict sub = options.extractSub(name + ".");
        int origSize = sub.size();
        List<Opts> out = new ArrayList<>();
        if (origSize == 0) {
            return out;
        }
        Opts single = list.create(null, new HashSet<>());
        single.absorb(sub);
        int enumSize = sub.size();
        if (enumSize == 0) {
            out.add(single);
            return out;
        }
        if (enumSize < origSize) {
            throw new OpenException("Unknown option '" + sub.firstKey() + "' for [" + name + "]");
        }
        List<Object> sections = new ArrayList<>();
        for (long i = 0; ; i++) {
            String index = Long.toString(i);
            Object plain = sub.get(index);
            boolean prefixed = sub.hasKeyStartingWith(index + ".");
            // Either one object named "N" or keys "N.x", never both (qdict_array_split).
            if ((plain == null) == !prefixed) {
                break;
            }
            if (prefixed) {
                sections.add(sub.extractSub(index + "."));
            } else {
                sub.remove(index);
                sections.add(plain);
            }
        }
        if (sub.size() > 0) {
            throw new OpenException("Unused option '" + sub.firstKey() + "' for [" + name + "]");
        }
        for (int i = 0; i < sections.size(); i++) {
            if (!(sections.get(i) instanceof QDict section)) {
                throw new OpenException("[" + name + "] section (index " + i + ") does not consist of keys");
            }
            Opts o = list.create(null, new HashSet<>());
            o.absorb(section);
            if (section.size() > 0) {
                throw new OpenException("[" + name + "] section doesn't support the option '"
                        + section.firstKey() + "'");
            }
            out.add(o);
        }
        return out;
    }
}
