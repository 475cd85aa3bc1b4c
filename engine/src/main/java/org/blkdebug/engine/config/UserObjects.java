package org.blkdebug.engine.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.blkdebug.engine.OpenException;

/**
 * qemu-io's {@code --object DEF}: QEMU 7.2's user_creatable_process_cmdline. The definition is
 * read as JSON when it starts with '{', else as keyval with the implied key {@code qom-type};
 * checked against the QAPI schema of every object type QEMU knows ({@link QapiInput}); then
 * created as qemu-io creates it: the id's syntax, whether qemu-io has the type at all ("invalid
 * object type: iothread"), each property set in QEMU's order with its setter's checks, the id
 * added to the objects container, and the type's own completion checks ({@link QomTypes}). The
 * objects change nothing else here: qemu-io's block layer has no use for them either, bar a
 * secret of an encrypted image, which the raw and qcow2 nodes here do not read.
 *
 * <p>One instance per command line: later objects see earlier ones (a secret's {@code keyid}, a
 * duplicate id).
 */
public final class UserObjects {
    /** A created object: its type and the properties it was given, in QEMU's order. */
    record Created(String type, QDict props, byte[] secret) {
    }

    private final Map<String, Created> objects = new LinkedHashMap<>();

    /**
     * Creates the object {@code def} describes. Returns null when it was created, or the help text
     * qemu-io prints (to stdout, then exits 0) when it asked for help; QEMU's error otherwise.
     */
    public String add(String def) throws OpenException {
        Object tree;
        boolean keyval = !def.startsWith("{");
        if (keyval) {
            Keyval.Parsed parsed = Keyval.parse(def, "qom-type");
            if (parsed.help()) {
                return help(parsed.dict().getString("qom-type"));
            }
            tree = parsed.dict();
        } else {
            tree = Json.parseValue(def);
        }
        QDict props = new QapiInput(QapiSchema.QOM, tree, keyval).visitRoot("ObjectOptions");
        String type = (String) props.get("qom-type");
        String id = (String) props.get("id");
        props.remove("qom-type");
        props.remove("id");
        if (!Opts.wellFormedId(id)) {
            throw new OpenException(Opts.badIdMessage());
        }
        if (!QomTypes.exists(type)) {
            throw new OpenException("invalid object type: " + type);
        }
        QomTypes.Instance obj = QomTypes.create(type);
        for (String key : props.keys()) {
            obj.set(key, props.get(key));
        }
        if (objects.containsKey(id)) {
            throw new OpenException("attempt to add duplicate property '" + id + "' to object (type 'container')");
        }
        objects.put(id, new Created(type, props, null)); // in the container while it completes, as in QEMU
        try {
            objects.put(id, new Created(type, props, obj.complete(this)));
        } catch (OpenException e) {
            objects.remove(id);
            throw e;
        }
        return null;
    }

    /** The object with this id, null when there is none. */
    Created lookup(String id) {
        return objects.get(id);
    }

    // ---- help ------------------------------------------------------------------------------

    private static final String TYPE_LIST = "List of user creatable objects:";
    private static final Map<String, String> HELP = loadHelp();

    /**
     * user_creatable_print_help_from_qdict: a QOM class's options ("There are no options for X."
     * for one without), or qemu-io's list of user-creatable types when it has no such class.
     */
    private static String help(String type) {
        String text = type == null ? null : HELP.get(type);
        return text != null ? text : HELP.get(TYPE_LIST);
    }

    /** qom-help.txt: qemu-io's own output for the type list and for each class's help. */
    private static Map<String, String> loadHelp() {
        Map<String, String> help = new HashMap<>();
        try (InputStream in = UserObjects.class.getResourceAsStream("qom-help.txt");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String key = null;
            StringBuilder text = new StringBuilder();
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("#")) {
                    continue;
                }
                if (!line.startsWith(" ")) {
                    if (key != null) {
                        help.put(key, text.toString());
                    }
                    key = line.equals(TYPE_LIST) ? line
                            : line.endsWith(" options:") ? line.substring(0, line.length() - " options:".length())
                            : line.substring("There are no options for ".length(), line.length() - 1);
                    text = new StringBuilder();
                }
                text.append(line).append('\n');
            }
            if (key != null) {
                help.put(key, text.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return help;
    }
}
