package org.blkdebug.engine.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The QAPI types {@code --object} is checked against: QEMU 7.2's {@code ObjectOptions} and every
 * type it reaches, read from the table scripts/gen-qom-schema.py writes from QEMU's own schema
 * (qom-schema.txt). Loaded on first use only, so a command line without {@code --object} never
 * pays for it.
 */
final class QapiSchema {
    /** A member: its name, its type (a builtin, enum or struct name, or {@code [ELEMENT]}). */
    record Member(String name, String type, boolean optional) {
    }

    /** A struct, or a flat union: base members first, then the case the discriminator selects. */
    record Struct(String name, List<Member> members, String discriminator, Map<String, String> cases) {
    }

    static final QapiSchema QOM = load("qom-schema.txt");

    final Map<String, List<String>> enums = new HashMap<>();
    final Map<String, Struct> structs = new HashMap<>();

    private QapiSchema() {
    }

    private static QapiSchema load(String resource) {
        QapiSchema schema = new QapiSchema();
        try (InputStream in = QapiSchema.class.getResourceAsStream(resource);
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String name = null;
            List<Member> members = null;
            String discriminator = null;
            Map<String, String> cases = null;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] w = line.trim().split(" ");
                switch (w[0]) {
                    case "enum" -> schema.enums.put(w[1], List.of(w).subList(2, w.length));
                    case "struct" -> {
                        schema.add(name, members, discriminator, cases);
                        name = w[1];
                        members = new ArrayList<>();
                        discriminator = null;
                        cases = new LinkedHashMap<>();
                    }
                    case "member" -> members.add(new Member(w[1], w[2], w[3].equals("optional")));
                    case "variants" -> discriminator = w[1];
                    case "case" -> cases.put(w[1], w[2]);
                    default -> {
                    } // a comment
                }
            }
            schema.add(name, members, discriminator, cases);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return schema;
    }

    private void add(String name, List<Member> members, String discriminator, Map<String, String> cases) {
        if (name != null) {
            structs.put(name, new Struct(name, List.copyOf(members), discriminator, Map.copyOf(cases)));
        }
    }
}
